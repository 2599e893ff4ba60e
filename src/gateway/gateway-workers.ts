// Several gateway workers on one port (extension: `serve --gateway-workers N`, SWITCHYARD_GATEWAY_WORKERS;
// docs/gateway.md, "Gateway workers"). Node 20 has no SO_REUSEPORT and worker threads cannot be handed
// sockets, so N > 1 runs the data path in N processes forked through node:cluster with scheduling left
// to the operating system (SCHED_NONE): the primary (the server process) binds the listening socket,
// every worker accepts on its own copy of it, and the kernel spreads connections over them; the
// primary never accepts, so the control plane never carries scoring traffic.
// Each process runs the same loop as the single worker thread (worker-loop.ts) and is driven by the same
// GatewayRunner (host.ts: numbered calls, log relay, restart with the last snapshot). This module fans
// every call out: a snapshot is in force once every worker acknowledged it; drains wait for all;
// metrics and rollout figures are merged (worker-merge.ts; Prometheus text summed by prom-client's
// AggregatorRegistry). Limits that protect an instance are split between the workers (shareOf).
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../logger.js';
import { GatewayRunner, type EvidenceHandler, type RunningGateway, type WorkerHandle } from './host.js';
import type { HostToWorker, WorkerConfig, WorkerProcessStart, WorkerToHost } from './protocol.js';
import type { EndpointFigures } from './rollout-figures.js';
import type { RoutingSnapshot } from './snapshot.js';
import { mergeFigures, mergeSummaries } from './worker-merge.js';

/** Most gateway workers accepted (a guard against a typo such as 1000, not a tuning limit). */
export const MAX_GATEWAY_WORKERS = 64;

/** A forked gateway process seen as GatewayRunner's WorkerHandle. */
class ProcessWorker extends EventEmitter implements WorkerHandle {
  private exited = false;

  constructor(private readonly w: ClusterWorker) {
    super();
    w.on('message', (m: WorkerToHost) => this.emit('message', m));
    w.on('error', (err: Error) => this.emit('error', err));
    w.on('exit', (code: number | null, signal: string | null) => {
      this.exited = true;
      this.emit('exit', code ?? (signal !== null ? 1 : 0));
    });
  }

  postMessage(m: HostToWorker): void {
    if (!this.exited && this.w.isConnected()) this.w.send(m);
  }

  terminate(): Promise<unknown> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.w.process.once('exit', () => resolve());
      this.w.process.kill('SIGTERM');
    });
  }
}

let primaryReady = false;

/** Forks one gateway process (worker-process.ts) and hands it its configuration. */
function forkGatewayProcess(config: WorkerConfig): WorkerHandle {
  if (!primaryReady) {
    // Must be set before the first fork; the server forks nothing else through cluster.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    const isTs = import.meta.url.endsWith('.ts');
    const execArgv = [...process.execArgv];
    // Under tsx (tests) the child needs tsx's loader to run a .ts entry.
    if (isTs && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
    cluster.setupPrimary({
      exec: fileURLToPath(new URL(`./worker-process.${isTs ? 'ts' : 'js'}`, import.meta.url)),
      execArgv,
      args: [],
      // Structured clone, as between threads: pairs carry Uint8Array bodies.
      serialization: 'advanced',
    });
    primaryReady = true;
  }
  const w = cluster.fork({ SWITCHYARD_GATEWAY_WORKER: '1' });
  w.on('message', (m: WorkerToHost) => {
    if (m.op === 'hello') w.send({ op: 'start', config } satisfies WorkerProcessStart);
  });
  return new ProcessWorker(w);
}

/**
 * A worker's share of the snapshot: each instance's concurrency limit is split between the workers
 * (at least 1 each), so that N workers together keep max_concurrent_requests_per_instance (exactly
 * when it is at least N; a smaller limit is exceeded, up to N, and docs/gateway.md says so). The 429
 * bound (2 × limit × instances) follows the same share.
 */
export function shareOf(s: RoutingSnapshot, workers: number): RoutingSnapshot {
  if (workers <= 1) return s;
  const endpoints: RoutingSnapshot['endpoints'] = {};
  for (const [name, ep] of Object.entries(s.endpoints)) {
    const deployments: typeof ep.deployments = {};
    for (const [d, dep] of Object.entries(ep.deployments)) {
      deployments[d] = { ...dep, maxConcurrentPerInstance: Math.max(1, Math.floor(dep.maxConcurrentPerInstance / workers)) };
    }
    endpoints[name] = { ...ep, deployments };
  }
  return { version: s.version, endpoints };
}

class GatewayWorkers implements RunningGateway {
  url = '';
  port = 0;

  constructor(private readonly runners: GatewayRunner[]) {}

  publish = async (s: RoutingSnapshot): Promise<void> => {
    const share = shareOf(s, this.runners.length);
    await Promise.all(this.runners.map((r) => r.publish(share)));
  };

  drain = async (urls: string[], timeoutMs: number): Promise<boolean> =>
    (await Promise.all(this.runners.map((r) => r.drain(urls, timeoutMs)))).every((x) => x);

  metricsText = async (): Promise<string> => {
    const parts = (await Promise.all(this.runners.map((r) => r.metricsParts()))) as object[];
    return AggregatorRegistry.aggregate(parts).metrics();
  };

  metricsJson = async (): Promise<unknown> =>
    mergeSummaries((await Promise.all(this.runners.map((r) => r.metricsJson()))) as Parameters<typeof mergeSummaries>[0]);

  onEvidence = (handler: EvidenceHandler | null): void => {
    for (const r of this.runners) r.onEvidence(handler);
  };

  figures = async (endpoint: string): Promise<EndpointFigures> => mergeFigures(await Promise.all(this.runners.map((r) => r.figures(endpoint))));

  close = async (): Promise<void> => {
    await Promise.all(this.runners.map((r) => r.close()));
  };
}

/**
 * Starts `workers` gateway processes on `port` (0: one free port, the same for all). Resolves once every
 * one listens. `limits.maxConnections` is split between them, so the listener's cap stays the total.
 */
export async function startGatewayWorkers(config: WorkerConfig, logger: Logger, workers: number, port: number, urlOf: (port: number) => string): Promise<RunningGateway> {
  const n = Math.min(Math.max(1, Math.floor(workers)), MAX_GATEWAY_WORKERS);
  const each: WorkerConfig = { ...config, limits: { ...config.limits, maxConnections: Math.max(1, Math.ceil(config.limits.maxConnections / n)) } };
  const runners: GatewayRunner[] = [];
  for (let i = 0; i < n; i++) runners.push(new GatewayRunner(each, logger.child({ gatewayWorker: i }), forkGatewayProcess));
  const gw = new GatewayWorkers(runners);
  try {
    // The first one binds (cluster's primary makes the shared handle); the others get the same handle
    // by asking for the same address and port, port 0 included.
    const actual = await runners[0]!.boot(port);
    await Promise.all(runners.slice(1).map((r) => r.boot(port)));
    // A restarted worker asks for the same handle while a sibling holds it; with none left, the port itself.
    for (const r of runners) {
      r.port = actual;
      r.url = urlOf(actual);
      r.restartPort = () => (Object.keys(cluster.workers ?? {}).length > 0 ? port : actual);
    }
    gw.port = actual;
    gw.url = urlOf(actual);
  } catch (err) {
    await gw.close().catch(() => {});
    throw err;
  }
  return gw;
}
