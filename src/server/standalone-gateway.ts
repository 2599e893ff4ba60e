// `switchyard gateway`: the gateway `serve` embeds (GatewayHost, its worker thread), run on its own and
// fed from a control plane's snapshot stream instead of in-process (docs/gateway.md). It registers
// (id, address, version), acknowledges each snapshot it has swapped in, heartbeats, and, when no control
// plane answers, keeps serving the last snapshot it has (static stability), which /metrics shows.
import { createServer, type Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { GatewayHost, type RunningGateway } from '../gateway/host.js';
import { gatewayLimitsFromEnv, gatewayWorkersFromEnv } from '../gateway/settings.js';
import { SnapshotStream, StreamRefused } from '../gateway/snapshot-stream.js';
import type { RoutingSnapshot } from '../gateway/snapshot.js';
import type { Logger } from '../logger.js';
import { SWITCHYARD_VERSION } from '../control/version.js';
import { SwitchyardError } from '../errors.js';
import { openFileLimit } from './open-file-limit.js';

// What the `gateway` command needs from the server's modules, from one module it imports by a computed URL.
export { createLogger } from '../logger.js';
export { isLoopbackHost, loadTransportSecurity } from './transport-security.js';

export interface StandaloneGatewayOptions {
  /** Control-plane base URLs (replicas of one store), tried in turn. */
  controlPlanes: string[];
  /** A token with the Switchyard Gateway role (or Owner). */
  token: string;
  host: string;
  port: number;
  /** Gateway worker processes sharing the port (absent: SWITCHYARD_GATEWAY_WORKERS, else 1: a worker thread). */
  workers?: number;
  /** Where /metrics and /healthz answer (no token: counters only). */
  metricsHost: string;
  metricsPort: number;
  /** Registration id; default `<hostname>:<port>`. */
  id?: string;
  /** The scoring URL clients use, as registered; default the listener's own URL. */
  advertiseUrl?: string;
  /** HTTPS on the scoring listener. */
  tls?: { cert: string; key: string };
  /** Extra trusted certificates (PEM) for https control planes. */
  ca?: string;
  logger: Logger;
  /** Heartbeat period (default 2 s: the control plane counts a gateway silent for 10 s as Disconnected). */
  heartbeatMs?: number;
  backoff?: { minMs: number; maxMs: number };
  /** A stream silent this long is lost (default 10 s; keepalives come every 3 s). */
  silenceMs?: number;
}

export interface RunningStandaloneGateway {
  id: string;
  url: string;
  metricsUrl: string;
  /** The snapshot version served. */
  version(): number;
  close(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 2_000;
const CALL_TIMEOUT_MS = 5_000;

/** One small JSON call to a control plane (registration, heartbeat, removal). */
function call(base: string, method: string, path: string, token: string, ca: string | undefined, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(path, base.endsWith('/') ? base : base + '/');
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method, agent: false, timeout: CALL_TIMEOUT_MS,
      headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(ca ? { ca } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 4096) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startStandaloneGateway(o: StandaloneGatewayOptions): Promise<RunningStandaloneGateway> {
  const { logger } = o;
  const files = openFileLimit();
  const limits = gatewayLimitsFromEnv(process.env, { openFileLimit: files?.soft ?? Number.NaN, controlConnections: 0 });
  const workers = o.workers ?? gatewayWorkersFromEnv(process.env);
  if (workers > 1) logger.info({ gatewayWorkers: workers }, `gateway: ${workers} worker processes share the port`);
  const gateway: RunningGateway = await GatewayHost.start({
    host: o.host, port: o.port, logger: logger.child({ component: 'gateway' }), limits,
    ...(o.tls ? { tls: o.tls } : {}), ...(workers > 1 ? { workers } : {}),
  });
  const id = o.id ?? `${hostname()}:${gateway.port}`;
  const address = (o.advertiseUrl ?? gateway.url).replace(/\/$/, '');

  let served = 0;
  let connectedTo: string | null = null;
  /** When a control plane last confirmed the snapshot served is current (a snapshot or a keepalive); 0: never. */
  let confirmedAt = 0;
  let closed = false;

  // Reports (registration, acknowledgement, heartbeat) go one at a time; one asked for meanwhile follows.
  let reporting: Promise<void> | null = null;
  let again = false;
  const reportOnce = async (): Promise<void> => {
    const target = connectedTo ?? o.controlPlanes[0]!;
    try {
      const r = await call(target, 'POST', 'api/v1/gateways', o.token, o.ca,
        { id, address, software_version: SWITCHYARD_VERSION, acked_version: served });
      if (r.status !== 200) logger.warn({ url: target, status: r.status, body: r.text }, 'the control plane refused this gateway\'s report');
    } catch (e) {
      logger.debug({ url: target, err: (e as Error).message }, 'gateway report failed');
    }
  };
  const report = (): void => {
    if (closed) return;
    if (reporting) {
      again = true;
      return;
    }
    reporting = (async () => {
      do {
        again = false;
        await reportOnce();
      } while (again && !closed);
      reporting = null;
    })();
  };

  let firstSnapshot!: () => void;
  let refused!: (e: Error) => void;
  const synced = new Promise<void>((resolve, reject) => { firstSnapshot = resolve; refused = reject; });
  const stream = new SnapshotStream({
    urls: o.controlPlanes, token: o.token, logger: logger.child({ component: 'snapshot-stream' }),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...(o.silenceMs ? { silenceMs: o.silenceMs } : {}),
    served: () => served,
    apply: async (s: RoutingSnapshot, from: string) => {
      await gateway.publish(s);
      served = Math.max(served, s.version);
      confirmedAt = Date.now();
      logger.debug({ version: s.version, from }, 'routing snapshot in force');
      report();
      firstSnapshot();
    },
    onConnection: (url) => {
      if (url === null && connectedTo !== null) {
        logger.warn({ url: connectedTo, version: served }, 'lost the control plane; serving the last routing snapshot until one answers again');
      }
      connectedTo = url;
      if (url !== null) report();
    },
    onHeard: () => { confirmedAt = Date.now(); },
  });
  const running = stream.run((e: StreamRefused) => refused(new SwitchyardError('Unauthorized',
    `${e.message}. A standalone gateway needs a token with the Switchyard Gateway role (switchyard token create --name <id> ` +
    '--role "Switchyard Gateway") in SWITCHYARD_TOKEN (docs/gateway.md).')));

  const heartbeat = setInterval(report, o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  const metricsText = async (): Promise<string> => {
    const age = confirmedAt === 0 ? -1 : (Date.now() - confirmedAt) / 1000;
    // The gateway's own text already has switchyard_gateway_snapshot_version.
    return (await gateway.metricsText()) + [
      '# HELP switchyard_gateway_control_plane_connected 1 while a control plane streams routing snapshots to this gateway; 0 while none answers (it serves its last snapshot).',
      '# TYPE switchyard_gateway_control_plane_connected gauge',
      `switchyard_gateway_control_plane_connected ${connectedTo === null ? 0 : 1}`,
      '# HELP switchyard_gateway_snapshot_age_seconds Seconds since a control plane last confirmed the snapshot in force is current (-1: never).',
      '# TYPE switchyard_gateway_snapshot_age_seconds gauge',
      `switchyard_gateway_snapshot_age_seconds ${age.toFixed(3)}`,
      '# HELP switchyard_gateway_control_plane_reconnects_total Times the snapshot stream was lost or refused and tried again.',
      '# TYPE switchyard_gateway_control_plane_reconnects_total counter',
      `switchyard_gateway_control_plane_reconnects_total ${stream.reconnects}`,
      '',
    ].join('\n');
  };
  const metrics: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      metricsText().then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`));
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id, version: served, control_plane: connectedTo, control_plane_connected: connectedTo !== null,
        snapshot_age_seconds: confirmedAt === 0 ? null : (Date.now() - confirmedAt) / 1000,
      }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: this port answers /metrics and /healthz; scoring is on the gateway port.\n');
    }
  });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stream.close();
    await running;
    await reporting;
    // Tell the control plane at once, so changes stop waiting for us (best effort: heartbeats lapse anyway).
    for (const base of connectedTo ? [connectedTo] : o.controlPlanes) {
      try {
        const r = await call(base, 'DELETE', `api/v1/gateways/${encodeURIComponent(id)}`, o.token, o.ca);
        if (r.status === 204 || r.status === 404) break;
      } catch {
        // try the next one
      }
    }
    await new Promise<void>((resolve) => metrics.close(() => resolve()));
    await gateway.close();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      metrics.once('error', reject);
      metrics.listen(o.metricsPort, o.metricsHost, () => resolve());
    });
    await synced;
  } catch (e) {
    await close();
    throw e;
  }
  const m = metrics.address();
  const metricsPort = typeof m === 'object' && m ? m.port : o.metricsPort;
  const metricsHost = o.metricsHost.includes(':') ? `[${o.metricsHost}]` : o.metricsHost === '0.0.0.0' ? '127.0.0.1' : o.metricsHost;
  logger.info({ event: 'gateway-serving', id, url: gateway.url, version: served }, `standalone gateway ${id} serving at ${gateway.url}`);
  return { id, url: gateway.url.replace(/\/$/, ''), metricsUrl: `http://${metricsHost}:${metricsPort}`, version: () => served, close };
}
