// Prometheus figures of the comparer (comparer.ts), appended to the gateway's at GET /metrics:
// cumulative pairs, agreements, status agreements, shadow errors and drops by reason, a histogram of
// absolute differences of numeric outputs, and the agreement over the retained window as a gauge.
import { Counter, Gauge, Registry } from 'prom-client';
import { DIFF_BUCKETS, type Comparer } from './comparer.js';

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

export function comparisonRegistry(comparer: Comparer): Registry {
  const registry = new Registry();
  const counter = (name: string, help: string, pick: (t: ReturnType<typeof totalsOf>[number]['totals']) => number): void => {
    new Counter({
      name, help, labelNames: ['endpoint', 'deployment'], registers: [registry],
      collect() {
        this.reset();
        for (const s of totalsOf(comparer)) this.inc({ endpoint: s.endpoint, deployment: s.deployment }, pick(s.totals));
      },
    });
  };
  counter('switchyard_shadow_pairs_total', 'Mirrored requests whose live and shadow answers were compared, by endpoint and shadow deployment.', (t) => t.pairs);
  counter('switchyard_shadow_agreements_total', 'Compared pairs whose answers agreed within tolerance (statuses agreeing, both 2xx bodies equal).', (t) => t.agree);
  counter('switchyard_shadow_status_agreements_total', 'Compared pairs where live and shadow both succeeded (2xx) or both failed.', (t) => t.statusAgree);
  counter('switchyard_shadow_errors_total', 'Compared pairs where the shadow answered non-2xx or not at all.', (t) => t.shadowErrors);

  new Counter({
    name: 'switchyard_shadow_dropped_total',
    help: 'Mirrored copies that produced no comparison, by reason (lane_full, stale, no_instance, busy, pairing_full, too_large, live_incomplete, comparer_backlog).',
    labelNames: ['endpoint', 'deployment', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of totalsOf(comparer)) {
        for (const [reason, n] of s.totals.dropped) this.inc({ endpoint: s.endpoint, deployment: s.deployment, reason }, n);
      }
    },
  });

  new Gauge({
    name: 'switchyard_shadow_agreement_ratio',
    help: 'Share of compared pairs that agreed over the retained window (1 h), by shadow deployment.',
    labelNames: ['endpoint', 'deployment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of totalsOf(comparer)) {
        const w = s.window();
        if (w.agreement !== null) this.set({ endpoint: s.endpoint, deployment: s.deployment }, w.agreement);
      }
    },
  });

  const diff = {
    name: 'switchyard_shadow_abs_diff',
    help: 'Absolute differences between live and shadow numeric outputs (pairs where both answered 2xx).',
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: MetricValue[] = [];
      for (const s of totalsOf(comparer)) {
        const labels = { endpoint: s.endpoint, deployment: s.deployment };
        let cumulative = 0;
        for (let i = 0; i < DIFF_BUCKETS.length; i++) {
          cumulative += s.totals.diffCounts[i]!;
          values.push({ value: cumulative, labels: { ...labels, le: DIFF_BUCKETS[i]! }, metricName: 'switchyard_shadow_abs_diff_bucket' });
        }
        values.push({ value: s.totals.diffCount, labels: { ...labels, le: '+Inf' }, metricName: 'switchyard_shadow_abs_diff_bucket' });
        values.push({ value: s.totals.diffSum, labels, metricName: 'switchyard_shadow_abs_diff_sum' });
        values.push({ value: s.totals.diffCount, labels, metricName: 'switchyard_shadow_abs_diff_count' });
      }
      return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
    },
    reset() {},
  };
  registry.registerMetric(diff as unknown as Parameters<Registry['registerMetric']>[0]);
  return registry;
}

const totalsOf = (comparer: Comparer) => [...comparer.totals()];
