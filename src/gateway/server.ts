// The gateway's HTTP server: hand-written on node:http, no framework, for the scoring hot path.
//   POST /endpoints/:name/score[/][?query]   → the routed deployment's scorePath (query kept)
//   GET  /endpoints/:name/swagger.json       → the live route's swaggerPath (same auth)
//   GET  /healthz                            → 200 while the server runs
// Order per request: endpoint (404) → auth (401) → route (404) → size (413) → admission (429) →
// body → instance (queue, 408, 424) → answer; mirror copies leave once the body is in.
// It runs inside the gateway's worker thread (worker.ts); nothing here logs per request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, challengeFor } from './auth.js';
import { CLIENT_CLOSED, Exchange, type ExchangeKind } from './exchange.js';
import { headersTowardsInstance } from './forwarded-headers.js';
import { MirrorDispatcher, type MirrorLane } from './mirror.js';
import { clientRequestIdOf, requestIdOf } from './request-ids.js';
import { errorBody, sendError, type AnswerIds } from './responses.js';
import { route } from './route.js';
import type { RoutingState, EndpointState } from './routing-state.js';
import type { DeploymentStats } from './stats.js';

export interface GatewayLimits {
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Node's maxHeaderSize: larger request heads get 431 from Node itself. */
  maxHeaderBytes: number;
  /** Time a client has to send its request head. */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request (slow uploads). */
  requestTimeoutMs: number;
  /** Idle time before a client's keep-alive connection is closed. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 64 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 65_000,
};

const PREFIX = '/endpoints/';
const HEALTHZ_BODY = Buffer.from('{"status":"Healthy"}');

export interface GatewayServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, waits (bounded) for admitted requests to finish, closes connections. */
  close(timeoutMs: number): Promise<void>;
}

export function createGatewayServer(state: RoutingState, limits: GatewayLimits): GatewayServer {
  const mirror = new MirrorDispatcher();
  const bodyLimit = limits.maxBodyBytes;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const headers = req.headers;
    const ids: AnswerIds = {
      requestId: requestIdOf(headers['x-request-id']),
      clientRequestId: clientRequestIdOf(headers['x-ms-client-request-id']),
      deployment: undefined,
    };

    if (!url.startsWith(PREFIX)) {
      if ((url === '/healthz' || url.startsWith('/healthz?')) && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, ['content-type', 'application/json', 'content-length', String(HEALTHZ_BODY.length), 'x-request-id', ids.requestId]);
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
    const r = route(ep.route, typeof requested === 'string' ? requested.trim() : undefined, ep.split, ep.mirrorDraw);
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
      sendError(res, 413, 'PayloadTooLarge', `The request body (${declared} bytes) exceeds the limit of ${bodyLimit} bytes.`, ids, ['connection', 'close']);
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
    const ex = new Exchange(res, pool, ids, kind === 'score' ? 'POST' : 'GET', path, headersTowardsInstance(headers, ids.requestId), kind, performance.now());
    res.on('close', () => ex.clientClosed());
    const lane = kind === 'score' && r.mirror !== null ? ep.mirrorLane : null;
    readBody(req, res, ex, bodyLimit, lane, lane === null ? '' : lane.route.scorePath + query, mirror);
  };

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Check slow clients every second (the default 30 s lets a slow client overstay by that much).
      connectionsCheckingInterval: 1_000,
      noDelay: true,
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        // A bug of ours: answer 500 rather than leave the client hanging.
        if (!res.headersSent) {
          const body = errorBody('Internal', `The gateway failed: ${(err as Error).message}`);
          res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } else {
          res.destroy();
        }
        server.emit('gatewayFault', err);
      }
    },
  );
  // Keep-alive idle connections must not keep close() waiting; see close().
  server.headersTimeout = limits.headersTimeoutMs;

  return {
    server,
    listen: (host, port) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: async (timeoutMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (state.inFlight() > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function methodNotAllowed(res: ServerResponse, stats: DeploymentStats, ids: AnswerIds, allow: string): void {
  stats.countLive(405, -1);
  sendError(res, 405, 'MethodNotAllowed', `Use ${allow} on this route.`, ids, ['allow', allow]);
}

/**
 * Buffers the body (needed to retry on another instance and to mirror it), enforcing the size limit
 * while it streams in, then starts the exchange and hands the mirror its copy.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
  limit: number,
  lane: MirrorLane | null,
  mirrorPath: string,
  mirror: MirrorDispatcher,
): void {
  let first: Buffer | null = null;
  let chunks: Buffer[] | null = null;
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > limit) {
      failed = true;
      sendError(res, 413, 'PayloadTooLarge', `The request body exceeds the limit of ${limit} bytes.`, ex.ids, ['connection', 'close']);
      ex.abandon(413);
      return;
    }
    if (first === null) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (failed) return;
    const body = chunks !== null ? Buffer.concat(chunks, size) : first;
    ex.start(body);
    // After the live request is on its way; the dispatcher defers the copy to the next loop turn.
    if (lane !== null) mirror.copy(lane, { method: 'POST', path: mirrorPath, headers: ex.headers, body });
  });
  req.on('error', () => {
    if (failed) return;
    failed = true;
    ex.abandon(CLIENT_CLOSED);
  });
}
