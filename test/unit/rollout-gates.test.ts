import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, evaluateGates, type GateInput } from '../../src/control/rollout-gates.js';
import { mannWhitneyGreater } from '../../src/control/mann-whitney.js';
import { gateWindow } from '../../src/control/rollout-window.js';
import { scaleBaseline, stepRouting, desiredRouting } from '../../src/control/rollout-routing.js';
import { normaliseRolloutPolicy } from '../../src/spec/rollout-policy.js';
import type { RolloutRecord } from '../../src/spec/rollout.js';
import type { EndpointFigures } from '../../src/gateway/rollout-figures.js';

const policy = normaliseRolloutPolicy({
  steps: [{ shadow: 20, duration: '1m' }, { traffic: 20, duration: '1m' }, { traffic: 100 }],
  gates: { max_error_rate: 0.05, max_latency_p99_ratio: 1.5, min_requests: 100, min_agreement: 0.99, latency_mann_whitney: { significance: 0.01 } },
});
const same = (n: number, v: number) => Array.from({ length: n }, (_, i) => v * (1 + (i % 10) / 100));
const side = (requests: number, errors: number, latency: number) => ({ requests, errors, samples: same(requests, latency) });
const input = (over: Partial<GateInput> = {}): GateInput => ({
  policy, step: policy.steps[1]!, last: false,
  window: { candidate: side(200, 0, 0.01), baseline: side(800, 0, 0.01) }, agreement: undefined, ...over,
});
const verdicts = (i: GateInput) => Object.fromEntries(evaluateGates(i).map((g) => [g.gate, g.verdict]));

describe('evaluateGates', () => {
  it('passes a candidate like the baseline on a traffic step (agreement not applicable there)', () => {
    assert.deepEqual(verdicts(input()), {
      min_requests: 'pass', max_error_rate: 'pass', max_latency_p99_ratio: 'pass', latency_mann_whitney: 'pass', min_agreement: 'not_applicable',
    });
  });
  it('gives no verdict below min_requests, on either side', () => {
    assert.equal(verdicts(input({ window: { candidate: side(99, 50, 0.01), baseline: side(800, 0, 0.01) } })).max_error_rate, 'pending');
    assert.equal(verdicts(input({ window: { candidate: side(200, 0, 0.01), baseline: side(99, 0, 0.01) } })).max_latency_p99_ratio, 'pending');
  });
  it('fails on the error rate, naming the counts', () => {
    const g = evaluateGates(input({ window: { candidate: side(200, 60, 0.01), baseline: side(800, 0, 0.01) } })).find((x) => x.gate === 'max_error_rate')!;
    assert.deepEqual([g.verdict, g.value, g.threshold, g.detail], ['fail', 0.3, 0.05, '60 errors of 200 candidate requests']);
  });
  it('fails a 3x slower candidate on both latency gates', () => {
    const v = verdicts(input({ window: { candidate: side(200, 0, 0.03), baseline: side(800, 0, 0.01) } }));
    assert.equal(v.max_latency_p99_ratio, 'fail');
    assert.equal(v.latency_mann_whitney, 'fail');
  });
  it('judges agreement on shadow steps only, and waits for enough pairs', () => {
    const shadow = policy.steps[0]!;
    assert.equal(verdicts(input({ step: shadow, agreement: { pairs: 500, agreement: 0.5 } })).min_agreement, 'fail');
    assert.equal(verdicts(input({ step: shadow, agreement: { pairs: 500, agreement: 0.995 } })).min_agreement, 'pass');
    assert.equal(verdicts(input({ step: shadow, agreement: { pairs: 10, agreement: 0.5 } })).min_agreement, 'pending');
    assert.equal(verdicts(input({ step: shadow, agreement: null })).min_agreement, 'pending');
  });
  it('does not compare with a baseline on the last step', () => {
    const v = verdicts(input({ step: policy.steps[2]!, last: true, window: { candidate: side(200, 0, 0.05), baseline: side(0, 0, 0) } }));
    assert.deepEqual([v.min_requests, v.max_latency_p99_ratio, v.latency_mann_whitney], ['pass', 'not_applicable', 'not_applicable']);
  });
});

describe('decide', () => {
  const results = (i: GateInput) => evaluateGates(i);
  it('fails at once, even before the bake time is spent', () => {
    const d = decide(results(input({ window: { candidate: side(200, 60, 0.01), baseline: side(800, 0, 0.01) } })), 1000, 60_000, 1000);
    assert.equal(d.kind, 'fail');
  });
  it('waits for the bake time, then promotes', () => {
    assert.equal(decide(results(input()), 59_000, 60_000, 59_000).kind, 'wait');
    assert.equal(decide(results(input()), 60_000, 60_000, 60_000).kind, 'promote');
  });
  it('pauses a window that ran a whole duration without enough data; waits before that', () => {
    const idle = results(input({ window: { candidate: side(3, 0, 0.01), baseline: side(10, 0, 0.01) } }));
    assert.equal(decide(idle, 60_000, 60_000, 30_000).kind, 'wait', 'a window reopened after a restart gets its chance');
    const d = decide(idle, 60_000, 60_000, 60_000);
    assert.equal(d.kind, 'starved');
    assert.equal(d.kind === 'starved' && d.gate.gate, 'min_requests');
  });
});

