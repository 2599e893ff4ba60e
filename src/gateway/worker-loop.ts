// The gateway's data path on its own event loop: it listens, swaps in snapshots the host publishes,
// answers drain/metrics/close, and sends log lines to the host (the host's pino logger cannot cross
// threads or processes). Started by worker.ts (a worker thread: the default) or worker-process.ts (one
// of N processes sharing the listening socket: --gateway-workers N); only the channel to the host differs.
import type { HostToWorker, WorkerConfig, WorkerToHost } from './protocol.js';
import { createGatewayRegistry, summarize } from './metrics.js';
import { RoutingState } from './routing-state.js';
import { endpointFigures } from './rollout-figures.js';
import { createGatewayServer } from './server.js';
import { Pairing } from './pairing.js';

/** How the loop talks to its host: postMessage of a worker thread, or process.send of a child process. */
export interface HostChannel {
  post(m: WorkerToHost): void;
  onMessage(handler: (m: HostToWorker) => void): void;
}

export function runGatewayWorker(config: WorkerConfig, channel: HostChannel): void {
  const post = (m: WorkerToHost): void => channel.post(m);
  const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
  const threshold = LEVELS[config.logLevel as keyof typeof LEVELS] ?? 30;
  const log = (level: keyof typeof LEVELS, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] >= threshold) post({ op: 'log', level, msg, fields });
  };

  const state = new RoutingState();
  const registry = createGatewayRegistry(state);
  // Mirrored answers are paired here and compared on the main thread (control/comparer.ts).
  const pairing = new Pairing((b) => post({ op: 'pairs', pairs: b.pairs, drops: b.drops }));
  const gateway = createGatewayServer(state, config.limits, pairing, config.tls);
  gateway.onFault = (err) => log('error', 'gateway request handler failed', { err: err.stack ?? String(err) });
  // Malformed or slow clients: the connection answered 400/431/408 itself (when it could) and closes.
  gateway.onClientError = (code) => log('debug', 'client error', { code });
  // Connections closed at the cap: counted, and logged at most once a minute.
  let dropped = 0;
  let droppedLoggedAt = 0;
  gateway.onConnectionDropped = () => {
    dropped++;
    const now = Date.now();
    if (now - droppedLoggedAt < 60_000) return;
    droppedLoggedAt = now;
    log('warn', 'gateway connection limit reached: new connections are closed (SWITCHYARD_GATEWAY_MAX_CONNECTIONS)', { maxConnections: config.limits.maxConnections, droppedSoFar: dropped });
  };

  async function drain(urls: string[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Polling every 10 ms is fine here: drain is a control-plane operation, not on the request path.
    while (state.anyBusy(urls)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((r) => setTimeout(r, Math.min(10, left)));
    }
    return true;
  }

  let closing = false;

  channel.onMessage((m: HostToWorker) => {
    if (m.op === 'pairs-ack') {
      pairing.ack(m.n);
      return;
    }
    void (async () => {
      try {
        switch (m.op) {
          case 'publish': {
            const current = state.current.version;
            if (m.snapshot.version <= current && current !== 0) {
              log('warn', 'ignored a routing snapshot that is not newer than the current one', { version: m.snapshot.version, current });
            } else {
              state.swap(m.snapshot);
            }
            post({ op: 'reply', id: m.id, ok: true, value: state.current.version });
            break;
          }
          case 'drain': {
            const drained = await drain(m.urls, m.timeoutMs);
            if (!drained) log('warn', 'drain timed out with requests still in flight', { urls: m.urls, timeoutMs: m.timeoutMs });
            post({ op: 'reply', id: m.id, ok: true, value: drained });
            break;
          }
          case 'metrics': {
            // 'parts': the registry's JSON form, which the host of several workers sums (prom-client's AggregatorRegistry).
          const value = m.format === 'text' ? await registry.metrics()
            : m.format === 'parts' ? await registry.getMetricsAsJSON()
            : { ...summarize(state), pairing: pairing.figures() };
            post({ op: 'reply', id: m.id, ok: true, value });
            break;
          }
          case 'figures': {
            post({ op: 'reply', id: m.id, ok: true, value: endpointFigures(state.stats.all(), m.endpoint) });
            break;
          }
          case 'close': {
            if (!closing) {
              closing = true;
              await gateway.close(m.timeoutMs);
              state.close();
            }
            post({ op: 'reply', id: m.id, ok: true });
            break;
          }
        }
      } catch (err) {
        post({ op: 'reply', id: m.id, ok: false, message: (err as Error).message });
      }
    })();
  });

  gateway.listen(config.host, config.port).then(
    (actual) => post({ op: 'listening', port: actual }),
    (err: Error & { code?: string }) => post({ op: 'fatal', message: err.message, code: err.code }),
  );
}
