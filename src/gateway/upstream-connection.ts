// One keep-alive HTTP/1.1 connection to an instance, carrying one request at a time (no pipelining: a
// slow answer must not hold up the next request). Hand-written over node:net with response-parser.ts
// because the gateway needs only this much of HTTP and it costs far less CPU per request than a general
// client. The handler interface mirrors undici's dispatch callbacks: onConnect is called right before
// the first byte is written, so a handler that sees an error without onConnect knows the request was
// never sent (safe to retry elsewhere).
import { connect, type Socket } from 'node:net';
import { ResponseParser, type ResponseSink } from './response-parser.js';

export interface UpstreamRequest {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  /** Flat [name, value, ...]; never Host, Content-Length or hop-by-hop headers. */
  readonly headers: readonly string[];
  readonly body: Buffer | null;
}

export interface UpstreamHandler {
  /** The request is about to be written; abort() cancels it (then onError follows). */
  onConnect(abort: (err?: Error) => void): void;
  /**
   * Final status and headers (validated: token names, no control characters in values); return false
   * to pause until resume(). `bodyLength` is the parser's framing decision (response-parser.ts).
   */
  onHeaders(statusCode: number, headers: string[], resume: () => void, bodyLength: number): boolean;
  /** A piece of the (de-chunked) body; return false to pause until resume(). */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/** Stable codes of the errors this module raises (network errors keep Node's codes: ECONNREFUSED...). */
export type UpstreamErrorCode = 'UPSTREAM_CONNECT_TIMEOUT' | 'UPSTREAM_CLOSED' | 'UPSTREAM_ABORTED' | 'UPSTREAM_BAD_RESPONSE';

export function upstreamError(code: UpstreamErrorCode, message: string): Error & { code: UpstreamErrorCode } {
  return Object.assign(new Error(message), { code });
}

/** Bodies up to this size are copied behind the head and written in one syscall. */
const COPY_BODY_MAX = 16 * 1024;
const CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_IDLE_MS = 4_000;

/** What a connection needs from the upstream that owns it. */
export interface ConnectionOwner {
  readonly hostname: string;
  readonly port: number;
  /** Host header value. */
  readonly authority: string;
  /** The instance-secret header line (with CRLF), or ''. */
  readonly secretHeader: string;
  /** The connection finished a response and may be reused (or is dropped when `reusable` is false). */
  released(conn: UpstreamConnection, reusable: boolean): void;
  /** The connection is gone (closed or failed). */
  lost(conn: UpstreamConnection): void;
}

export class UpstreamConnection implements ResponseSink {
  readonly socket: Socket;
  idleSince = 0;
  /** How long this connection may sit idle before it is not trusted any more (server hint − 1 s). */
  idleMs = DEFAULT_IDLE_MS;
  private readonly parser = new ResponseParser(this);
  private handler: UpstreamHandler | null = null;
  private pending: UpstreamRequest | null = null;
  private connected = false;
  private connectTimer: NodeJS.Timeout | null = null;
  private finished: UpstreamHandler | null = null;
  /** The handler that paused the socket (backpressure), until it resumes or its response ends. */
  private pausedBy: UpstreamHandler | null = null;
  private gone = false;

