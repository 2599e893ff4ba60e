// The gateway's HTTP server: hand-written on node:net (client-connection.ts, request-parser.ts), no
// framework, for the scoring hot path.
//   POST /endpoints/:name/score[/][?query]   → the routed deployment's scorePath (query kept)
//   GET  /endpoints/:name/swagger.json       → the live route's swaggerPath (same auth)
//   GET  /healthz                            → 200 while the server runs
// Order per request: endpoint (404) → public_network_access (403) → auth (401; 429 past the source's
// failure limit) → route (404) → size (413) → admission (429) → body → instance (queue, 408, 424) →
// answer; mirror copies leave once the body is in. The listener closes connections past maxConnections.
// It runs inside the gateway's worker thread (worker.ts); nothing here logs per request.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AuthFailureLimiter } from '../control/auth-failure-limiter.js';
import { createServer as createTlsServer } from 'node:tls';
import { authorize, challengeFor } from './auth.js';
import { ClientConnection, type BodyReader, type ClientResponse, type ConnectionContext } from './client-connection.js';
import { Exchange, type ExchangeKind } from './exchange.js';
import { headersTowardsInstance } from './forwarded-headers.js';
import { trimOws } from './http-syntax.js';
import { MirrorDispatcher, type MirrorLane } from './mirror.js';
import { Pairing } from './pairing.js';
import { DEFAULT_SHED, LoadShed } from './load-shed.js';
import { clientRequestIdOf, requestIdOf } from './request-ids.js';
import type { RequestHead } from './request-parser.js';
import { errorBody, sendError, type AnswerIds } from './responses.js';
import { route } from './route.js';
import { stickyDraw } from './route-sticky.js';
import type { RoutingState } from './routing-state.js';
import type { DeploymentStats } from './stats.js';

export interface GatewayLimits {
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Largest request head (request line and headers): 431 above. */
  maxHeaderBytes: number;
  /** Time a client has to send its request head. */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request (slow uploads). */
  requestTimeoutMs: number;
  /** Idle time before a client's keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** Mirror copies are shed while the worker's event-loop utilization is above this (0..1; 0: never). */
  shedUtilization?: number;
  /** Mirror copies are shed while the event loop is delayed more than this on average (ms; 0: never). */
  shedLoopDelayMs?: number;
  /** Mirror copies are shed while more live requests than this wait for an instance (0: never). */
  shedQueuedRequests?: number;
  /** Most open client connections; more are closed as soon as they are accepted (settings.ts sizes it). */
  maxConnections: number;
  /** Failed authentications one source (IPv4 address, IPv6 /64) may make per window before 429; 0: no limit. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Sources the failed-authentication limiter remembers at once (bounded memory). */
  authFailureSources: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 64 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 10_000,
  authFailureLimit: 60,
  authFailureWindowMs: 60_000,
  authFailureSources: 10_000,
};

const PREFIX = '/endpoints/';
const HEALTHZ_BODY = Buffer.from('{"status":"Healthy"}');

export interface GatewayServer {
  readonly server: Server;
  /** A fault of the gateway's own code while handling a request (answered 500). */
  onFault: (err: Error) => void;
  /** A malformed or slow client (answered 400/431/408 and disconnected). */
  onClientError: (code: string) => void;
  /** A connection was closed on arrival: `maxConnections` were open. */
  onConnectionDropped: () => void;
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, waits (bounded) for admitted requests to finish, closes connections. */
  close(timeoutMs: number): Promise<void>;
}

/** A copy to make once the body is in: the shadow's lane, and the rule that asked for it. */
export interface CopyTarget {
  lane: MirrorLane;
  kind: 'mirror' | 'shadow' | 'noise';
}

/**
 * `tls`: certificate and key to answer HTTPS (node:tls around the same connection handler: the TLS
 * socket is a net.Socket to ClientConnection); without it, plain HTTP.
 */
