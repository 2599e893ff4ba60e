// A lean HTTP/1.1 request parser for the gateway's client connections: the mirror image of
// response-parser.ts. One request at a time (pipelined requests wait in the caller's buffer: execute()
// stops at the end of each message), head parsed from latin1 text, body framed by Content-Length or
// chunked coding (RFC 9112 §6). Pure: bytes in, callbacks out; unit-tested byte by byte. Malformed input
// throws a RequestParseError carrying the status to answer with (400; 431 for a head over the limit;
// 417 for an Expect other than 100-continue). It accepts and refuses what node:http (llhttp in its strict
// default, plus node's Host and Expect checks) does, field syntax from http-syntax.ts; the differential
// test (test/integration/gateway-parsers-differential.test.ts) holds it to that, and lists the few
// forms it refuses although node:http takes them (HTTP/0.9 and 2.0 request lines, absolute-form targets,
// Transfer-Encoding on HTTP/1.0, an empty Transfer-Encoding, CONNECT).
import { METHODS as NODE_METHODS, type IncomingHttpHeaders } from 'node:http';
import { BAD_VALUE_CHAR, chunkSizeOf, CONTENT_LENGTH, headerColon, transferCodings, trimOws } from './http-syntax.js';

export interface RequestHead {
  method: string;
  url: string;
  /** HTTP/1.0 (else 1.1). */
  http10: boolean;
  /** Lower-case names; repeated headers joined as node:http does (first one wins for singletons). */
  headers: IncomingHttpHeaders;
  /** The distinct lower-case names of `headers` in the order they first came (no for-in on the hot path). */
  names: string[];
  /** Whether the connection may carry another request after this one. */
  keepAlive: boolean;
  expectContinue: boolean;
  /** Declared Content-Length, or -1. */
  contentLength: number;
  chunked: boolean;
}

export interface RequestSink {
  onHead(head: RequestHead): void;
  onBody(chunk: Buffer): void;
  onMessageEnd(): void;
}

export class RequestParseError extends Error {
  constructor(readonly status: 400 | 417 | 431, message: string, readonly code = status === 431 ? 'HPE_HEADER_OVERFLOW' : status === 417 ? 'EXPECTATION_FAILED' : 'HPE_INVALID') {
    super(message);
  }
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataCR,
  ChunkDataLF,
  Trailers,
  Done,
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** A request target: origin-form ('/...') or '*'; visible ASCII only (llhttp refuses controls, blanks, DEL and bytes over 0x7F). */
const TARGET = /^(?:\/[\x21-\x7e]*|\*)$/;
/** node:http's (llhttp's) methods, but CONNECT (a tunnel: node:http drops it without a 'connect' listener). */
const METHODS = new Set(NODE_METHODS.filter((m) => m !== 'CONNECT'));
/** node:http's test of an Expect value (anything else is answered 417). */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;
/** Headers node:http keeps only once (the first wins), as IncomingMessage does. */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
]);
const MAX_LINE = 4096;

export class RequestParser {
  private state = State.Head;
  private pendingHead: Buffer | null = null;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;
  /** Bytes of the current message seen so far (0: the connection is between requests). */
  seen = 0;

  constructor(private readonly sink: RequestSink, private readonly maxHeadBytes: number) {}

