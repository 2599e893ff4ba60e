// A lean HTTP/1.1 response parser for the gateway's upstream connections: one response at a time (no
// pipelining), head parsed from latin1 text, body framed by Content-Length, chunked coding or the end of
// the connection, as RFC 9112 §6.3 orders them. Pure: bytes in, callbacks out; unit-tested byte by byte.
// It replaces undici on the hot path because the gateway needs only this much of HTTP, and it costs a
// third of the CPU per request (docs/gateway.md, "Upstream connections").
// Instances are untrusted: a malformed status line, a header name that is not a token, a value with a
// control character (CR, LF, NUL...), two Content-Lengths, or Content-Length with Transfer-Encoding throw
// a ResponseParseError (the client gets 424, never a guess); the sink gets the framing the parser decided
// (bodyLength), so nothing downstream needs the instance's own framing headers.
import { BAD_VALUE_CHAR, chunkSizeOf, CONTENT_LENGTH, headerColon, printable, TOKEN, transferCodings, trimOws } from './http-syntax.js';

export interface ResponseSink {
  /**
   * Final (non-1xx) status and header list [name, value, ...] in received case and order, every name a
   * token and every value free of control characters. `bodyLength`: the body's length when the response
   * is framed by Content-Length (0 when it has no body: 204, 304, HEAD), else -1 (chunked, or until close).
   */
  onHead(status: number, headers: string[], bodyLength: number): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

/** Why a response was refused: a stable, short code (see exchange.ts, the 424 it becomes). */
export type ResponseFault = 'malformed_status_line' | 'invalid_header' | 'conflicting_framing' | 'malformed_body_framing' | 'head_too_large';

export class ResponseParseError extends Error {
  readonly code = 'UPSTREAM_BAD_RESPONSE';
  constructor(readonly fault: ResponseFault, message: string) {
    super(message);
  }
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const MAX_HEAD_BYTES = 64 * 1024;

/** "HTTP/1.1 " or "HTTP/1.0 ", three digits, then the end or a space and a reason phrase without CR or LF (as llhttp). */
function validStatusLine(l: string): boolean {
  if (l.length < 12 || !l.startsWith('HTTP/1.') || l.charCodeAt(8) !== 32) return false;
  const minor = l.charCodeAt(7);
  if (minor !== 48 && minor !== 49) return false;
  for (let i = 9; i < 12; i++) {
    const c = l.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return l.length === 12 || (l.charCodeAt(12) === 32 && l.indexOf('\r', 13) < 0 && l.indexOf('\n', 13) < 0);
}
const CRLFCRLF = Buffer.from('\r\n\r\n');

export class ResponseParser {
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Seconds from the response's `Keep-Alive: timeout=N`, or -1. */
  keepAliveHint = -1;
  private state = State.Head;
  private pendingHead: Buffer | null = null;
  private remaining = 0;
  private line = '';
  private noBody = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Starts a new response; `noBody` for answers to HEAD (never sent by the gateway, kept for honesty). */
  reset(noBody = false): void {
    this.state = State.Head;
    this.pendingHead = null;
    this.remaining = 0;
    this.line = '';
    this.keepAlive = true;
    this.keepAliveHint = -1;
    this.noBody = noBody;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** True while the body runs until the connection closes (then finish() ends it). */
  get readsUntilClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** The connection ended: completes a close-delimited body, else the response is truncated. */
  finish(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.keepAlive = false;
      this.sink.onEnd();
      return true;
    }
    return this.state === State.Done;
  }

  /** Feeds bytes; returns how many belong to this response (the rest would be a protocol error). */
  execute(buf: Buffer): number {
    let pos = 0;
    const len = buf.length;
    while (pos < len && this.state !== State.Done) {
      switch (this.state) {
        case State.Head: {
          pos = this.readHead(buf, pos);
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          const chunk = pos === 0 && n === len ? buf : buf.subarray(pos, pos + n);
          pos += n;
          this.sink.onBody(chunk);
          if (this.remaining === 0) this.end();
          break;
        }
        case State.UntilClose: {
          this.sink.onBody(pos === 0 ? buf : buf.subarray(pos));
          pos = len;
          break;
        }
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: {
          const nl = buf.indexOf(10, pos);
          const end = nl < 0 ? len : nl + 1;
          this.line += buf.toString('latin1', pos, end);
          if (this.line.length > 8192) throw new ResponseParseError('malformed_body_framing', 'a chunk framing line is too long');
          pos = end;
          if (nl >= 0) this.onLine();
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          this.sink.onBody(buf.subarray(pos, pos + n));
          pos += n;
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
      }
    }
    return pos;
  }

  private readHead(buf: Buffer, pos: number): number {
    let data = buf;
    let start = pos;
    if (this.pendingHead !== null) {
      data = Buffer.concat([this.pendingHead, buf.subarray(pos)]);
      start = 0;
    }
    // Search from a few bytes before the new data so a CRLFCRLF split across reads is found.
    const from = this.pendingHead !== null ? Math.max(0, this.pendingHead.length - 3) : start;
    const end = data.indexOf(CRLFCRLF, from);
    if (end < 0) {
      if (data.length - start > MAX_HEAD_BYTES) throw new ResponseParseError('head_too_large', `the response head is larger than ${MAX_HEAD_BYTES} bytes`);
      this.pendingHead = start === 0 ? data : data.subarray(start);
      if (this.pendingHead === buf) this.pendingHead = Buffer.from(buf); // do not hold the socket's buffer
      return buf.length;
    }
    const consumedFromBuf = this.pendingHead !== null ? end + 4 - this.pendingHead.length + pos : end + 4;
    this.pendingHead = null;
    this.parseHead(data.toString('latin1', start, end));
    return consumedFromBuf;
  }

  private parseHead(head: string): void {
    const firstEol = head.indexOf('\r\n');
    const statusLine = firstEol < 0 ? head : head.slice(0, firstEol);
    // "HTTP/1.1 200 OK": version, a space, three digits, then nothing or a space and a reason phrase
    // (ignored: the gateway writes its own) that holds no CR or LF.
    if (!validStatusLine(statusLine)) {
      throw new ResponseParseError('malformed_status_line', `malformed status line '${printable(statusLine)}'`);
    }
    const status = (statusLine.charCodeAt(9) - 48) * 100 + (statusLine.charCodeAt(10) - 48) * 10 + (statusLine.charCodeAt(11) - 48);
    if (status < 100 || status === 101) {
      // 101 would switch protocols: the gateway never asks for an upgrade.
      throw new ResponseParseError('malformed_status_line', `status ${statusLine.slice(9, 12)} is not a status the gateway can pass on`);
    }
    const http10 = statusLine.charCodeAt(7) === 48; // HTTP/1.0
    let keepAlive = !http10;
    let contentLength = -1;
    let te: string | null = null;
    const headers: string[] = [];
    let i = firstEol < 0 ? head.length : firstEol + 2;
    while (i < head.length) {
      let eol = head.indexOf('\r\n', i);
      if (eol < 0) eol = head.length;
      const colon = head.indexOf(':', i);
      if (colon < 0 || colon >= eol || colon === i) throw new ResponseParseError('invalid_header', `a header line without a name: '${printable(head.slice(i, eol))}'`);
      const name = head.slice(i, colon);
      if (!TOKEN.test(name)) throw new ResponseParseError('invalid_header', `invalid header name '${printable(name)}'`);
      // The value without surrounding SP/HTAB (only those: not NBSP), sliced once.
      let vs = colon + 1;
      let ve = eol;
      while (vs < ve && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
      while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
      const value = head.slice(vs, ve);
      // CR, LF (a bare one would start a forged header line downstream), NUL and other controls.
      if (BAD_VALUE_CHAR.test(value)) throw new ResponseParseError('invalid_header', `invalid character in the value of header '${printable(name)}'`);
      headers.push(name, value);
      // Only framing headers matter here; switch on length to skip lowercasing the others.
      switch (name.length) {
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (contentLength >= 0) throw new ResponseParseError('conflicting_framing', 'more than one Content-Length');
            if (!CONTENT_LENGTH.test(head.slice(colon + 1, eol))) throw new ResponseParseError('conflicting_framing', `invalid Content-Length '${printable(value)}'`);
            contentLength = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            const codings = transferCodings(head.slice(colon + 1, eol), value);
            te = te === null ? codings : `${te}, ${codings}`;
          }
          break;
        case 10: {
          const lower = name.toLowerCase();
          if (lower === 'connection') {
            const c = value.toLowerCase();
            if (c.includes('close')) keepAlive = false;
            else if (c.includes('keep-alive')) keepAlive = true;
          } else if (lower === 'keep-alive') {
            const m = /timeout=(\d+)/i.exec(value);
            if (m) this.keepAliveHint = Number(m[1]);
          }
          break;
        }
      }
      i = eol + 2;
    }
    let chunked = false;
    if (te !== null) {
      // Both framings at once is the classic desynchronisation: refused, never guessed (RFC 9112 §6.3).
      if (contentLength >= 0) throw new ResponseParseError('conflicting_framing', 'both Content-Length and Transfer-Encoding');
      const codings = te.toLowerCase().split(',');
      chunked = trimOws(codings[codings.length - 1]!) === 'chunked';
    }
    if (status < 200) {
      // 1xx informational: the final response follows on the same connection.
      this.state = State.Head;
      return;
    }
    const noBody = this.noBody || status === 204 || status === 304;
    this.keepAlive = keepAlive;
    if (noBody) {
      this.sink.onHead(status, headers, 0);
      this.end();
    } else if (chunked) {
      this.sink.onHead(status, headers, -1);
      this.state = State.ChunkSize;
      this.line = '';
    } else if (te === null && contentLength >= 0) {
      this.remaining = contentLength;
      this.sink.onHead(status, headers, contentLength);
      if (contentLength === 0) this.end();
      else this.state = State.Length;
    } else {
      // No length, or a final coding other than chunked: the body runs until the connection closes.
      this.keepAlive = false;
      this.sink.onHead(status, headers, -1);
      this.state = State.UntilClose;
    }
  }

  private onLine(): void {
    const line = this.line;
    this.line = '';
    if (!line.endsWith('\r\n')) throw new ResponseParseError('malformed_body_framing', 'a bare LF in chunked framing');
    const text = line.slice(0, -2);
    if (this.state === State.ChunkSize) {
      const size = chunkSizeOf(text);
      if (typeof size === 'string') throw new ResponseParseError('malformed_body_framing', `${size} '${printable(text)}'`);
      if (size === 0) this.state = State.Trailers;
      else {
        this.remaining = size;
        this.state = State.ChunkData;
      }
    } else if (this.state === State.ChunkDataEnd) {
      if (text !== '') throw new ResponseParseError('malformed_body_framing', 'chunk data not followed by CRLF');
      this.state = State.ChunkSize;
    } else if (text === '') {
      this.end(); // trailers (dropped) end with an empty line
    } else if (headerColon(text) < 0 || BAD_VALUE_CHAR.test(text.slice(text.indexOf(':') + 1))) {
      throw new ResponseParseError('malformed_body_framing', `invalid trailer line '${printable(text)}'`);
    }
  }

  private end(): void {
    this.state = State.Done;
    this.sink.onEnd();
  }
}
