// serve(): wires the store, artifact store, runtime backend, gateway and control API into one running
// server, and takes it down gracefully (gateway drains in-flight requests, instances stop). The CLI's
// `switchyard serve` calls it; tests call it with port 0.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../logger.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ArtifactStore } from '../store/artifact-store.js';
import { LocalBackend } from '../runtime/local/backend.js';
import { GatewayHost } from '../gateway/host.js';
import { mintToken } from '../gateway/token.js';
import { Operations } from '../control/operations.js';
import { Reconciler } from '../control/reconciler.js';
import { SnapshotPublisher } from '../control/snapshot-publisher.js';
import { buildSnapshot } from '../control/snapshot-builder.js';
import { buildControlApp } from '../control/app.js';
import { adminTokenResolver } from '../control/auth.js';
import type { ControlContext } from '../control/context.js';
import { ensureAdminToken } from './admin-token.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  gatewayPort?: number;
  dataDir?: string;
  python?: string;
  logLevel?: string;
  /** A logger to use instead of a new one on stderr (tests). */
  logger?: Logger;
  /** Largest artifact upload, compressed (default 2 GiB). */
  maxArtifactBytes?: number;
  /** aml_token lifetime in seconds (default 24 h; clients refresh at half-life). */
  tokenTtlSeconds?: number;
  /** Close on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
}

export interface RunningServer {
  controlUrl: string;
  gatewayUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

export const DEFAULT_CONTROL_PORT = 7070;
export const DEFAULT_GATEWAY_PORT = 7071;
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;
/** How long the gateway may take to finish in-flight requests to an instance being stopped. */
const DRAIN_TIMEOUT_CAP_MS = 180_000;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SWITCHYARD_DATA_DIR ?? join(homedir(), '.switchyard'));
}

const urlOf = (host: string, port: number): string =>
  `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ? resolve(options.dataDir) : defaultDataDir();
  const logger = options.logger ?? createLogger({ ...(options.logLevel ? { level: options.logLevel } : {}) });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const admin = await ensureAdminToken(dataDir);

  const cleanups: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const fn of cleanups.reverse()) {
      try { await fn(); } catch (e) { logger.error({ err: e }, 'shutdown step failed'); }
    }
  };

  try {
    const store = new SqliteStore(join(dataDir, 'switchyard.db'));
    cleanups.push(() => store.close());
    const artifacts = new ArtifactStore({
      root: join(dataDir, 'artifacts'), store, ...(options.maxArtifactBytes ? { maxBytes: options.maxArtifactBytes } : {}),
    });
    await artifacts.init();

    const gateway = await GatewayHost.start({ host, port: options.gatewayPort ?? DEFAULT_GATEWAY_PORT, logger: logger.child({ component: 'gateway' }) });
    cleanups.push(() => gateway.close());
    const gatewayUrl = gateway.url.replace(/\/$/, '');

    // The publisher reads the backend's instance states, and the backend tells it when they change.
    let publisher: SnapshotPublisher | undefined;
    const backend = new LocalBackend({
      dataDir,
      ...(options.python ? { python: options.python } : {}),
      events: { onInstancesChanged: () => publisher?.schedule() },
      drain: async (urls: string[], timeoutMs: number) => { await gateway.drain(urls, Math.min(timeoutMs, DRAIN_TIMEOUT_CAP_MS)); },
      logger: logger.child({ component: 'runtime' }),
    });
    cleanups.push(() => backend.shutdown());
    publisher = new SnapshotPublisher(
      (version) => buildSnapshot({
        version, endpoints: store.listEndpoints(), deployments: store.listDeployments(),
        instances: (e, d) => backend.instances(e, d),
      }),
      gateway, logger.child({ component: 'snapshots' }));
    cleanups.push(() => publisher!.close());

    const operations = new Operations(store);
    const reconciler = new Reconciler({ store, backend, artifacts, operations, publisher, logger: logger.child({ component: 'reconciler' }) });
    cleanups.push(() => reconciler.close());

    const context: ControlContext = {
      store, artifacts, backend, reconciler, operations, publisher, gateway, gatewayUrl,
      mintToken, logger, tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, quickWaitMs: 10_000,
    };
    const app: FastifyInstance = await buildControlApp({ context, auth: adminTokenResolver(admin.token), logger: logger.child({ component: 'control' }) });
    cleanups.push(() => app.close());

    // Bring back what the store says before taking requests: the gateway gets its first snapshot, and
    // anything left Creating/Updating/Deleting by an earlier process is driven to an end.
    await reconciler.recover();

    await app.listen({ host, port: options.port ?? DEFAULT_CONTROL_PORT });
    const address = app.server.address();
    const controlUrl = urlOf(host, typeof address === 'object' && address ? address.port : options.port ?? DEFAULT_CONTROL_PORT);

    logger.info({ event: 'serving', controlUrl, gatewayUrl, dataDir, adminTokenFile: admin.path, adminTokenCreated: admin.created },
      `Switchyard control plane at ${controlUrl}, gateway at ${gatewayUrl}; admin token in ${admin.path}`);

    // Shutdown order: stop taking API calls and starting reconciles; stop publishing; let the gateway
    // finish what it admitted; stop the instances; give running reconciles a moment; close the store.
    // Whatever is cut short stays recorded as Running/Creating and is finished by the next start.
    cleanups.length = 0;
    cleanups.push(
      () => store.close(),
      () => reconciler.close(5000),
      () => backend.shutdown(),
      () => gateway.close(),
      () => publisher!.close(),
      () => { void reconciler.close(0); },
      () => app.close(),
    );
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, onSignal);
        logger.info({ event: 'closing' }, 'Switchyard is shutting down');
        await unwind();
        logger.info({ event: 'closed' }, 'Switchyard stopped');
      })();
      return closing;
    };
    const onSignal = (): void => { void close(); };
    if (options.handleSignals !== false) {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, onSignal);
    }
    return { controlUrl, gatewayUrl, dataDir, close };
  } catch (e) {
    await unwind();
    throw e;
  }
}
