// A rollout policy (policy YAML or REST body) → the stored RolloutPolicy. The shape, types, bounds,
// unknown keys and defaults are schema/rollout.ts; here are only the defaults applied and the rules
// between fields: one kind per step, shadow steps first, traffic steps increasing, the last step
// {traffic: 100}, durations where they are needed. Pure: what depends on the endpoint (how much it may
// mirror) is checked by the rollout service.
import { SwitchyardError } from '../errors.js';
import { parseDuration } from './durations.js';
import { checkInput } from './schema/check.js';
import { canonicalChoice, defaultsOf } from './schema/fields.js';
import { MannWhitneyInput, ON_FAILURE, RolloutGatesInput, RolloutPolicyInput } from './schema/rollout.js';
import type { RolloutGates, RolloutPolicy, RolloutStep, ShadowStep } from './rollout.js';

type StepInput = NonNullable<RolloutPolicyInput['steps']>[number];

const POLICY_DEFAULTS = defaultsOf<Required<Pick<RolloutPolicy, 'interval' | 'on_failure' | 'delete_baseline_on_success'>> & { steps: RolloutStep[] }>(RolloutPolicyInput);
export const DEFAULT_GATES: Readonly<RolloutGates> = defaultsOf<RolloutGates>(RolloutGatesInput);
export const DEFAULT_STEPS: readonly RolloutStep[] = POLICY_DEFAULTS.steps;
export const DEFAULT_INTERVAL = POLICY_DEFAULTS.interval;
const DEFAULT_ALLOWED_INCREASE = defaultsOf<{ allowed_increase: number }>(MannWhitneyInput).allowed_increase;
/** Gate evaluations closer than this would read windows too small to mean anything. */
export const MIN_INTERVAL_MS = 200;

function readStep(step: StepInput, index: number, last: boolean): RolloutStep {
  const field = `steps.${index}`;
  const kinds = (['shadow', 'traffic'] as const).filter((k) => step[k] !== undefined);
  if (kinds.length !== 1) {
    throw new SwitchyardError('InvalidValue', `${field} must have exactly one of shadow or traffic (a percent), e.g. {traffic: 50, duration: 5m}.`);
  }
  const kind = kinds[0]!;
  const percent = step[kind]!;
  const duration = step.duration?.trim();
  if (duration !== undefined && parseDuration(`${field}.duration`, duration) === 0 && !last) {
    throw new SwitchyardError('InvalidValue', `${field}.duration must be more than 0 (a step bakes for its duration before its gates can promote it), got ${JSON.stringify(step.duration)}.`);
  }
  if (kind === 'shadow') {
    if (last) throw new SwitchyardError('InvalidValue', `The last step must be {traffic: 100}; ${field} is a shadow step.`);
    if (duration === undefined) throw new SwitchyardError('MissingField', `${field} (shadow ${percent}) needs a duration, e.g. {shadow: ${percent}, duration: 5m}.`);
    return { shadow: percent, duration };
  }
  if (last && percent !== 100) throw new SwitchyardError('InvalidValue', `The last step must be {traffic: 100}; ${field} has traffic ${percent}.`);
  if (!last && percent === 100) throw new SwitchyardError('InvalidValue', `{traffic: 100} must be the last step; ${field} has it with steps after it.`);
  if (!last && duration === undefined) {
    throw new SwitchyardError('MissingField', `${field} (traffic ${percent}) needs a duration, e.g. {traffic: ${percent}, duration: 5m}; only the last step may have none.`);
  }
  return duration === undefined ? { traffic: percent } : { traffic: percent, duration };
}

function readSteps(input: readonly StepInput[] | undefined): RolloutStep[] {
  if (input === undefined) return DEFAULT_STEPS.map((s) => ({ ...s }));
  const steps = input.map((s, i) => readStep(s, i, i === input.length - 1));
  let seenTraffic = false;
  let lastTraffic = 0;
  steps.forEach((s, i) => {
    if ('shadow' in s) {
      if (seenTraffic) throw new SwitchyardError('InvalidValue', `steps.${i} is a shadow step after a traffic step; shadow steps come first (a deployment with live traffic cannot also be mirrored to).`);
      return;
    }
    if (s.traffic <= lastTraffic) throw new SwitchyardError('InvalidValue', `steps.${i} has traffic ${s.traffic}, not more than the step before (${lastTraffic}); traffic steps must increase.`);
    seenTraffic = true;
    lastTraffic = s.traffic;
  });
  return steps;
}

/** The policy with defaults filled in; refuses unknown keys and bad values naming them. */
export function normaliseRolloutPolicy(input: unknown): RolloutPolicy {
  const body = input === undefined || input === null ? {} : input;
  checkInput(RolloutPolicyInput, body);
  const g = body.gates ?? {};
  const interval = (body.interval ?? DEFAULT_INTERVAL).trim();
  if (parseDuration('interval', interval) < MIN_INTERVAL_MS) {
    throw new SwitchyardError('InvalidValue', `interval must be at least ${MIN_INTERVAL_MS}ms, got ${JSON.stringify(body.interval)}.`);
  }
  const mw = g.latency_mann_whitney;
  return {
    steps: readSteps(body.steps),
    gates: {
      max_error_rate: g.max_error_rate ?? DEFAULT_GATES.max_error_rate,
      max_latency_p99_ratio: g.max_latency_p99_ratio ?? DEFAULT_GATES.max_latency_p99_ratio,
      min_agreement: g.min_agreement ?? DEFAULT_GATES.min_agreement,
      min_requests: g.min_requests ?? DEFAULT_GATES.min_requests,
      latency_mann_whitney: mw ? { significance: mw.significance, allowed_increase: mw.allowed_increase ?? DEFAULT_ALLOWED_INCREASE } : null,
    },
    interval,
    on_failure: canonicalChoice(ON_FAILURE, body.on_failure ?? POLICY_DEFAULTS.on_failure),
    delete_baseline_on_success: body.delete_baseline_on_success ?? POLICY_DEFAULTS.delete_baseline_on_success,
  };
}

export const stepDurationMs = (step: RolloutStep): number => (step.duration === undefined ? 0 : parseDuration('duration', step.duration));
export const isShadowStep = (step: RolloutStep): step is ShadowStep => 'shadow' in step;
export const describeStep = (step: RolloutStep): string =>
  isShadowStep(step) ? `shadow ${step.shadow}%${step.duration ? ` for ${step.duration}` : ''}` : `traffic ${step.traffic}%${step.duration ? ` for ${step.duration}` : ''}`;
