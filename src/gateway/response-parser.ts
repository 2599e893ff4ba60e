// A lean HTTP/1.1 response parser for the gateway's upstream connections: one response at a time (no
// pipelining), head parsed from latin1 text, body framed by Content-Length, chunked coding or the end of
// the connection, as RFC 9112 §6.3 orders them. Pure: bytes in, callbacks out; unit-tested byte by byte.
// It replaces undici on the hot path because the gateway needs only this much of HTTP, and it costs a
// third of the CPU per request (docs/gateway.md, "Upstream connections").

export interface ResponseSink {
  /** Final (non-1xx) status and header list [name, value, ...] in received case and order. */
  onHead(status: number, headers: string[]): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

export class ResponseParseError extends Error {
  readonly code = 'UPSTREAM_BAD_RESPONSE';
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
          if (this.line.length > 8192) throw new ResponseParseError('chunk framing line too long');
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
      if (data.length - start > MAX_HEAD_BYTES) throw new ResponseParseError('response head too large');
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
    // "HTTP/1.1 200 OK": version, a space, three digits, then an optional reason.
    if (statusLine.length < 12 || !statusLine.startsWith('HTTP/1.') || statusLine.charCodeAt(8) !== 32) {
      throw new ResponseParseError(`bad status line '${statusLine.slice(0, 40)}'`);
    }
    const status = Number(statusLine.slice(9, 12));
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new ResponseParseError(`bad status '${statusLine.slice(9, 12)}'`);
    const http10 = statusLine.charCodeAt(7) === 48; // HTTP/1.0
    let keepAlive = !http10;
    let contentLength = -1;
    let chunked = false;
    const headers: string[] = [];
    let i = firstEol < 0 ? head.length : firstEol + 2;
    while (i < head.length) {
      let eol = head.indexOf('\r\n', i);
      if (eol < 0) eol = head.length;
      const colon = head.indexOf(':', i);
      if (colon < 0 || colon > eol || colon === i) throw new ResponseParseError('bad header line');
      const name = head.slice(i, colon);
      const value = head.slice(colon + 1, eol).trim();
      headers.push(name, value);
      // Only framing headers matter here; switch on length to skip lowercasing the others.
      switch (name.length) {
        case 14:
          if (name.toLowerCase() === 'content-length') {
            const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
            if (Number.isNaN(n) || (contentLength >= 0 && contentLength !== n)) throw new ResponseParseError(`bad content-length '${value}'`);
            contentLength = n;
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            const codings = value.toLowerCase();
            chunked = codings === 'chunked' || codings.endsWith(',chunked') || /,\s*chunked$/.test(codings);
            if (!chunked) keepAlive = false; // another final coding: the body runs until close
          }
          break;
        case 10: {
          const lower = name.toLowerCase();
          if (lower === 'connection') {
            const v = value.toLowerCase();
            if (v.includes('close')) keepAlive = false;
            else if (v.includes('keep-alive')) keepAlive = true;
          } else if (lower === 'keep-alive') {
            const m = /timeout=(\d+)/i.exec(value);
            if (m) this.keepAliveHint = Number(m[1]);
          }
          break;
        }
      }
      i = eol + 2;
    }
    if (status < 200) {
      // 1xx informational: the final response follows on the same connection.
      this.state = State.Head;
      return;
    }
    this.keepAlive = keepAlive;
    this.sink.onHead(status, headers);
    if (this.noBody || status === 204 || status === 304) {
      this.end();
    } else if (chunked) {
      this.state = State.ChunkSize;
      this.line = '';
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      if (contentLength === 0) this.end();
      else this.state = State.Length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }

  private onLine(): void {
    const line = this.line;
    this.line = '';
    if (!line.endsWith('\r\n')) throw new ResponseParseError('bare LF in chunk framing');
    if (this.state === State.ChunkSize) {
      const semi = line.indexOf(';');
      const hex = (semi < 0 ? line.slice(0, -2) : line.slice(0, semi)).trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ResponseParseError(`bad chunk size '${hex.slice(0, 20)}'`);
      const size = parseInt(hex, 16);
      if (size === 0) this.state = State.Trailers;
      else {
        this.remaining = size;
        this.state = State.ChunkData;
      }
    } else if (this.state === State.ChunkDataEnd) {
      if (line !== '\r\n') throw new ResponseParseError('chunk data not followed by CRLF');
      this.state = State.ChunkSize;
    } else if (line === '\r\n') {
      this.end(); // trailers (dropped) end with an empty line
    }
  }

  private end(): void {
    this.state = State.Done;
    this.sink.onEnd();
  }
}
