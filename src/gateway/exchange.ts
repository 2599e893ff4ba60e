// One live request's trip through the gateway once routed and admitted: wait for an instance, send the
// buffered body, stream the instance's answer back, and turn every failure into the status docs/compatibility.md, "Scoring" names.
// The object is also the upstream handler and the upstream request (upstream-connection.ts), so a
// request costs one object and one timer.
import type { ClientResponse } from './client-connection.js';
import type { DeploymentPool, Waiter } from './pool.js';
import { NO_INSTANCE, QUEUED } from './pool.js';
import { headersTowardsClient } from './forwarded-headers.js';
import { ResponseParseError } from './response-parser.js';
import { modelErrorHeaders, sendError, type AnswerIds } from './responses.js';
import type { Upstream } from './upstream.js';
import type { LiveSide } from './pairing.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-connection.js';

/** Status recorded when the client left before its answer (nginx's convention; never sent). */
export const CLIENT_CLOSED = 499;

const enum Phase {
  /** Reading the client's body. */
  Body,
  /** Queued for an instance, or sent and waiting for the instance's status line. */
  Waiting,
  /** Streaming the instance's answer to the client. */
  Streaming,
  /** The client's answer is complete (or abandoned); only clean-up remains. */
  Done,
}

/**
 * Errors that prove the request never reached the instance, given that onConnect was never called (it
 * is called right before the first byte is written): the connection failed or died before use.
 */
function neverSent(err: Error & { code?: string }): boolean {
  switch (err.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UPSTREAM_CLOSED':
    case 'UPSTREAM_CONNECT_TIMEOUT':
      return true;
    default:
      return false;
  }
}

function refusedConnection(err: Error & { code?: string }): boolean {
  return err.code === 'ECONNREFUSED' || err.code === 'UPSTREAM_CONNECT_TIMEOUT' || err.code === 'EHOSTUNREACH';
}

function onTimeout(ex: Exchange): void {
  ex.timeout();
}

export type ExchangeKind = 'score' | 'swagger';

export class Exchange implements UpstreamHandler, UpstreamRequest, Waiter {
  tried: Upstream[] | null = null;
  body: Buffer | null = null;
  /** Set when the request is copied to a shadow whose answer is compared with this one (pairing.ts). */
  live: LiveSide | null = null;
  private phase = Phase.Body;
  private upstream: Upstream | null = null;
  private abortUpstream: ((err?: Error) => void) | null = null;
  private connected = false;
  private queued = false;
  private timer: NodeJS.Timeout | null = null;
  private resumeUpstream: (() => void) | null = null;
  private waitingDrain = false;
  private status = 0;
  private answeredAt = 0;
  private settled = false;

  constructor(
    readonly res: ClientResponse,
    readonly pool: DeploymentPool,
    readonly ids: AnswerIds,
    readonly method: 'POST' | 'GET',
    readonly path: string,
    readonly headers: string[],
    readonly kind: ExchangeKind,
    readonly startedAt: number,
  ) {}

  /** The body is in: start the request_timeout_ms clock and find an instance. */
  start(body: Buffer | null): void {
    if (this.phase !== Phase.Body) return;
    this.body = body;
    this.phase = Phase.Waiting;
    this.timer = setTimeout(onTimeout, this.pool.route.requestTimeoutMs, this);
    this.acquire();
  }

  /** Ends a request that never got to start (bad body, client gone while uploading). */
  abandon(status: number): void {
    if (this.phase !== Phase.Body) return;
    this.answer(status);
    this.settle();
  }

  // --- Waiter (pool.ts) ---

  grant(u: Upstream): void {
    this.queued = false;
    if (this.phase !== Phase.Waiting) {
      this.pool.release(u);
      return;
    }
    this.send(u);
  }

  noInstance(): void {
    this.queued = false;
    if (this.phase !== Phase.Waiting) return;
    const refused = this.tried !== null;
    sendError(
      this.res, 424, 'NoHealthyInstance',
      refused
        ? `No instance of deployment '${this.pool.route.name}' accepted a connection.`
        : `Deployment '${this.pool.route.name}' has no healthy instance.`,
      this.ids, modelErrorHeaders(503, refused ? 'instance_unreachable' : 'no_healthy_instance'),
    );
    this.answer(424);
    this.settle();
  }

  // --- UpstreamHandler ---

  onConnect(abort: (err?: Error) => void): void {
    this.connected = true;
    this.abortUpstream = abort;
    // Timed out or the client left while the connection was being made: do not send at all.
    if (this.phase === Phase.Done) abort();
  }