describe('mannWhitneyGreater', () => {
  it('matches the textbook value (SciPy mannwhitneyu, asymptotic, alternative=greater)', () => {
    // scipy.stats.mannwhitneyu([19,22,16,29,24],[20,11,17,12],alternative='greater',method='asymptotic') → U=17, p≈0.0556
    const r = mannWhitneyGreater([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    assert.equal(r.u, 17);
    assert.ok(Math.abs(r.p - 0.0556) < 0.002, String(r.p));
  });
  it('handles ties and identical samples', () => {
    const r = mannWhitneyGreater([1, 1, 1], [1, 1, 1]);
    assert.equal(r.p, 1);
    assert.ok(mannWhitneyGreater([2, 2, 3, 3], [1, 1, 2, 2]).p < 0.1);
  });
  it('is not significant when the candidate is faster', () => {
    assert.ok(mannWhitneyGreater(same(100, 0.01), same(100, 0.03)).p > 0.99);
  });
});

describe('gateWindow', () => {
  const fig = (epoch: string, live: Record<string, number>, mirror: Record<string, number>, samples: number[], total: number): EndpointFigures => ({
    epoch,
    deployments: {
      green: { live: { by_status: live, samples_total: total, samples }, mirror: { by_status: mirror, samples_total: total, samples } },
      blue: { live: { by_status: { 200: 1000 }, samples_total: 1000, samples: [0.01] }, mirror: { by_status: {}, samples_total: 0, samples: [] } },
    },
  });
  it('takes differences; 5xx, 424, 408 and no-answer are errors, 499 is not counted', () => {
    const w = gateWindow(fig('a', { 200: 10 }, {}, [1, 2], 10), fig('a', { 200: 15, 500: 2, 424: 1, 408: 1, 499: 3, 429: 1 }, {}, [1, 2, 3, 4, 5], 15), 'green', ['blue'], false);
    assert.notEqual(w, 'reset');
    if (w === 'reset') return;
    assert.deepEqual([w.candidate.requests, w.candidate.errors, w.candidate.samples], [10, 4, [1, 2, 3, 4, 5]]);
    assert.equal(w.baseline.requests, 0);
  });
  it('reads the mirror role on a shadow step', () => {
    const w = gateWindow(fig('a', {}, { 200: 1 }, [], 0), fig('a', {}, { 200: 4, 0: 1 }, [0.1, 0.2], 2), 'green', ['blue'], true);
    assert.ok(w !== 'reset' && w.candidate.requests === 4 && w.candidate.errors === 1);
  });
  it('resets when the gateway restarted', () => {
    assert.equal(gateWindow(fig('a', { 200: 10 }, {}, [], 10), fig('b', { 200: 1 }, {}, [], 1), 'green', ['blue'], false), 'reset');
    assert.equal(gateWindow(fig('a', { 200: 10 }, {}, [], 10), fig('a', { 200: 1 }, {}, [], 1), 'green', ['blue'], false), 'reset');
  });
});

describe('rollout routing', () => {
  it('scales a baseline in integers that sum exactly', () => {
    assert.deepEqual(scaleBaseline({ blue: 100 }, 80), { blue: 80 });
    assert.deepEqual(scaleBaseline({ a: 50, b: 50 }, 75), { a: 38, b: 37 });
    assert.deepEqual(scaleBaseline({ a: 34, b: 33, c: 33 }, 50), { a: 17, b: 17, c: 16 });
    assert.deepEqual(scaleBaseline({ a: 100 }, 0), {});
  });
  const rec = (state: RolloutRecord['status']['state'], step: number): RolloutRecord => ({
    id: 'r', endpoint: 'e', created_at: '', updated_at: '',
    spec: { candidate: 'green', baseline: { blue: 100 }, policy, started_by: 'admin', started_by_role: 'Owner' },
    status: { state, step, step_started_at: '', bake_ms: 0, applied: false, gates: [], window: null, reason: null, last_evaluated_at: null, history: [] },
  });
  it('puts each state and step within Azure\'s rules (live sums 100, the mirror never on a live deployment)', () => {
    assert.deepEqual(stepRouting(rec('Progressing', 0).spec, 0), { traffic: { blue: 100 }, mirror_traffic: { green: 20 } });
    assert.deepEqual(stepRouting(rec('Progressing', 0).spec, 1), { traffic: { blue: 80, green: 20 }, mirror_traffic: {} });
    assert.deepEqual(desiredRouting(rec('Progressing', 2)), { traffic: { green: 100 }, mirror_traffic: {} });
    assert.deepEqual(desiredRouting(rec('RolledBack', 1)), { traffic: { blue: 100 }, mirror_traffic: {} });
    assert.deepEqual(desiredRouting(rec('Aborted', 0)), { traffic: { blue: 100 }, mirror_traffic: {} });
    assert.deepEqual(desiredRouting(rec('Succeeded', 2)), { traffic: { green: 100 }, mirror_traffic: {} });
  });
});
