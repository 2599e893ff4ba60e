// One client connection to the gateway, hand-written over node:net with request-parser.ts: the mirror
// image of upstream-connection.ts. Requests are answered one at a time and in order (pipelined requests
// wait, parsed only once the previous answer is complete), each answer written as pre-built header bytes
// plus body in one socket.write. Keep-alive per HTTP/1.1 (HTTP/1.0: only with Connection: keep-alive),
// Expect: 100-continue answered when the body is wanted, slow clients cut by the server's checker
// (headers timeout, request timeout, keep-alive idle timeout).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { RequestParseError, RequestParser, type RequestHead, type RequestSink } from './request-parser.js';

/** Told when the client's connection closes (Exchange.clientClosed). */
export interface ClientCloseListener {
  clientClosed(): void;
}

/** Receives the request body (server.ts buffers it). */
export interface BodyReader {
  data(chunk: Buffer): void;
  end(): void;
}

export interface ConnectionContext {
  readonly maxHeaderBytes: number;
  /** The connection lines (and the blank line) of a keep-alive answer. */
  readonly keepAliveTail: string;
  /** Set by close(): every answer from now on closes its connection. */
  readonly closing: boolean;
  handle(head: RequestHead, res: ClientResponse): void;
  clientError(code: string): void;
  forget(conn: ClientConnection): void;
}

/** Bodies up to this size are copied behind the head and written in one syscall. */
const COPY_BODY_MAX = 64 * 1024;
/** Pipelined bytes held while an answer is pending before the socket is paused. */
const PENDING_MAX = 256 * 1024;
/** How long a connection we ended may linger before it is destroyed. */
const LINGER_MS = 2_000;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** "HTTP/1.1 <status> <reason>\r\n", built once per status code. */
const statusLines: string[] = [];
function statusLine(status: number): string {
  return (statusLines[status] ??= `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`);
}