  reset(): void {
    this.state = State.Head;
    this.pendingHead = null;
    this.remaining = 0;
    this.line = '';
    this.trailerBytes = 0;
    this.seen = 0;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** True once the head is complete (the body, if any, is being read). */
  get headDone(): boolean {
    return this.state !== State.Head;
  }

  /** Feeds bytes from `pos`; returns the position after this message's last byte (or buf.length). */
  execute(buf: Buffer, pos = 0): number {
    const len = buf.length;
    while (pos < len && this.state !== State.Done) {
      switch (this.state) {
        case State.Head:
          pos = this.readHead(buf, pos);
          break;
        case State.Length: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          const chunk = pos === 0 && n === len ? buf : buf.subarray(pos, pos + n);
          pos += n;
          this.sink.onBody(chunk);
          if (this.remaining === 0) this.end();
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = buf.indexOf(10, pos);
          const end = nl < 0 ? len : nl + 1;
          this.line += buf.toString('latin1', pos, end);
          if (this.state === State.Trailers) {
            this.trailerBytes += end - pos;
            if (this.trailerBytes > this.maxHeadBytes) throw new RequestParseError(431, 'trailers too large');
          } else if (this.line.length > MAX_LINE) {
            throw new RequestParseError(400, 'chunk size line too long');
          }
          pos = end;
          if (nl >= 0) this.onLine();
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, len - pos);
          this.remaining -= n;
          this.sink.onBody(buf.subarray(pos, pos + n));
          pos += n;
          if (this.remaining === 0) this.state = State.ChunkDataCR;
          break;
        }
        case State.ChunkDataCR:
          if (buf[pos++] !== 13) throw new RequestParseError(400, 'chunk data not followed by CRLF');
          this.state = State.ChunkDataLF;
          break;
        case State.ChunkDataLF:
          if (buf[pos++] !== 10) throw new RequestParseError(400, 'chunk data not followed by CRLF');
          this.state = State.ChunkSize;
          break;
      }
    }
    return pos;
  }

  private end(): void {
    this.state = State.Done;
    this.sink.onMessageEnd();
  }

  private onLine(): void {
    const raw = this.line;
    this.line = '';
    if (!raw.endsWith('\r\n')) throw new RequestParseError(400, 'bare LF in chunked framing');
    const line = raw.slice(0, -2);
    if (this.state === State.ChunkSize) {
      const size = chunkSizeOf(line);
      if (typeof size === 'string') throw new RequestParseError(400, size);
      if (size === 0) {
        this.state = State.Trailers;
      } else {
        this.remaining = size;
        this.state = State.ChunkData;
      }
    } else if (line === '') {
      this.end(); // end of trailers (dropped)
    } else if (headerColon(line) < 0 || BAD_VALUE_CHAR.test(line.slice(line.indexOf(':') + 1))) {
      throw new RequestParseError(400, 'bad trailer line');
    }
  }

  private readHead(buf: Buffer, pos: number): number {
    const len = buf.length;
    if (this.pendingHead === null) {
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      while (pos < len && (buf[pos] === 13 || buf[pos] === 10)) pos++;
      if (pos === len) return pos;
      const end = buf.indexOf(CRLFCRLF, pos);
      if (end < 0) {
        if (len - pos > this.maxHeadBytes) throw new RequestParseError(431, 'request head too large');
        this.seen += len - pos;
        this.pendingHead = Buffer.from(buf.subarray(pos)); // a copy: never hold the socket's buffer
        return len;
      }
      if (end - pos > this.maxHeadBytes) throw new RequestParseError(431, 'request head too large');
      this.seen += end + 4 - pos;
      this.parseHead(buf.toString('latin1', pos, end));
      return end + 4;
    }
    const old = this.pendingHead;
    const data = Buffer.concat([old, buf.subarray(pos)]);
    const end = data.indexOf(CRLFCRLF, Math.max(0, old.length - 3));
    if (end < 0) {
      if (data.length > this.maxHeadBytes) throw new RequestParseError(431, 'request head too large');
      this.seen += len - pos;
      this.pendingHead = data;
      return len;
    }
    if (end > this.maxHeadBytes) throw new RequestParseError(431, 'request head too large');
    this.pendingHead = null;
    const used = end + 4 - old.length;
    this.seen += used;
    this.parseHead(data.toString('latin1', 0, end));
    return pos + used;
  }

  private parseHead(text: string): void {
    // Lines are found with indexOf rather than split(): no array of lines per request.
    const firstEol = text.indexOf('\r\n');
    const requestLine = firstEol < 0 ? text : text.slice(0, firstEol);
    const sp1 = requestLine.indexOf(' ');
    const sp2 = requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0) throw new RequestParseError(400, 'bad request line');
    const method = requestLine.slice(0, sp1);
    const url = requestLine.slice(sp1 + 1, sp2);
    const version = requestLine.slice(sp2 + 1);
    if (!METHODS.has(method)) throw new RequestParseError(400, 'unknown method');
    if (!TARGET.test(url)) throw new RequestParseError(400, 'bad request target');
    let http10: boolean;
    if (version === 'HTTP/1.1') http10 = false;
    else if (version === 'HTTP/1.0') http10 = true;
    else throw new RequestParseError(400, 'unsupported HTTP version');

    const headers: IncomingHttpHeaders = Object.create(null) as IncomingHttpHeaders;
    const h = headers as Record<string, string | string[]>;
    const names: string[] = [];
    let connection = '';
    let te: string | null = null;
    let contentLength = -1;
    let expectContinue = false;
    let next = firstEol < 0 ? -1 : firstEol + 2;
    while (next >= 0) {
      const eol = text.indexOf('\r\n', next);
      const l = eol < 0 ? text.slice(next) : text.slice(next, eol);
      next = eol < 0 ? -1 : eol + 2;
      const colon = headerColon(l);
      if (colon < 0) throw new RequestParseError(400, colon === -1 ? 'bad header line' : 'bad header name');
      // Only SP and HTAB are trimmed (not NBSP, VT, FF: JavaScript's trim() would take those too).
      const value = trimOws(l.slice(colon + 1));
      if (BAD_VALUE_CHAR.test(value)) throw new RequestParseError(400, 'bad header value');
      const name = l.slice(0, colon).toLowerCase();
      switch (name) {
        case 'content-length': {
          // llhttp refuses a second Content-Length even when it is equal to the first.
          if (contentLength >= 0) throw new RequestParseError(400, 'duplicate Content-Length');
          if (!CONTENT_LENGTH.test(l.slice(colon + 1))) throw new RequestParseError(400, 'bad Content-Length');
          contentLength = Number(value);
          break;
        }
        case 'transfer-encoding':
          te = te === null ? transferCodings(l, value) : `${te}, ${transferCodings(l, value)}`;
          break;
        case 'connection':
          connection = connection === '' ? value.toLowerCase() : `${connection}, ${value.toLowerCase()}`;
          break;
      }
      const prev = h[name];
      if (prev === undefined) {
        h[name] = name === 'set-cookie' ? [value] : value;
        names.push(name);
      }
      else if (name === 'set-cookie') (prev as string[]).push(value);
      else if (!SINGLE.has(name)) h[name] = `${prev as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }

    // node:http's checks after llhttp: HTTP/1.1 needs a Host header (400); an Expect header other than
    // 100-continue is answered 417 (HTTP/1.0 requests: neither).
    if (!http10) {
      if (h.host === undefined) throw new RequestParseError(400, 'missing Host header');
      const expect = h.expect;
      if (expect !== undefined) {
        if (!CONTINUE.test(expect as string)) throw new RequestParseError(417, 'unsupported Expect');
        expectContinue = true;
      }
    }
    let chunked = false;
    if (te !== null) {
      if (contentLength >= 0) throw new RequestParseError(400, 'both Content-Length and Transfer-Encoding');
      // chunked must be the final coding, and only once (as llhttp: "chunked, chunked" is refused).
      const codings = te.toLowerCase().split(',');
      const last = codings.length - 1;
      if (trimOws(codings[last]!) !== 'chunked' || http10) throw new RequestParseError(400, 'unsupported Transfer-Encoding');
      for (let i = 0; i < last; i++) if (trimOws(codings[i]!) === 'chunked') throw new RequestParseError(400, 'chunked applied twice');
      chunked = true;
    }
    const keepAlive = http10 ? hasToken(connection, 'keep-alive') : !hasToken(connection, 'close');
    this.sink.onHead({ method, url, http10, headers, names, keepAlive, expectContinue, contentLength, chunked });
    if (chunked) this.state = State.ChunkSize;
    else if (contentLength > 0) {
      this.remaining = contentLength;
      this.state = State.Length;
    } else this.end();
  }
}

function hasToken(list: string, token: string): boolean {
  if (list === '') return false;
  if (list === token) return true;
  for (const t of list.split(',')) if (trimOws(t) === token) return true;
  return false;
}