  constructor(private readonly owner: ConnectionOwner) {
    const socket = connect({ host: owner.hostname, port: owner.port, noDelay: true });
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (!this.connected) this.fail(upstreamError('UPSTREAM_CONNECT_TIMEOUT', `connecting to ${owner.authority} took over ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.on('connect', () => {
      this.connected = true;
      if (this.connectTimer !== null) {
        clearTimeout(this.connectTimer);
        this.connectTimer = null;
      }
      const req = this.pending;
      this.pending = null;
      if (req !== null && this.handler !== null) this.write(req);
    });
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.onSocketClose());
  }

  /** True when an idle connection can take a request now. */
  usable(now: number): boolean {
    return !this.gone && !this.socket.destroyed && now - this.idleSince < this.idleMs;
  }

  send(req: UpstreamRequest, handler: UpstreamHandler): void {
    this.handler = handler;
    this.parser.reset(false);
    if (this.connected) this.write(req);
    else this.pending = req;
  }

  destroy(): void {
    this.gone = true;
    this.socket.destroy();
  }

  // --- ResponseSink ---

  onHead(status: number, headers: string[], bodyLength: number): void {
    const h = this.handler;
    if (h !== null && h.onHeaders(status, headers, this.resume, bodyLength) === false) this.pause(h);
  }

  onBody(chunk: Buffer): void {
    const h = this.handler;
    if (h !== null && h.onData(chunk) === false) this.pause(h);
  }

  onEnd(): void {
    // Completion is reported after execute() returns, once we know whether bytes were left over.
    this.finished = this.handler;
    this.handler = null;
  }

  // --- internals ---

  private pause(h: UpstreamHandler): void {
    this.pausedBy = h;
    this.socket.pause();
  }

  /** Only the handler that paused may resume, and only while its response runs. */
  private readonly resume = (): void => {
    if (this.pausedBy !== null && this.pausedBy === this.handler) {
      this.pausedBy = null;
      this.socket.resume();
    }
  };

  private readonly abort = (err?: Error): void => {
    if (this.handler === null) return;
    this.fail(err ?? upstreamError('UPSTREAM_ABORTED', 'request aborted by the gateway'));
  };

  private write(req: UpstreamRequest): void {
    const h = this.handler!;
    h.onConnect(this.abort);
    if (this.handler !== h) return; // aborted inside onConnect
    let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${this.owner.authority}\r\n${this.owner.secretHeader}`;
    const hs = req.headers;
    for (let i = 0; i + 1 < hs.length; i += 2) head += `${hs[i]}: ${hs[i + 1]}\r\n`;
    const body = req.body;
    if (req.method === 'POST' || (body !== null && body.length > 0)) head += `content-length: ${body === null ? 0 : body.length}\r\n`;
    head += '\r\n';
    const socket = this.socket;
    if (body === null || body.length === 0) {
      socket.write(head, 'latin1');
    } else if (body.length <= COPY_BODY_MAX) {
      const headLen = Buffer.byteLength(head, 'latin1');
      const out = Buffer.allocUnsafe(headLen + body.length);
      out.write(head, 0, 'latin1');
      body.copy(out, headLen);
      socket.write(out);
    } else {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    }
  }

  private onSocketData(chunk: Buffer): void {
    if (this.handler === null) {
      // Bytes nobody asked for (an idle connection, or after an abort): the stream is out of step.
      this.destroy();
      return;
    }
    let consumed: number;
    try {
      consumed = this.parser.execute(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    const done = this.finished;
    if (done !== null) {
      this.finished = null;
      // The last piece may have paused the socket: the response is complete, so the connection must
      // not go back to the idle list paused (the next request would never hear its answer).
      if (this.pausedBy !== null) {
        this.pausedBy = null;
        this.socket.resume();
      }
      const hint = this.parser.keepAliveHint;
      if (hint > 0) this.idleMs = Math.max(1_000, Math.min(hint * 1000 - 1000, 60_000));
      const reusable = this.parser.keepAlive && consumed === chunk.length;
      if (!reusable) this.destroy();
      this.owner.released(this, reusable);
      done.onComplete();
    }
  }

  private onSocketClose(): void {
    this.gone = true;
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    if (this.handler !== null && this.parser.readsUntilClose) {
      // A close-delimited body ends here.
      this.parser.finish();
      const done = this.finished;
      this.finished = null;
      this.owner.released(this, false);
      done?.onComplete();
      return;
    }
    this.fail(upstreamError('UPSTREAM_CLOSED', `${this.owner.authority} closed the connection before answering`));
    this.owner.lost(this);
  }

  private fail(err: Error): void {
    this.gone = true;
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    const h = this.handler;
    this.handler = null;
    this.pending = null;
    this.socket.destroy();
    if (h !== null) h.onError(err);
  }
}
