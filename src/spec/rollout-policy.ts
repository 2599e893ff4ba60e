// A rollout policy (YAML or REST body) → RolloutPolicy with the documented defaults (docs/rollout.md).
// Pure: what depends on the endpoint (how much it may mirror) is checked by the rollout service.
import { SwitchyardError } from '../errors.js';
import { parseDuration } from './durations.js';
import {
  expectBoolean, expectChoice, expectInteger, expectObject, invalid, isPlainObject, refuseUnknownKeys, type InputObject,
} from './input-fields.js';
import type { MannWhitneyGate, RolloutGates, RolloutPolicy, RolloutStep } from './rollout.js';

export const DEFAULT_STEPS: readonly RolloutStep[] = [
  { shadow: 20, duration: '5m' },
  { traffic: 20, duration: '5m' },
  { traffic: 50, duration: '5m' },
  { traffic: 100 },
];

export const DEFAULT_GATES: Readonly<RolloutGates> = {
  max_error_rate: 0.01,
  max_latency_p99_ratio: 1.5,
  min_agreement: null,
  min_requests: 100,
  latency_mann_whitney: null,
};

export const DEFAULT_INTERVAL = '30s';
export const MAX_STEPS = 20;
/** Gate evaluations closer than this would read windows too small to mean anything. */
export const MIN_INTERVAL_MS = 200;

const POLICY_KEYS = new Set(['steps', 'gates', 'interval', 'on_failure', 'delete_baseline_on_success']);
const GATE_KEYS = new Set(['max_error_rate', 'max_latency_p99_ratio', 'min_agreement', 'min_requests', 'latency_mann_whitney']);
const MANN_WHITNEY_KEYS = new Set(['significance', 'allowed_increase']);

function expectNumber(field: string, value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(field, what, value);
  return value;
}

function readStep(index: number, value: unknown, last: boolean): RolloutStep {
  const field = `steps[${index}]`;
  if (!isPlainObject(value)) throw invalid(field, 'an object such as {shadow: 20, duration: 5m} or {traffic: 50, duration: 5m}', value);
  const step = expectObject(field, value);
  const kinds = ['shadow', 'traffic'].filter((k) => k in step);
  if (kinds.length !== 1) {
    throw new SwitchyardError('InvalidValue', `${field} must have exactly one of shadow or traffic (a percent), e.g. {traffic: 50, duration: 5m}.`);
  }
  const kind = kinds[0] as 'shadow' | 'traffic';
  refuseUnknownKeys(step, new Set([kind, 'duration']), field, 'rollout policy');
  const percent = expectInteger(`${field}.${kind}`, step[kind], 1, 100);
  if (step.duration !== undefined && parseDuration(`${field}.duration`, step.duration) === 0 && !last) {
    throw invalid(`${field}.duration`, 'more than 0 (a step bakes for its duration before its gates can promote it)', step.duration);
  }
  if (kind === 'shadow') {
    if (step.duration === undefined) throw new SwitchyardError('MissingField', `${field} (shadow ${percent}) needs a duration, e.g. {shadow: ${percent}, duration: 5m}.`);
    if (last) throw new SwitchyardError('InvalidValue', `The last step must be {traffic: 100}; ${field} is a shadow step.`);
    return { shadow: percent, duration: String(step.duration).trim() };
  }
  if (last && percent !== 100) throw new SwitchyardError('InvalidValue', `The last step must be {traffic: 100}; ${field} has traffic ${percent}.`);
  if (!last && percent === 100) throw new SwitchyardError('InvalidValue', `{traffic: 100} must be the last step; ${field} has it with steps after it.`);
  if (!last && step.duration === undefined) {
    throw new SwitchyardError('MissingField', `${field} (traffic ${percent}) needs a duration, e.g. {traffic: ${percent}, duration: 5m}; only the last step may have none.`);
  }
  return step.duration === undefined ? { traffic: percent } : { traffic: percent, duration: String(step.duration).trim() };
}