export function createGatewayServer(state: RoutingState, limits: GatewayLimits, pairing: Pairing = new Pairing(null), tls?: { cert: string; key: string }): GatewayServer {
  const mirror = new MirrorDispatcher();
  // Touched only when authentication fails: a valid credential never pays for it.
  const authFailures = limits.authFailureLimit > 0
    ? new AuthFailureLimiter({ limit: limits.authFailureLimit, windowMs: limits.authFailureWindowMs, maxSources: limits.authFailureSources })
    : null;
  const bodyLimit = limits.maxBodyBytes;
  // Copies yield first when the gateway is busy (load-shed.ts); dropped as 'busy' and counted.
  const shed = new LoadShed({
    utilization: limits.shedUtilization ?? DEFAULT_SHED.utilization,
    loopDelayMs: limits.shedLoopDelayMs ?? DEFAULT_SHED.loopDelayMs,
    queuedRequests: limits.shedQueuedRequests ?? DEFAULT_SHED.queuedRequests,
  }, () => state.liveQueued());
  state.shed = shed.check;

  const handle = (req: RequestHead, res: ClientResponse): void => {
    const url = req.url;
    const headers = req.headers;
    const ids: AnswerIds = {
      requestId: requestIdOf(headers['x-request-id']),
      clientRequestId: clientRequestIdOf(headers['x-ms-client-request-id']),
      deployment: undefined,
    };

    if (!url.startsWith(PREFIX)) {
      if ((url === '/healthz' || url.startsWith('/healthz?')) && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, ['content-type', 'application/json', 'x-request-id', ids.requestId], HEALTHZ_BODY.length);
        res.end(req.method === 'HEAD' ? undefined : HEALTHZ_BODY);
        return;
      }
      state.unknownEndpointStats.countLive(404, -1);
      sendError(res, 404, 'NotFound', `No route for ${req.method} ${url.split('?')[0]}. Score with POST /endpoints/<name>/score.`, ids);
      return;
    }

    // /endpoints/<name>/<action>[/][?query]
    const nameEnd = url.indexOf('/', PREFIX.length);
    const q = url.indexOf('?');
    const pathEnd = q < 0 ? url.length : q;
    const name = nameEnd < 0 || nameEnd > pathEnd ? url.slice(PREFIX.length, pathEnd) : url.slice(PREFIX.length, nameEnd);
    let action = nameEnd < 0 || nameEnd > pathEnd ? '' : url.slice(nameEnd + 1, pathEnd);
    if (action.endsWith('/')) action = action.slice(0, -1);
    const query = q < 0 ? '' : url.slice(q);

    const table = state.current;
    const ep = table.endpoints.get(name) ?? table.endpointsLower.get(name.toLowerCase());
    if (ep === undefined) {
      state.unknownEndpointStats.countLive(404, -1);
      sendError(res, 404, 'EndpointNotFound', `Endpoint '${name}' does not exist.`, ids);
      return;
    }

    if (ep.privateOnly && !isLoopback(res.remoteAddress)) {
      ep.stats.countLive(403, -1);
      sendError(res, 403, 'PublicNetworkAccessDisabled', `Endpoint '${ep.route.name}' has public_network_access: disabled; it answers only on this machine (loopback).`, ids);
      return;
    }

    let kind: ExchangeKind;
    if (action === 'score') {
      if (req.method !== 'POST') return methodNotAllowed(res, ep.stats, ids, 'POST');
      kind = 'score';
    } else if (action === 'swagger.json') {
      if (req.method !== 'GET') return methodNotAllowed(res, ep.stats, ids, 'GET');
      kind = 'swagger';
    } else {
      ep.stats.countLive(404, -1);
      sendError(res, 404, 'NotFound', `No route '${action}' on endpoint '${ep.route.name}'. Use /score or /swagger.json.`, ids);
      return;
    }

    const verdict = authorize(ep.auth, headers.authorization);
    if (verdict !== 'ok') {
      const limited = authFailures?.fail(res.remoteAddress);
      if (limited?.limited) {
        ep.stats.countLive(429, -1);
        sendError(res, 429, 'TooManyRequests', `Too many failed authentications from this address; retry in ${limited.retryAfterSeconds} s.`, ids, ['retry-after', String(limited.retryAfterSeconds)]);
        return;
      }
      ep.stats.countLive(401, -1);
      sendError(
        res, 401, 'Unauthorized',
        verdict === 'missing'
          ? `Endpoint '${ep.route.name}' needs a credential: Authorization: Bearer <key or token>.`
          : `The credential for endpoint '${ep.route.name}' is wrong or expired.`,
        ids, ['www-authenticate', challengeFor(verdict)],
      );
      return;
    }

    const requested = headers['azureml-model-deployment'];
    const named = typeof requested === 'string' ? trimOws(requested) : undefined;
    let split = ep.split;
    if (ep.stickyHeader !== null) {
      // Sticky split (extension): the header's value picks the deployment; without it, the ordinary split.
      const key = headers[ep.stickyHeader];
      if (typeof key === 'string' && key !== '') {
        const x = stickyDraw(ep.route.traffic, key);
        split = () => x;
      }
    }
    const r = route(ep.route, named, split, ep.mirrorDraw);
    if (r.error !== undefined) {
      ep.stats.countLive(404, -1);
      if (r.error === 'NoTraffic') {
        sendError(res, 404, 'NoTraffic', `Endpoint '${ep.route.name}' has no deployment with traffic. Set traffic, or name a deployment in the azureml-model-deployment header.`, ids);
      } else {
        sendError(res, 404, 'DeploymentNotFound', `Endpoint '${ep.route.name}' has no deployment '${String(requested)}'.`, ids);
      }
      return;
    }

    const live = r.live;
    ids.deployment = live.name;
    const pool = ep.pools.get(live.name);
    if (pool === undefined) {
      // The snapshot names a deployment it carries no pool for: a platform fault, not the client's.
      ep.stats.countLive(500, -1);
      sendError(res, 500, 'Internal', `Deployment '${live.name}' has no instance pool.`, ids);
      return;
    }

    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > bodyLimit) {
      pool.stats.countLive(413, -1);
      sendError(res, 413, 'PayloadTooLarge', `The request body (${declared} bytes) exceeds the limit of ${bodyLimit} bytes.`, ids, undefined, true);
      return;
    }

    if (pool.instances.length === 0) {
      pool.stats.countLive(424, -1);
      sendError(res, 424, 'NoHealthyInstance', `Deployment '${live.name}' has no healthy instance.`, ids, ['ms-azureml-model-error-statuscode', '503', 'ms-azureml-model-error-reason', 'no_healthy_instance']);
      return;
    }
    if (!pool.admit()) {
      pool.stats.countLive(429, -1);
      sendError(res, 429, 'TooManyRequests', `Deployment '${live.name}' has ${pool.inFlight} requests in flight, its limit (2 × max_concurrent_requests_per_instance × instance_count).`, ids);
      return;
    }

    const path = kind === 'score' ? live.scorePath + query : live.swaggerPath;
    const ex = new Exchange(res, pool, ids, kind === 'score' ? 'POST' : 'GET', path, headersTowardsInstance(headers, ids.requestId, req.names), kind, performance.now());
    res.listener = ex;
    let copies: CopyTarget[] | null = null;
    if (kind === 'score' && (named === undefined || named === '')) {
      if (r.mirror !== null && ep.mirrorLane !== null) copies = [{ lane: ep.mirrorLane, kind: 'mirror' }];
      // Shadows (extension): each sampled on its own; never a copy to the deployment that answers.
      const shadows = ep.shadowLanes;
      for (let i = 0; i < shadows.length; i++) {
        const s = shadows[i]!;
        if (s.lane.route.name === live.name) continue;
        if (s.draw.take(s.percent)) (copies ??= []).push({ lane: s.lane, kind: 'shadow' });
      }
      // Noise calibration: some compared requests also go to the live deployment itself.
      if (copies !== null && ep.calibratePercent > 0 && ep.calibrateDraw.take(ep.calibratePercent)) {
        const lane = ep.calibrationLanes.get(live.name);
        if (lane !== undefined) copies.push({ lane, kind: 'noise' });
      }
    }
    res.body = new BodyBuffer(res, ex, bodyLimit, copies, query, mirror, pairing);
    res.continue();
  };

  const connections = new Set<ClientConnection>();
  let closing = false;
  const gateway: GatewayServer = {
    server: null as unknown as Server,
    onFault: () => {},
    onClientError: () => {},
    onConnectionDropped: () => {},
    listen: (host, port) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: async (timeoutMs) => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const closeIdle = (): void => {
        for (const c of connections) if (c.idle) c.destroy();
      };
      closeIdle();
      const deadline = Date.now() + timeoutMs;
      while (state.inFlight() > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        closeIdle();
      }
      for (const c of connections) c.destroy();
      clearInterval(checker);
      shed.close();
      await closed;
    },
  };

  const ctx: ConnectionContext = {
    maxHeaderBytes: limits.maxHeaderBytes,
    keepAliveTail: `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(limits.keepAliveTimeoutMs / 1000)}\r\n\r\n`,
    get closing() {
      return closing;
    },
    handle: (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        // A bug of ours: answer 500 rather than leave the client hanging.
        if (!res.headersSent) {
          const body = Buffer.from(errorBody('Internal', `The gateway failed: ${(err as Error).message}`));
          res.writeHead(500, ['content-type', 'application/json'], body.length);
          res.end(body);
        } else {
          res.destroy();
        }
        gateway.onFault(err as Error);
      }
    },
    clientError: (code) => gateway.onClientError(code),
    forget: (c) => connections.delete(c),
  };

  const onConnection = (socket: Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    if (tls) socket.setNoDelay(true);
    connections.add(new ClientConnection(socket, ctx));
  };
  // A TLS handshake must finish within the head's time limit too (slow handshakes hold connections).
  const server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: limits.headersTimeoutMs }, onConnection)
    : createServer({ noDelay: true }, onConnection);
  (gateway as { server: Server }).server = server;
  // Past the cap, node closes a new connection before it becomes a socket: cheap under a flood, and
  // the file descriptors left keep the control plane (same process) reachable.
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => gateway.onConnectionDropped());

  // Slow clients are checked every second (head, whole request, keep-alive idle time).
  const checker = setInterval(() => {
    const now = Date.now();
    for (const c of connections) c.check(now, limits.headersTimeoutMs, limits.requestTimeoutMs, limits.keepAliveTimeoutMs);
  }, 1_000);
  checker.unref();

  return gateway;
}

