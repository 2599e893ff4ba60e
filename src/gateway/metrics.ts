// Prometheus figures of the gateway, read from the plain counters of stats.ts at scrape time (so the hot
// path never pays for label hashing). A prom-client Registry renders the text; counters and gauges use
// prom-client's collect() hook, and the latency histogram is a small custom metric because prom-client's
// Histogram can only be fed one observation at a time.
import { Counter, Gauge, Registry } from 'prom-client';
import type { RoutingState } from './routing-state.js';
import { LATENCY_BUCKETS, type DeploymentStats, type LatencyHistogram } from './stats.js';

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** A histogram metric whose buckets come from our own LatencyHistogram objects. */
class LatencyMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(readonly name: string, readonly help: string, private readonly read: () => Array<{ labels: Record<string, string>; h: LatencyHistogram }>) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, h } of this.read()) {
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += h.counts[i]!;
        values.push({ value: cumulative, labels: { ...labels, le: LATENCY_BUCKETS[i]! }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: h.count, labels: { ...labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: h.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: h.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

export function createGatewayRegistry(state: RoutingState): Registry {
  const registry = new Registry();
  const all = (): DeploymentStats[] => [...state.stats.all()];

  new Counter({
    name: 'switchyard_gateway_requests_total',
    help: 'Answers by endpoint, deployment, role (live: the client-facing answer; mirror: a copy) and status code (499: client left; 0: mirror copy got no answer).',
    labelNames: ['endpoint', 'deployment', 'role', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all()) {
        for (const [code, n] of s.live) this.inc({ endpoint: s.endpoint, deployment: s.deployment, role: 'live', code: String(code) }, n);
        for (const [code, n] of s.mirror) this.inc({ endpoint: s.endpoint, deployment: s.deployment, role: 'mirror', code: String(code) }, n);
      }
    },
  });

  new Counter({
    name: 'switchyard_gateway_mirror_copies_total',
    help: 'Mirror copies by outcome: sent to the shadow, dropped (lane saturated or stale), failed (non-2xx, error, timeout), succeeded.',
    labelNames: ['endpoint', 'deployment', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all()) {
        const m = s.mirrorCopies;
        if (m.sent + m.dropped + m.failed + m.succeeded === 0) continue;
        for (const outcome of ['sent', 'dropped', 'failed', 'succeeded'] as const) {
          this.inc({ endpoint: s.endpoint, deployment: s.deployment, outcome }, m[outcome]);
        }
      }
    },
  });

  new Counter({
    name: 'switchyard_gateway_mirror_dropped_total',
    help: 'Mirror copies not sent, by reason: lane_full (lane and queue full), stale (waited longer than the request timeout), no_instance, busy (shed while the gateway was busy).',
    labelNames: ['endpoint', 'deployment', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all()) for (const [reason, n] of s.mirrorDrops) this.inc({ endpoint: s.endpoint, deployment: s.deployment, reason }, n);
    },
  });

  new Gauge({
    name: 'switchyard_gateway_in_flight',
    help: 'Live requests admitted and not yet answered (reading body, queued or running).',
    labelNames: ['endpoint', 'deployment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all()) if (s.deployment !== '' && (s.present || s.inFlight > 0)) this.set({ endpoint: s.endpoint, deployment: s.deployment }, s.inFlight);
    },
  });

  new Gauge({
    name: 'switchyard_gateway_queued',
    help: 'Live requests waiting for a free instance slot.',
    labelNames: ['endpoint', 'deployment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of all()) if (s.deployment !== '' && (s.present || s.queued > 0)) this.set({ endpoint: s.endpoint, deployment: s.deployment }, s.queued);
    },
  });

  new Gauge({
    name: 'switchyard_gateway_ready_instances',
    help: 'Ready instances of the deployment in the current routing snapshot.',
    labelNames: ['endpoint', 'deployment'],
    registers: [registry],
    // Several gateway workers (gateway-workers.ts) sum their metrics; every one sees the same instances.
    aggregator: 'max',
    collect() {
      this.reset();
      for (const s of all()) if (s.deployment !== '' && s.present) this.set({ endpoint: s.endpoint, deployment: s.deployment }, s.readyInstances);
    },
  });

  new Gauge({
    name: 'switchyard_gateway_snapshot_version',
    help: 'Version of the routing snapshot the gateway serves from.',
    registers: [registry],
    // Several gateway workers: the version every one of them serves from.
    aggregator: 'min',
    collect() {
      this.set(state.current.version);
    },
  });

  const latency = new LatencyMetric(
    'switchyard_gateway_request_duration_seconds',
    'Time from a request\'s arrival to its answer (live) or from a copy\'s send to its answer (mirror).',
    () => {
      const out: Array<{ labels: Record<string, string>; h: LatencyHistogram }> = [];
      for (const s of all()) {
        if (s.liveLatency.count > 0) out.push({ labels: { endpoint: s.endpoint, deployment: s.deployment, role: 'live' }, h: s.liveLatency });
        if (s.mirrorLatency.count > 0) out.push({ labels: { endpoint: s.endpoint, deployment: s.deployment, role: 'mirror' }, h: s.mirrorLatency });
      }
      return out;
    },
  );
  // prom-client's Registry only needs name/help/type/get() from a metric.
  registry.registerMetric(latency as unknown as Parameters<Registry['registerMetric']>[0]);
  return registry;
}

export interface DeploymentSummary {
  requests: number;
  byStatus: Record<string, number>;
  inFlight: number;
  queued: number;
  readyInstances: number;
  p50Ms: number | null;
  p99Ms: number | null;
  mirror: {
    /** Copies this deployment received as a shadow and answered (any status, 0 = no answer). */
    received: number;
    sent: number;
    dropped: number;
    failed: number;
    succeeded: number;
    inFlight: number;
    byStatus: Record<string, number>;
    /** Dropped copies by reason (lane_full, stale, no_instance, busy). */
    droppedByReason: Record<string, number>;
  };
}

export interface GatewaySummary {
  snapshotVersion: number;
  /** endpoint → deployment → figures; deployment '' holds requests refused before routing. */
  endpoints: Record<string, Record<string, DeploymentSummary>>;
}

const ms = (s: number | null): number | null => (s === null ? null : Math.round(s * 1e6) / 1e3);

export function summarize(state: RoutingState): GatewaySummary {
  const endpoints: Record<string, Record<string, DeploymentSummary>> = {};
  for (const s of state.stats.all()) {
    let requests = 0;
    const byStatus: Record<string, number> = {};
    for (const [code, n] of s.live) {
      byStatus[String(code)] = n;
      requests += n;
    }
    const mirrorByStatus: Record<string, number> = {};
    let received = 0;
    for (const [code, n] of s.mirror) {
      mirrorByStatus[String(code)] = n;
      received += n;
    }
    // Endpoint-level rows ('' deployment) only matter once something was refused there.
    if (s.deployment === '' && requests === 0) continue;
    (endpoints[s.endpoint] ??= {})[s.deployment] = {
      requests,
      byStatus,
      inFlight: s.inFlight,
      queued: s.queued,
      readyInstances: s.readyInstances,
      p50Ms: ms(s.liveLatency.quantile(0.5)),
      p99Ms: ms(s.liveLatency.quantile(0.99)),
      mirror: { received, ...s.mirrorCopies, inFlight: s.mirrorInFlight, byStatus: mirrorByStatus, droppedByReason: Object.fromEntries(s.mirrorDrops) },
    };
  }
  return { snapshotVersion: state.current.version, endpoints };
}
