// GatewayHost: the main-thread handle of the gateway. It starts the worker thread that runs the data
// path (worker.ts), publishes routing snapshots to it, asks it to drain instances, reads its metrics and
// relays its log lines to the caller's logger. Requests never touch the main thread.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { DropReason, HostToWorker, PairRecord, WorkerConfig, WorkerToHost } from './protocol.js';
import { DEFAULT_LIMITS, type GatewayLimits } from './server.js';
import type { RoutingSnapshot } from './snapshot.js';
import type { EndpointFigures } from './rollout-figures.js';

export interface GatewayStartOptions {
  host: string;
  port: number;
  logger: Logger;
  limits?: Partial<GatewayLimits>;
  /** PEM certificate chain and key: HTTPS on the gateway's listener. */
  tls?: { cert: string; key: string };
  /**
   * Gateway workers sharing the port (extension, `--gateway-workers`): 1 (default) runs the data path in a
   * worker thread; N > 1 runs it in N processes (gateway-workers.ts), every one fed the same snapshots.
   */
  workers?: number;
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
  /**
   * Where pairs of mirrored answers go (control/comparer.ts). Called on the main thread, batch by batch;
   * the worker sends more only as batches are handled (acknowledged after the call returns).
   */
  onEvidence(handler: EvidenceHandler | null): void;
  /** One endpoint's cumulative answers and recent latencies, for the rollout gates. */
  figures(endpoint: string): Promise<EndpointFigures>;
  /** Stops accepting, lets admitted requests finish (bounded), stops the worker. */
  close(): Promise<void>;
}

export type EvidenceHandler = (pairs: PairRecord[], drops: Array<{ endpoint: string; shadow: string; reason: DropReason; n: number }>) => void;

/** A request message before the host numbers it. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** How long close() lets admitted requests finish: the longest request_timeout_ms a deployment may set (docs/compatibility.md, "Deployments"). */
const CLOSE_GRACE_MS = 180_000;

/**
 * The worker file sits next to this one with the same extension: .js in dist/, .ts under tsx. tsx does
 * not register its loader inside worker threads on Node 20 (it only does so on the main thread), so
 * under tsx the worker starts from a tiny ESM bootstrap that registers tsx first.
 */
function spawnWorker(config: WorkerConfig): WorkerHandle {
  const self = import.meta.url;
  const isTs = self.endsWith('.ts');
  const entry = new URL(`./worker.${isTs ? 'ts' : 'js'}`, self);
  if (!isTs) return new Worker(entry, { workerData: config, name: 'switchyard-gateway' });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: config, name: 'switchyard-gateway' });
}

/**
 * What GatewayRunner needs of its worker: node's Worker (a thread) fits as it is; a gateway process is
 * adapted to it (gateway-workers.ts).
 */
export interface WorkerHandle {
  postMessage(m: HostToWorker): void;
  on(event: 'message', listener: (m: WorkerToHost) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  removeAllListeners(event: 'message' | 'error' | 'exit'): unknown;
  terminate(): Promise<unknown>;
}

class WorkerGone extends Error {
  readonly code = 'GATEWAY_WORKER_EXITED';
}

/** Restart delays after unexpected worker exits: 0.1 s doubling to 5 s; reset after a minute up. */
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5_000;
const STABLE_AFTER_MS = 60_000;

/**
 * Owns the worker: numbered request/reply calls, log relay, and recovery. If the worker dies (a bug,
 * out of memory), a new one starts on the same port and gets the last snapshot again, so the data path
 * comes back without the control plane noticing; calls made meanwhile wait for it.
 */
export class GatewayRunner implements RunningGateway {
  url = '';
  port = 0;
  /** The port a restarted worker listens on (gateway-workers.ts: the shared one while siblings hold it). */
  restartPort: () => number = () => this.port;
  private worker: WorkerHandle | null = null;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; worker: WorkerHandle }>();
  private lastSnapshot: RoutingSnapshot | null = null;
  private restartDelay = RESTART_MIN_MS;
  private startedAt = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  private evidence: EvidenceHandler | null = null;

  constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
    private readonly spawn: (config: WorkerConfig) => WorkerHandle = spawnWorker,
  ) {}

  /** Starts a worker listening on `port`; resolves with the port it got. */
  async boot(port: number): Promise<number> {
    const worker = this.spawn({ ...this.config, port });
    const actual = await new Promise<number>((resolve, reject) => {
      worker.on('message', (m: WorkerToHost) => {
        if (m.op === 'listening') resolve(m.port);
        else if (m.op === 'fatal') reject(Object.assign(new Error(`gateway could not listen on ${this.config.host}:${port}: ${m.message}`), { code: m.code }));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`gateway worker exited during start (code ${code})`)));
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    // Only our own listeners: removeAllListeners() without a name would also drop Node's internal ones.
    for (const event of ['message', 'error', 'exit'] as const) worker.removeAllListeners(event);
    worker.on('message', (m: WorkerToHost) => this.onMessage(m));
    worker.on('error', (err) => this.logger.error({ err }, 'gateway worker failed'));
    worker.on('exit', (code) => this.onExit(worker, code));
    this.worker = worker;
    this.startedAt = Date.now();
    return actual;
  }

  publish = async (s: RoutingSnapshot): Promise<void> => {
    // Kept first: a worker that dies mid-publish is succeeded by one that starts from this snapshot.
    this.lastSnapshot = s;
    await this.call({ op: 'publish', snapshot: s });
  };

  drain = async (urls: string[], timeoutMs: number): Promise<boolean> => (await this.call({ op: 'drain', urls, timeoutMs })) as boolean;
  metricsText = async (): Promise<string> => (await this.call({ op: 'metrics', format: 'text' })) as string;
  metricsJson = async (): Promise<unknown> => this.call({ op: 'metrics', format: 'json' });
  /** prom-client's JSON form of the worker's registry (summed over workers by gateway-workers.ts). */
  metricsParts = async (): Promise<unknown> => this.call({ op: 'metrics', format: 'parts' });
  onEvidence = (handler: EvidenceHandler | null): void => {
    this.evidence = handler;
  };
  figures = async (endpoint: string): Promise<EndpointFigures> => (await this.call({ op: 'figures', endpoint })) as EndpointFigures;

  close = (): Promise<void> => {
    this.closing ??= (async () => {
      this.closed = true;
      await this.ready.catch(() => {});
      const worker = this.worker;
      if (worker === null) return;
      try {
        await this.call({ op: 'close', timeoutMs: CLOSE_GRACE_MS }, true);
      } catch {
        // Already gone: nothing to drain.
      } finally {
        await worker.terminate();
      }
    })();
    return this.closing;
  };

  /** A call to the worker; one that the worker's death interrupts is made again on its successor. */
  private async call(msg: WithoutId<HostToWorker>, evenIfClosed = false): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(msg, evenIfClosed);
      } catch (err) {
        // Every message is safe to repeat: publish is versioned, drain and metrics only read.
        if (!(err instanceof WorkerGone) || this.closed || attempt >= 3) throw err;
      }
    }
  }

  private async callOnce(msg: WithoutId<HostToWorker>, evenIfClosed: boolean): Promise<unknown> {
    if (this.closed && !evenIfClosed) throw new Error('gateway is closed');
    await this.ready;
    const worker = this.worker;
    if (worker === null) throw new WorkerGone('gateway worker is not running');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ ...msg, id } as HostToWorker);
    });
  }

  private onMessage(m: WorkerToHost): void {
    if (m.op === 'reply') {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
    } else if (m.op === 'log') {
      this.logger[m.level](m.fields ?? {}, m.msg);
    } else if (m.op === 'pairs') {
      try {
        this.evidence?.(m.pairs, m.drops);
      } catch (err) {
        this.logger.error({ err }, 'comparer failed on a batch of pairs');
      }
      if (m.pairs.length > 0) this.worker?.postMessage({ op: 'pairs-ack', id: 0, n: m.pairs.length } as HostToWorker);
    }
  }

  private onExit(worker: WorkerHandle, code: number): void {
    if (this.worker === worker) this.worker = null;
    const gone = new WorkerGone(`gateway worker exited (code ${code})`);
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(gone);
    }
    if (this.closed) return;
    this.logger.error({ code }, 'gateway worker exited unexpectedly; restarting it');
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.restartDelay = RESTART_MIN_MS;
    this.ready = this.restart();
  }

  private async restart(): Promise<void> {
    for (;;) {
      await new Promise((r) => setTimeout(r, this.restartDelay));
      this.restartDelay = Math.min(RESTART_MAX_MS, this.restartDelay * 2);
      if (this.closed) return;
      try {
        await this.boot(this.restartPort());
        const last = this.lastSnapshot;
        if (last !== null) {
          const worker = this.worker!;
          const id = this.nextId++;
          await new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject, worker });
            worker.postMessage({ op: 'publish', id, snapshot: last } as HostToWorker);
          });
        }
        this.logger.warn({ port: this.port }, 'gateway worker restarted');
        return;
      } catch (err) {
        this.logger.error({ err }, 'gateway worker restart failed; retrying');
      }
    }
  }
}

export const GatewayHost = {
  async start(options: GatewayStartOptions): Promise<RunningGateway> {
    const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
    const config: WorkerConfig = { host: options.host, port: options.port, limits, logLevel: options.logger.level, ...(options.tls ? { tls: options.tls } : {}) };
    const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
    const urlOf = (port: number): string => `${options.tls ? 'https' : 'http'}://${hostForUrl}:${port}`;
    if ((options.workers ?? 1) > 1) {
      // Loaded only here: a single-worker gateway never loads node:cluster.
      const { startGatewayWorkers } = await import('./gateway-workers.js');
      return startGatewayWorkers(config, options.logger, options.workers!, options.port, urlOf);
    }
    const runner = new GatewayRunner(config, options.logger);
    runner.port = await runner.boot(options.port);
    runner.url = urlOf(runner.port);
    return runner;
  },
};

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