let dateText = '';
let dateAt = 0;
function httpDate(): string {
  const now = Date.now();
  if (now - dateAt >= 1000 || now < dateAt) {
    dateAt = now - (now % 1000);
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/** The answer to one request: the subset of node's ServerResponse the gateway uses. */
export class ClientResponse {
  headersSent = false;
  finished = false;
  /** Told when the connection closes before or after this answer. */
  listener: ClientCloseListener | null = null;
  /** Where the request body goes (none: it is read and dropped). */
  body: BodyReader | null = null;
  closeAfter = false;
  private head: string | null = null;
  private chunked = false;
  /** Body bytes still due under a declared Content-Length, or -1 when none was declared. */
  private left = -1;
  private noBody: boolean;
  private continued = false;

  constructor(private readonly conn: ClientConnection, readonly req: RequestHead) {
    this.noBody = req.method === 'HEAD';
  }

  /** The client's address (read once per connection, and only when needed). */
  get remoteAddress(): string | undefined {
    return this.conn.remoteAddress;
  }

  /** True once nothing more can be written (answer complete, or the connection is gone). */
  get destroyed(): boolean {
    return this.finished || this.conn.socket.destroyed;
  }

  /** The body is wanted: answers Expect: 100-continue. */
  continue(): void {
    if (!this.req.expectContinue || this.continued || this.headersSent || this.conn.socket.destroyed) return;
    this.continued = true;
    this.conn.socket.write(CONTINUE);
  }

  /**
   * Prepares the head; it leaves with the first body bytes (or at end()). `headers`: [name, value, ...],
   * never framing or connection headers: the gateway frames every answer itself, from `bodyLength` (the
   * body's exact length, or -1 when unknown: chunked coding, or until close for HTTP/1.0) and `close`.
   * A body that would overrun or fall short of a declared length cuts the connection instead.
   * `lines`: more headers already serialised ("name: value\r\n" each, names and values checked by the
   * caller), appended after `headers`: constant lines are built once rather than per answer.
   */
  writeHead(status: number, headers: readonly string[], bodyLength: number, close = false, lines = ''): void {
    if (this.headersSent || this.finished) return;
    this.headersSent = true;
    const req = this.req;
    // A client that waits for 100-continue and got a final answer instead may never send its body.
    close ||= !req.keepAlive || this.conn.ctx.closing || (req.expectContinue && !this.continued && !this.conn.parser.done);
    let s = status >= 100 && status <= 999 ? statusLine(status) : `HTTP/1.1 ${status} Unknown\r\n`;
    for (let i = 0; i + 1 < headers.length; i += 2) s += `${headers[i]!}: ${headers[i + 1]!}\r\n`;
    s += `${lines}date: ${httpDate()}\r\n`;
    if (status === 204 || status === 304 || status < 200) {
      this.noBody = true;
    } else if (bodyLength >= 0) {
      s += `content-length: ${bodyLength}\r\n`;
      this.left = this.noBody ? 0 : bodyLength;
    } else if (!this.noBody) {
      if (req.http10) close = true; // the body runs until the connection closes
      else {
        this.chunked = true;
        s += 'transfer-encoding: chunked\r\n';
      }
    }
    s += close ? 'connection: close\r\n\r\n' : this.conn.ctx.keepAliveTail;
    this.closeAfter = close;
    this.head = s;
  }

  /** A piece of the body; false when the socket's buffer is full (wait for onDrain). */
  write(chunk: Buffer): boolean {
    if (this.finished || this.conn.socket.destroyed) return true;
    if (!this.headersSent) this.writeHead(200, [], -1);
    if (this.noBody || chunk.length === 0) return true;
    if (!this.fits(chunk.length)) return true;
    const head = this.head ?? '';
    this.head = null;
    if (this.chunked) return this.conn.send(`${head}${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
    return this.conn.send(head, chunk, '');
  }

  /** Completes the answer (with a last piece of body when given). */
  end(body?: Buffer | string): void {
    if (this.finished) return;
    let b: Buffer | null = body === undefined || this.noBody ? null : typeof body === 'string' ? Buffer.from(body) : body;
    if (b !== null && b.length === 0) b = null;
    if (!this.headersSent) this.writeHead(200, [], b === null ? 0 : b.length);
    if (b !== null && !this.fits(b.length)) return;
    if (this.left > 0) {
      // Shorter than declared: the client would wait for bytes that never come.
      this.destroy();
      return;
    }
    let pre = this.head ?? '';
    this.head = null;
    let post = '';
    if (this.chunked) {
      if (b !== null) {
        pre += `${b.length.toString(16)}\r\n`;
        post = '\r\n0\r\n\r\n';
      } else post = '0\r\n\r\n';
    }
    this.finished = true;
    if (!this.conn.socket.destroyed) this.conn.send(pre, b, post);
    this.conn.responseDone(this);
  }

  /**
   * Takes back a head that has not left yet (nothing of this answer was written), so another answer can
   * replace it; false when bytes are already on their way.
   */
  unsend(): boolean {
    if (this.head === null || this.finished) return false;
    this.head = null;
    this.headersSent = false;
    this.chunked = false;
    this.left = -1;
    this.closeAfter = false;
    this.noBody = this.req.method === 'HEAD';
    return true;
  }

  /** Counts `n` body bytes against a declared length; more than declared cuts the connection. */
  private fits(n: number): boolean {
    if (this.left < 0) return true;
    if (n > this.left) {
      this.destroy();
      return false;
    }
    this.left -= n;
    return true;
  }

  /** Cuts the connection (an answer that cannot be completed honestly). */
  destroy(): void {
    this.finished = true;
    this.conn.socket.destroy();
  }

  onDrain(cb: () => void): void {
    this.conn.socket.once('drain', cb);
  }
}

export class ClientConnection implements RequestSink {
  readonly parser: RequestParser;
  res: ClientResponse | null = null;
  /** When the current request's first byte came (ms), or 0 between requests. */
  requestStart: number;
  idleSince = 0;
  private pending: Buffer | null = null;
  private pendingOff = 0;
  private inPump = false;
  private paused = false;
  /** No more requests on this connection: answered with close, failed, timed out. */
  private ended = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private address: string | undefined | null = null;

  constructor(readonly socket: Socket, readonly ctx: ConnectionContext) {
    this.parser = new RequestParser(this, ctx.maxHeaderBytes);
    this.requestStart = Date.now(); // the first head is due from the moment the client connects
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  /** The peer's address, cached: socket.remoteAddress asks the kernel each time. */
  get remoteAddress(): string | undefined {
    if (this.address === null) this.address = this.socket.remoteAddress;
    return this.address;
  }

  /** Between requests with nothing pending: close() may drop the connection. */
  get idle(): boolean {
    return this.requestStart === 0 && (this.res === null || this.res.finished);
  }

  // --- RequestSink ---

  onHead(head: RequestHead): void {
    const res = new ClientResponse(this, head);
    this.res = res;
    this.ctx.handle(head, res);
  }

  onBody(chunk: Buffer): void {
    const r = this.res;
    if (r !== null && r.body !== null) r.body.data(chunk);
  }

  onMessageEnd(): void {
    this.requestStart = 0;
    this.idleSince = Date.now();
    const r = this.res;
    if (r !== null && r.body !== null) {
      const b = r.body;
      r.body = null;
      b.end();
    }
  }

  // --- writing ---

  /** Writes pre (latin1) + body + post, in one syscall when the body is small. */
  send(pre: string, body: Buffer | null, post: string): boolean {
    const socket = this.socket;
    if (body === null) {
      const s = pre + post;
      return s === '' ? true : socket.write(s, 'latin1');
    }
    if (pre === '' && post === '') return socket.write(body);
    if (body.length > COPY_BODY_MAX) {
      if (pre !== '') socket.write(pre, 'latin1');
      const ok = socket.write(body);
      return post === '' ? ok : socket.write(post, 'latin1');
    }
    const out = Buffer.allocUnsafe(pre.length + body.length + post.length);
    out.write(pre, 0, 'latin1');
    body.copy(out, pre.length);
    if (post !== '') out.write(post, pre.length + body.length, 'latin1');
    return socket.write(out);
  }

  /** The current answer is complete. */
  responseDone(res: ClientResponse): void {
    if (res !== this.res) return;
    if (res.closeAfter) {
      this.endConnection();
      return;
    }
    if (this.parser.done && this.pending !== null) this.pump();
  }

  // --- reading ---

  private onData(chunk: Buffer): void {
    if (this.ended) return; // a connection we ended: the rest is read and dropped
    if (this.pending === null) {
      this.pending = chunk;
      this.pendingOff = 0;
    } else {
      this.pending = Buffer.concat([this.pending.subarray(this.pendingOff), chunk]);
      this.pendingOff = 0;
    }
    this.pump();
  }

  private pump(): void {
    if (this.inPump) return;
    this.inPump = true;
    try {
      while (this.pending !== null && !this.ended) {
        if (this.parser.done) {
          // In order: the next pipelined request waits for the answer to this one.
          if (this.res !== null && !this.res.finished) break;
          this.parser.reset();
          this.res = null;
        }
        if (this.requestStart === 0) this.requestStart = Date.now();
        const buf = this.pending;
        const off = this.parser.execute(buf, this.pendingOff);
        if (off >= buf.length) this.pending = null;
        else this.pendingOff = off;
      }
    } catch (err) {
      if (!(err instanceof RequestParseError)) throw err;
      this.fail(err.status, err.code);
    } finally {
      this.inPump = false;
    }
    const held = this.pending === null ? 0 : this.pending.length - this.pendingOff;
    if (held > PENDING_MAX && !this.ended) {
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
      }
    } else if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  // --- ending ---

  /** A malformed request (400/431) or a slow one (408): answer when nothing was written yet, then close. */
  fail(status: number, code: string): void {
    if (this.ended) return;
    this.ctx.clientError(code);
    const r = this.res;
    const answered = r !== null && r.headersSent;
    if (r !== null) r.finished = true;
    if (answered || this.socket.destroyed) {
      this.ended = true;
      this.socket.destroy();
      return;
    }
    this.socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, 'latin1');
    this.endConnection();
  }

  /** Checked every second by the server: slow heads, slow bodies, idle keep-alive connections. */
  check(now: number, headersTimeoutMs: number, requestTimeoutMs: number, keepAliveTimeoutMs: number): void {
    if (this.ended) return;
    if (this.requestStart > 0) {
      const age = now - this.requestStart;
      if ((!this.parser.headDone && age > headersTimeoutMs) || age > requestTimeoutMs) this.fail(408, 'ERR_HTTP_REQUEST_TIMEOUT');
    } else if (this.idle && now - this.idleSince > keepAliveTimeoutMs) {
      this.destroy();
    }
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private endConnection(): void {
    if (this.ended && this.lingerTimer !== null) return;
    this.ended = true;
    this.pending = null;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.socket.end();
    // Keep reading (and dropping) what the client still sends so it sees our answer, not a reset;
    // but not for long.
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  private onClose(): void {
    this.ended = true;
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.ctx.forget(this);
    const r = this.res;
    if (r !== null) {
      r.body = null;
      const l = r.listener;
      r.listener = null;
      r.finished = true;
      if (l !== null) l.clientClosed();
    }
  }
}