/** Loopback sources: what `public_network_access: disabled` lets through (IPv4 127/8, ::1, v4-mapped). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

function methodNotAllowed(res: ClientResponse, stats: DeploymentStats, ids: AnswerIds, allow: string): void {
  stats.countLive(405, -1);
  sendError(res, 405, 'MethodNotAllowed', `Use ${allow} on this route.`, ids, ['allow', allow]);
}

/**
 * Buffers the body (needed to retry on another instance and to mirror it), enforcing the size limit
 * while it streams in, then starts the exchange and hands the mirror its copy.
 */
class BodyBuffer implements BodyReader {
  private first: Buffer | null = null;
  private chunks: Buffer[] | null = null;
  private size = 0;
  private failed = false;

  constructor(
    private readonly res: ClientResponse,
    private readonly ex: Exchange,
    private readonly limit: number,
    private readonly copies: CopyTarget[] | null,
    private readonly query: string,
    private readonly mirror: MirrorDispatcher,
    private readonly pairing: Pairing,
  ) {}

  data(chunk: Buffer): void {
    if (this.failed) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.failed = true;
      this.first = null;
      this.chunks = null;
      sendError(this.res, 413, 'PayloadTooLarge', `The request body exceeds the limit of ${this.limit} bytes.`, this.ex.ids, undefined, true);
      this.ex.abandon(413);
      return;
    }
    if (this.first === null) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
  }

  end(): void {
    if (this.failed) return;
    const body = this.chunks !== null ? Buffer.concat(this.chunks, this.size) : this.first;
    const ex = this.ex;
    const copies = this.copies;
    if (copies === null) {
      ex.start(body);
      return;
    }
    // The live side is attached before the exchange starts (it may answer at once: 424 no instance).
    const live = this.pairing.liveSide(ex.pool.stats.endpoint, ex.pool.route.name, ex.ids.requestId, body);
    const pairs = copies.map((c) => live?.pairFor(c.lane.route.name, c.kind) ?? null);
    if (pairs.some((p) => p !== null)) ex.live = live;
    ex.start(body);
    // After the live request is on its way; the dispatcher defers each copy to the next loop turn.
    for (let i = 0; i < copies.length; i++) {
      const lane = copies[i]!.lane;
      this.mirror.copy(lane, { method: 'POST', path: lane.route.scorePath + this.query, headers: ex.headers, body, pair: pairs[i]! });
    }
  }
}