  onHeaders(statusCode: number, upstreamHeaders: string[], resume: () => void, bodyLength: number): boolean {
    if (this.phase !== Phase.Waiting) {
      this.abortUpstream?.();
      return false;
    }
    if (statusCode < 200) return true; // 1xx informational: the final status follows
    if (this.live !== null) this.live.onStatus(statusCode);
    const ok = (statusCode >= 200 && statusCode < 300) || this.kind === 'swagger';
    const out: string[] = [];
    headersTowardsClient(upstreamHeaders, out);
    // The gateway's own lines: the deployment's is serialised once per pool (pool.ts).
    let lines = `${this.pool.deploymentLine}x-request-id: ${this.ids.requestId}\r\n`;
    if (this.ids.clientRequestId !== undefined) lines += `x-ms-client-request-id: ${this.ids.clientRequestId}\r\n`;
    if (!ok) lines += `ms-azureml-model-error-statuscode: ${statusCode}\r\nms-azureml-model-error-reason: model_error\r\n`;
    this.phase = Phase.Streaming;
    this.resumeUpstream = resume;
    this.status = ok ? statusCode : 424;
    // Framed from the parser's decision (bodyLength), never from the instance's own framing headers.
    this.res.writeHead(this.status, out, bodyLength, false, lines);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.phase !== Phase.Streaming) return true;
    if (this.live !== null) this.live.onData(chunk);
    if (this.res.write(chunk)) return true;
    // The client reads slower than the instance writes: pause the instance until the socket drains.
    // (A closure only on this slow path; the connection ignores a resume once this response is over.)
    if (!this.waitingDrain) {
      this.waitingDrain = true;
      this.res.onDrain(() => {
        this.waitingDrain = false;
        this.resumeUpstream?.();
      });
    }
    return false;
  }

  onComplete(): void {
    const u = this.upstream;
    this.upstream = null;
    if (this.phase === Phase.Streaming) {
      this.res.end();
      this.answer(this.status);
    }
    if (u !== null) this.pool.release(u);
    this.settle();
  }

  onError(err: Error): void {
    const u = this.upstream;
    this.upstream = null;
    if (u !== null) this.pool.release(u);
    if (this.phase === Phase.Waiting && !this.connected && u !== null && neverSent(err)) {
      // Provably never reached the instance: safe to try another one (never the same twice).
      if (refusedConnection(err)) u.markRefused(Date.now());
      (this.tried ??= []).push(u);
      this.acquire();
      return;
    }
    // A malformed answer found before any of it reached the client (a bad first chunk) is still a 424.
    if (this.phase === Phase.Streaming && err instanceof ResponseParseError && this.res.unsend()) this.phase = Phase.Waiting;
    if (this.phase === Phase.Waiting && err instanceof ResponseParseError) {
      // An answer the gateway cannot frame safely (conflicting lengths, forged header lines...).
      sendError(
        this.res, 424, 'ModelError',
        `The instance of deployment '${this.pool.route.name}' sent an answer the gateway refuses to pass on (${err.fault}: ${err.message}).`,
        this.ids, modelErrorHeaders(502, 'invalid_response'),
      );
      this.answer(424);
    } else if (this.phase === Phase.Waiting) {
      const code = (err as { code?: string }).code ?? 'error';
      sendError(
        this.res, 424, 'ModelError',
        `The instance of deployment '${this.pool.route.name}' failed before answering (${code}).`,
        this.ids, modelErrorHeaders(502, 'instance_connection_error'),
      );
      this.answer(424);
    } else if (this.phase === Phase.Streaming) {
      // The status line is gone already; cutting the connection is the only honest signal left.
      this.res.destroy();
      this.answer(this.status, false);
    }
    this.settle();
  }

  // --- timeouts and client departure ---

  timeout(): void {
    this.timer = null;
    if (this.phase === Phase.Waiting) {
      if (this.queued) {
        this.pool.cancel(this);
        this.queued = false;
      }
      sendError(
        this.res, 408, 'RequestTimeout',
        `Deployment '${this.pool.route.name}' did not answer within request_timeout_ms (${this.pool.route.requestTimeoutMs} ms).`,
        this.ids,
      );
      this.answer(408);
    } else if (this.phase === Phase.Streaming) {
      this.res.destroy();
      this.answer(408, false);
    } else {
      return;
    }
    // Frees the instance now; the connection reports the abort through onError, which settles.
    if (this.abortUpstream !== null) this.abortUpstream();
    this.settle();
  }

  /** The client's connection closed: before its answer was complete, stop working for it. */
  clientClosed(): void {
    if (this.phase === Phase.Done) return;
    if (this.phase === Phase.Body) {
      this.abandon(CLIENT_CLOSED);
      return;
    }
    if (this.queued) {
      this.pool.cancel(this);
      this.queued = false;
    }
    this.answer(this.phase === Phase.Streaming ? this.status : CLIENT_CLOSED, false);
    if (this.abortUpstream !== null) this.abortUpstream();
    this.settle();
  }

  // --- internals ---

  private acquire(): void {
    const r = this.pool.acquire(this);
    if (r === QUEUED) this.queued = true;
    else if (r === NO_INSTANCE) this.noInstance();
    else this.send(r);
  }

  private send(u: Upstream): void {
    this.upstream = u;
    this.connected = false;
    this.abortUpstream = null;
    u.dispatch(this, this);
  }

  /** `complete`: the client got a whole answer (an error answer included); false when it was cut. */
  private answer(status: number, complete = true): void {
    this.phase = Phase.Done;
    this.status = status;
    this.answeredAt = performance.now();
    if (this.live !== null) this.live.finish(status, this.answeredAt - this.startedAt, complete);
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Accounting, once, when the client has its answer and no instance slot is held any more. */
  private settle(): void {
    if (this.settled || this.phase !== Phase.Done || this.upstream !== null) return;
    this.settled = true;
    this.pool.leave();
    this.pool.stats.countLive(this.status, (this.answeredAt - this.startedAt) / 1000);
  }
}
