// The rollout resource's types, derived from its schema (schema/rollout.ts): what a user asked for
// (spec: candidate, the baseline it replaces, the policy, who started it) and what the rollout
// controller found and did (status: state, step, bake time, the gates' latest values and verdicts,
// history). One active rollout per endpoint; finished ones are kept.
import type { Static } from '@sinclair/typebox';
import type {
  RolloutPolicy as RolloutPolicySchema, RolloutRecord as RolloutRecordSchema, RolloutView as RolloutViewSchema,
} from './schema/rollout.js';
import { ROLLOUT_STATES, type GATE_NAMES, type GATE_VERDICTS } from './schema/rollout.js';

export type { RolloutStartInput, RolloutPolicyInput } from './schema/rollout.js';

export type RolloutState = (typeof ROLLOUT_STATES)[number];
export type GateName = (typeof GATE_NAMES)[number];
/** pass / fail; pending: not enough data for a verdict yet; not_applicable: not judged on this step. */
export type GateVerdict = (typeof GATE_VERDICTS)[number];

export type RolloutPolicy = Static<typeof RolloutPolicySchema>;
export type RolloutStep = RolloutPolicy['steps'][number];
export type ShadowStep = Extract<RolloutStep, { shadow: number }>;
export type RolloutGates = RolloutPolicy['gates'];
export type MannWhitneyGate = NonNullable<RolloutGates['latency_mann_whitney']>;

export type RolloutRecord = Static<typeof RolloutRecordSchema>;
export type RolloutSpec = RolloutRecord['spec'];
export type RolloutStatus = RolloutRecord['status'];
export type GateResult = RolloutStatus['gates'][number];
export type RolloutWindow = NonNullable<RolloutStatus['window']>;
export type RolloutReason = NonNullable<RolloutStatus['reason']>;
export type RolloutHistoryEntry = RolloutStatus['history'][number];

/** A rollout as the REST API shows it: the record, the routing it holds in force, its step in words. */
export type RolloutView = Static<typeof RolloutViewSchema>;

export const ACTIVE_ROLLOUT_STATES: readonly RolloutState[] = ['Progressing', 'Paused'];
export const isActive = (state: RolloutState): boolean => ACTIVE_ROLLOUT_STATES.includes(state);
export { ROLLOUT_STATES };
