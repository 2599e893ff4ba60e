// The gates of a rollout step and the decision they lead to. Pure: the controller hands in a window
// of figures (rollout-window.ts) and the agreement read from the shadow comparison, and gets back each
// gate's value and verdict, then what to do: promote, fail, pause for lack of data, or wait.
import { quantileSorted } from 'simple-statistics';
import type { GateResult, RolloutPolicy, RolloutStep } from '../spec/rollout.js';
import { isShadowStep } from '../spec/rollout-policy.js';
import { mannWhitneyGreater } from './mann-whitney.js';
import type { GateWindow } from './rollout-window.js';

/** What the shadow comparison says about the candidate's answers over the window. */
export interface AgreementReading {
  pairs: number;
  /** Share of pairs whose answers agree (0..1). */
  agreement: number;
}

export interface GateInput {
  policy: RolloutPolicy;
  step: RolloutStep;
  /** The last step ({traffic: 100}): the baseline has no traffic left to compare with. */
  last: boolean;
  window: GateWindow;
  /** undefined: the comparison has no figures for this window; null: this server has no comparison. */
  agreement: AgreementReading | undefined | null;
}

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;
const p99 = (samples: readonly number[]): number => quantileSorted([...samples].sort((a, b) => a - b), 0.99);
const ms = (seconds: number): string => `${round(seconds * 1000, 2)} ms`;

export function evaluateGates(input: GateInput): GateResult[] {
  const { policy, step, last, window } = input;
  const g = policy.gates;
  const { candidate, baseline } = window;
  const shadow = isShadowStep(step);
  const needsBaseline = !last;
  const enough = candidate.requests >= g.min_requests && (!needsBaseline || baseline.requests >= g.min_requests);
  const side = shadow ? 'shadow copies' : 'requests';
  const results: GateResult[] = [];

  results.push({
    gate: 'min_requests', value: candidate.requests, threshold: g.min_requests, verdict: enough ? 'pass' : 'pending',
    detail: `candidate ${candidate.requests} ${side}${needsBaseline ? `, baseline ${baseline.requests} requests` : ''} in the window`,
  });

  const errorRate = candidate.requests > 0 ? candidate.errors / candidate.requests : null;
  results.push({
    gate: 'max_error_rate', value: errorRate === null ? null : round(errorRate), threshold: g.max_error_rate,
    verdict: !enough ? 'pending' : errorRate! > g.max_error_rate ? 'fail' : 'pass',
    detail: `${candidate.errors} errors of ${candidate.requests} candidate ${side}`,
  });

  if (!needsBaseline) {
    results.push({ gate: 'max_latency_p99_ratio', value: null, threshold: g.max_latency_p99_ratio, verdict: 'not_applicable', detail: 'the baseline has no traffic left to compare with' });
  } else {
    const haveSamples = candidate.samples.length > 0 && baseline.samples.length > 0;
    const ratio = haveSamples ? p99(candidate.samples) / Math.max(p99(baseline.samples), 1e-6) : null;
    results.push({
      gate: 'max_latency_p99_ratio', value: ratio === null ? null : round(ratio, 3), threshold: g.max_latency_p99_ratio,
      verdict: !enough || ratio === null ? 'pending' : ratio > g.max_latency_p99_ratio ? 'fail' : 'pass',
      detail: haveSamples
        ? `candidate p99 ${ms(p99(candidate.samples))} (${candidate.samples.length} samples), baseline p99 ${ms(p99(baseline.samples))} (${baseline.samples.length} samples)`
        : 'no latency samples yet',
    });
  }

  const mw = g.latency_mann_whitney;
  if (mw) {
    if (!needsBaseline) {
      results.push({ gate: 'latency_mann_whitney', value: null, threshold: mw.significance, verdict: 'not_applicable', detail: 'the baseline has no traffic left to compare with' });
    } else if (!enough || candidate.samples.length === 0 || baseline.samples.length === 0) {
      results.push({ gate: 'latency_mann_whitney', value: null, threshold: mw.significance, verdict: 'pending', detail: 'not enough samples yet' });
    } else {
      const scaled = candidate.samples.map((s) => s / (1 + mw.allowed_increase));
      const { p, u } = mannWhitneyGreater(scaled, baseline.samples);
      results.push({
        gate: 'latency_mann_whitney', value: round(p, 6), threshold: mw.significance, verdict: p < mw.significance ? 'fail' : 'pass',
        detail: `one-sided p-value that the candidate is slower${mw.allowed_increase ? ` by more than ${round(mw.allowed_increase * 100, 1)}%` : ''} (U=${u}, n=${scaled.length}/${baseline.samples.length})`,
      });
    }
  }

  if (g.min_agreement !== null) {
    const a = input.agreement;
    if (!shadow) {
      results.push({ gate: 'min_agreement', value: null, threshold: g.min_agreement, verdict: 'not_applicable', detail: 'judged on shadow steps only' });
    } else if (a === null) {
      results.push({ gate: 'min_agreement', value: null, threshold: g.min_agreement, verdict: 'pending', detail: 'this server has no shadow comparison to read agreement from' });
    } else if (a === undefined || a.pairs < g.min_requests) {
      results.push({ gate: 'min_agreement', value: a ? round(a.agreement) : null, threshold: g.min_agreement, verdict: 'pending', detail: `${a?.pairs ?? 0} compared pairs of the ${g.min_requests} needed` });
    } else {
      results.push({
        gate: 'min_agreement', value: round(a.agreement), threshold: g.min_agreement, verdict: a.agreement < g.min_agreement ? 'fail' : 'pass',
        detail: `${a.pairs} compared pairs`,
      });
    }
  }
  return results;
}

export type Decision =
  | { kind: 'promote' }
  | { kind: 'fail'; gate: GateResult }
  | { kind: 'starved'; gate: GateResult }
  | { kind: 'wait' };

/**
 * What the gates mean for the step: any failure fails it at once; it is promoted once its bake time is
 * spent and every gate passed; a window that ran a whole step's duration without enough data for a
 * verdict pauses the rollout (never promoting blind); otherwise it waits.
 */
export function decide(results: readonly GateResult[], bakeMs: number, durationMs: number, windowAgeMs: number): Decision {
  const failed = results.find((r) => r.verdict === 'fail');
  if (failed) return { kind: 'fail', gate: failed };
  const pending = results.find((r) => r.verdict === 'pending');
  if (bakeMs < durationMs) return { kind: 'wait' };
  if (!pending) return { kind: 'promote' };
  if (windowAgeMs >= durationMs) return { kind: 'starved', gate: pending };
  return { kind: 'wait' };
}
