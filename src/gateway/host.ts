// GatewayHost: the main-thread handle of the gateway. It starts the worker thread that runs the data
// path (worker.ts), publishes routing snapshots to it, asks it to drain instances, reads its metrics and
// relays its log lines to the caller's logger. Requests never touch the main thread.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { HostToWorker, WorkerConfig, WorkerToHost } from './protocol.js';
import { DEFAULT_LIMITS, type GatewayLimits } from './server.js';
import type { RoutingSnapshot } from './snapshot.js';

export interface GatewayStartOptions {
  host: string;
  port: number;
  logger: Logger;
  limits?: Partial<GatewayLimits>;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Resolves once the worker serves from this snapshot (stale versions are ignored, still resolve). */
  publish(s: RoutingSnapshot): Promise<void>;
  /**
   * Resolves once the current snapshot lists none of `urls` and no request (live or mirror) runs on
   * them, or when `timeoutMs` passes (then with false).
   */
  drain(urls: string[], timeoutMs: number): Promise<boolean>;
  metricsText(): Promise<string>;
  metricsJson(): Promise<unknown>;
  /** Stops accepting, lets admitted requests finish (bounded), stops the worker. */
  close(): Promise<void>;
}

/** A request message before the host numbers it. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** How long close() lets admitted requests finish: the longest request_timeout_ms SPEC allows. */
const CLOSE_GRACE_MS = 180_000;

/**
 * The worker file sits next to this one with the same extension: .js in dist/, .ts under tsx. tsx does
 * not register its loader inside worker threads on Node 20 (it only does so on the main thread), so
 * under tsx the worker starts from a tiny ESM bootstrap that registers tsx first.
 */
function spawnWorker(config: WorkerConfig): Worker {
  const self = import.meta.url;
  const isTs = self.endsWith('.ts');
  const entry = new URL(`./worker.${isTs ? 'ts' : 'js'}`, self);
  if (!isTs) return new Worker(entry, { workerData: config, name: 'switchyard-gateway' });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: config, name: 'switchyard-gateway' });
}

export const GatewayHost = {
  async start(options: GatewayStartOptions): Promise<RunningGateway> {
    const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
    const logger = options.logger;
    const config: WorkerConfig = { host: options.host, port: options.port, limits, logLevel: logger.level };
    const worker = spawnWorker(config);

    let nextId = 1;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let closed = false;
    let exitError: Error | null = null;

    const call = (msg: WithoutId<HostToWorker>): Promise<unknown> => {
      if (exitError !== null) return Promise.reject(exitError);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...msg, id } as HostToWorker);
      });
    };

    const port = await new Promise<number>((resolve, reject) => {
      const onMessage = (m: WorkerToHost): void => {
        if (m.op === 'listening') resolve(m.port);
        else if (m.op === 'fatal') reject(Object.assign(new Error(`gateway could not listen on ${options.host}:${options.port}: ${m.message}`), { code: m.code }));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`gateway worker exited during start (code ${code})`)));
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });

    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    worker.removeAllListeners('message');
    worker.on('message', (m: WorkerToHost) => {
      if (m.op === 'reply') {
        const p = pending.get(m.id);
        if (p === undefined) return;
        pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.message));
      } else if (m.op === 'log') {
        logger[m.level](m.fields ?? {}, m.msg);
      }
    });
    worker.on('error', (err) => {
      logger.error({ err }, 'gateway worker failed');
    });
    worker.on('exit', (code) => {
      exitError = new Error(`gateway worker exited (code ${code})`);
      if (!closed) logger.error({ code }, 'gateway worker exited unexpectedly');
      for (const p of pending.values()) p.reject(exitError);
      pending.clear();
    });

    const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
    let closing: Promise<void> | null = null;

    return {
      url: `http://${hostForUrl}:${port}`,
      port,
      publish: async (s) => {
        await call({ op: 'publish', snapshot: s });
      },
      drain: async (urls, timeoutMs) => (await call({ op: 'drain', urls, timeoutMs })) as boolean,
      metricsText: async () => (await call({ op: 'metrics', format: 'text' })) as string,
      metricsJson: async () => call({ op: 'metrics', format: 'json' }),
      close: () => {
        closing ??= (async () => {
          closed = true;
          try {
            if (exitError === null) await call({ op: 'close', timeoutMs: CLOSE_GRACE_MS });
          } finally {
            await worker.terminate();
          }
        })();
        return closing;
      },
    };
  },
};

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
