// Prometheus figures of rollouts, read from the store at scrape time (each endpoint's newest rollout):
// its state (one series per state, 1 for the current one), step, bake time, the candidate's live and
// shadow share, and each gate's latest value and verdict. Served after the gateway's at GET /metrics.
import { Gauge, Registry } from 'prom-client';
import type { RolloutRecord } from '../spec/rollout.js';
import type { Store } from '../store/store.js';
import { desiredRouting } from './rollout-routing.js';

const STATES = ['Progressing', 'Paused', 'Succeeded', 'RolledBack', 'Aborted'] as const;
const VERDICTS = ['pass', 'fail', 'pending', 'not_applicable'] as const;

function newestPerEndpoint(store: Store): RolloutRecord[] {
  const seen = new Set<string>();
  const out: RolloutRecord[] = [];
  for (const r of store.listRollouts()) {
    if (seen.has(r.endpoint)) continue;
    seen.add(r.endpoint);
    out.push(r);
  }
  return out;
}

export function createRolloutRegistry(store: Store): Registry {
  const registry = new Registry();
  const labels = (r: RolloutRecord) => ({ endpoint: r.endpoint, candidate: r.spec.candidate });

  new Gauge({
    name: 'switchyard_rollout_state',
    help: 'State of the newest rollout of each endpoint: 1 for the current state, 0 for the others.',
    labelNames: ['endpoint', 'candidate', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) for (const s of STATES) this.set({ ...labels(r), state: s }, r.status.state === s ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_step',
    help: 'Current step of the rollout, counted from 1, and the number of steps (label of).',
    labelNames: ['endpoint', 'candidate', 'of'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) this.set({ ...labels(r), of: String(r.spec.policy.steps.length) }, r.status.step + 1);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_bake_seconds',
    help: 'Bake time spent in the current step while Progressing.',
    labelNames: ['endpoint', 'candidate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) this.set(labels(r), r.status.bake_ms / 1000);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_candidate_percent',
    help: "The candidate's share the rollout holds in force: live traffic, or shadow (mirror) copies.",
    labelNames: ['endpoint', 'candidate', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) {
        const routing = desiredRouting(r);
        this.set({ ...labels(r), kind: 'live' }, routing.traffic[r.spec.candidate] ?? 0);
        this.set({ ...labels(r), kind: 'shadow' }, routing.mirror_traffic[r.spec.candidate] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'switchyard_rollout_gate_value',
    help: "Each gate's latest value (error rate, p99 ratio, agreement, requests, Mann-Whitney p-value).",
    labelNames: ['endpoint', 'candidate', 'gate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) for (const g of r.status.gates) if (g.value !== null) this.set({ ...labels(r), gate: g.gate }, g.value);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_gate_threshold',
    help: "Each gate's threshold in the rollout's policy.",
    labelNames: ['endpoint', 'candidate', 'gate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) for (const g of r.status.gates) this.set({ ...labels(r), gate: g.gate }, g.threshold);
    },
  });
  new Gauge({
    name: 'switchyard_rollout_gate_verdict',
    help: "Each gate's latest verdict: 1 for the current one (pass, fail, pending, not_applicable), 0 for the others.",
    labelNames: ['endpoint', 'candidate', 'gate', 'verdict'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of newestPerEndpoint(store)) {
        for (const g of r.status.gates) for (const v of VERDICTS) this.set({ ...labels(r), gate: g.gate, verdict: v }, g.verdict === v ? 1 : 0);
      }
    },
  });
  return registry;
}
