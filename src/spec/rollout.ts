// The rollout resource: what a user asked for (spec: candidate, the baseline it replaces, the policy,
// who started it) and what the rollout controller found and did (status: state, step, bake time, the
// gates' latest values and verdicts, history). One active rollout per endpoint; finished ones are kept.
import type { TrafficMap } from './traffic.js';

export type RolloutState = 'Progressing' | 'Paused' | 'Succeeded' | 'RolledBack' | 'Aborted';

export const ACTIVE_ROLLOUT_STATES: readonly RolloutState[] = ['Progressing', 'Paused'];

/** `{shadow: 20, duration: 5m}`: mirror 20% to the candidate while the baseline answers. */
export interface ShadowStep { shadow: number; duration: string }
/** `{traffic: 20, duration: 5m}`: the candidate answers 20% live; the last step is `{traffic: 100}`. */
export interface TrafficStep { traffic: number; duration?: string }
export type RolloutStep = ShadowStep | TrafficStep;

export interface MannWhitneyGate {
  /** Fails when the candidate is slower with a one-sided p-value below this. */
  significance: number;
  /** Slowness tolerated before the test counts it (0.1: candidate latencies are divided by 1.1). */
  allowed_increase: number;
}

export interface RolloutGates {
  /** Largest share (0..1) of the candidate's answers that may be 5xx, 424 or 408 (or no answer, for a shadow). */
  max_error_rate: number;
  /** Largest candidate p99 ÷ baseline p99 over the same window. */
  max_latency_p99_ratio: number;
  /** Smallest share (0..1) of compared pairs that must agree, on shadow steps; null: not gated. */
  min_agreement: number | null;
  /** No verdict, and no promotion, on fewer requests (per side) in the window. */
  min_requests: number;
  /** Optional Mann-Whitney U test of the candidate's latencies against the baseline's. */
  latency_mann_whitney: MannWhitneyGate | null;
}

export interface RolloutPolicy {
  steps: RolloutStep[];
  gates: RolloutGates;
  /** How often gates are evaluated, e.g. `30s`. */
  interval: string;
  on_failure: 'rollback' | 'pause';
  delete_baseline_on_success: boolean;
}

export interface RolloutSpec {
  candidate: string;
  /** The live traffic without the candidate when the rollout started: where a rollback returns. */
  baseline: TrafficMap;
  policy: RolloutPolicy;
  /** The principal that started it; automatic changes are made on its behalf. */
  started_by: string;
  started_by_role: string | null;
}

export type GateName = 'min_requests' | 'max_error_rate' | 'max_latency_p99_ratio' | 'min_agreement' | 'latency_mann_whitney';

/** pass / fail; pending: not enough data for a verdict yet; not_applicable: not judged on this step. */
export type GateVerdict = 'pass' | 'fail' | 'pending' | 'not_applicable';

export interface GateResult {
  gate: GateName;
  value: number | null;
  threshold: number;
  verdict: GateVerdict;
  /** What the value is made of, e.g. "12 errors of 240 requests". */
  detail: string;
}

export interface RolloutWindow {
  from: string;
  to: string;
  candidate_requests: number;
  baseline_requests: number;
}

/** Why the rollout stopped or paused: the gate, its value and threshold, over which window. */
export interface RolloutReason {
  message: string;
  gate?: GateName;
  value?: number | null;
  threshold?: number;
  window?: RolloutWindow;
}

export interface RolloutHistoryEntry {
  at: string;
  /** started, step, promoted, paused, resumed, rolled_back, aborted, succeeded, baseline_deleted ... */
  event: string;
  step: number;
  message: string;
  /** Who: the user's principal, or `rollout-controller`. */
  by: string;
  traffic?: TrafficMap;
  mirror_traffic?: TrafficMap;
}

export interface RolloutStatus {
  state: RolloutState;
  /** Index of the current step in policy.steps. */
  step: number;
  step_started_at: string;
  /** Bake time spent in this step while Progressing, in ms (kept across restarts). */
  bake_ms: number;
  /** True once the routing of the current state is in force (terminal states are applied once). */
  applied: boolean;
  gates: GateResult[];
  window: RolloutWindow | null;
  reason: RolloutReason | null;
  last_evaluated_at: string | null;
  history: RolloutHistoryEntry[];
}

export interface RolloutRecord {
  id: string;
  endpoint: string;
  spec: RolloutSpec;
  status: RolloutStatus;
  created_at: string;
  updated_at: string;
}

export const isActive = (state: RolloutState): boolean => ACTIVE_ROLLOUT_STATES.includes(state);

/** A rollout as the REST API shows it: the record, the routing it holds in force, its step in words. */
export interface RolloutView extends RolloutRecord {
  routing: { traffic: TrafficMap; mirror_traffic: TrafficMap };
  /** e.g. "2 of 4: traffic 20% for 5m". */
  current_step: string;
}

/** The body of POST /api/v1/endpoints/{name}/rollout: the policy as written in YAML (defaults apply). */
export interface RolloutStartInput {
  candidate: string;
  policy?: Record<string, unknown>;
}