function readSteps(value: unknown): RolloutStep[] {
  if (value === undefined || value === null) return DEFAULT_STEPS.map((s) => ({ ...s }));
  if (!Array.isArray(value) || value.length === 0) throw invalid('steps', 'a non-empty list of steps ending with {traffic: 100}', value);
  if (value.length > MAX_STEPS) throw invalid('steps', `a list of at most ${MAX_STEPS} steps`, `${value.length} steps`);
  const steps = value.map((v, i) => readStep(i, v, i === value.length - 1));
  let seenTraffic = false;
  let lastTraffic = 0;
  steps.forEach((s, i) => {
    if ('shadow' in s) {
      if (seenTraffic) throw new SwitchyardError('InvalidValue', `steps[${i}] is a shadow step after a traffic step; shadow steps come first (a deployment with live traffic cannot also be mirrored to).`);
    } else {
      if (s.traffic <= lastTraffic) throw new SwitchyardError('InvalidValue', `steps[${i}] has traffic ${s.traffic}, not more than the step before (${lastTraffic}); traffic steps must increase.`);
      seenTraffic = true;
      lastTraffic = s.traffic;
    }
  });
  return steps;
}

function readMannWhitney(value: unknown): MannWhitneyGate | null {
  if (value === undefined || value === null) return null;
  const field = 'gates.latency_mann_whitney';
  const o = expectObject(field, value);
  refuseUnknownKeys(o, MANN_WHITNEY_KEYS, field, 'rollout policy');
  if (o.significance === undefined) throw new SwitchyardError('MissingField', `${field} needs a significance, e.g. {significance: 0.01}.`);
  return {
    significance: expectNumber(`${field}.significance`, o.significance, 1e-9, 0.5, 'a number above 0 and at most 0.5 (e.g. 0.01)'),
    allowed_increase: o.allowed_increase === undefined ? 0 : expectNumber(`${field}.allowed_increase`, o.allowed_increase, 0, 100, 'a number from 0 (e.g. 0.1 for 10% slower)'),
  };
}

function readGates(value: unknown): RolloutGates {
  if (value === undefined || value === null) return { ...DEFAULT_GATES };
  const g: InputObject = expectObject('gates', value);
  refuseUnknownKeys(g, GATE_KEYS, 'gates', 'rollout policy');
  const fraction = 'a number from 0 to 1 (a share: 0.01 is 1%)';
  return {
    max_error_rate: g.max_error_rate === undefined ? DEFAULT_GATES.max_error_rate
      : expectNumber('gates.max_error_rate', g.max_error_rate, 0, 1, fraction),
    max_latency_p99_ratio: g.max_latency_p99_ratio === undefined ? DEFAULT_GATES.max_latency_p99_ratio
      : expectNumber('gates.max_latency_p99_ratio', g.max_latency_p99_ratio, 0.01, 1000, 'a ratio above 0 (e.g. 1.5: the candidate\'s p99 at most 1.5x the baseline\'s)'),
    min_agreement: g.min_agreement === undefined || g.min_agreement === null ? null
      : expectNumber('gates.min_agreement', g.min_agreement, 0, 1, fraction),
    min_requests: g.min_requests === undefined ? DEFAULT_GATES.min_requests
      : expectInteger('gates.min_requests', g.min_requests, 1, 100_000_000),
    latency_mann_whitney: readMannWhitney(g.latency_mann_whitney),
  };
}

/** The policy with defaults filled in; refuses unknown keys and bad values naming them. */
export function normaliseRolloutPolicy(input: unknown): RolloutPolicy {
  const body: InputObject = input === undefined || input === null ? {} : expectObject('policy', input);
  refuseUnknownKeys(body, POLICY_KEYS, '', 'rollout policy');
  const interval = body.interval === undefined ? DEFAULT_INTERVAL : String(body.interval).trim();
  const intervalMs = parseDuration('interval', body.interval === undefined ? DEFAULT_INTERVAL : body.interval);
  if (intervalMs < MIN_INTERVAL_MS) throw invalid('interval', `at least ${MIN_INTERVAL_MS}ms`, body.interval);
  return {
    steps: readSteps(body.steps),
    gates: readGates(body.gates),
    interval,
    on_failure: body.on_failure === undefined ? 'rollback' : expectChoice('on_failure', body.on_failure, ['rollback', 'pause'] as const),
    delete_baseline_on_success: body.delete_baseline_on_success === undefined ? false
      : expectBoolean('delete_baseline_on_success', body.delete_baseline_on_success),
  };
}

export const stepDurationMs = (step: RolloutStep): number => (step.duration === undefined ? 0 : parseDuration('duration', step.duration));
export const isShadowStep = (step: RolloutStep): step is { shadow: number; duration: string } => 'shadow' in step;
export const describeStep = (step: RolloutStep): string =>
  isShadowStep(step) ? `shadow ${step.shadow}%${step.duration ? ` for ${step.duration}` : ''}` : `traffic ${step.traffic}%${step.duration ? ` for ${step.duration}` : ''}`;
