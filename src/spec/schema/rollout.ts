// The rollout resource (docs/rollout.md): what `rollout start` takes (the candidate and the policy, as a
// REST body, a policy YAML file or SDK input) and what `rollout show` prints. One source: the REST
// validation, the OpenAPI document, the YAML key and value check of the policy file, the SDK's types and
// spec/rollout-policy.ts (defaults from here, and the rules between steps) all come from this file.
import { Type, type SchemaOptions, type Static } from '@sinclair/typebox';
import { Choice, Int, Literals, PercentMap, ResourceName } from './fields.js';

export const ROLLOUT_STATES = ['Progressing', 'Paused', 'Succeeded', 'RolledBack', 'Aborted'] as const;
export const GATE_NAMES = ['min_requests', 'max_error_rate', 'max_latency_p99_ratio', 'min_agreement', 'latency_mann_whitney'] as const;
export const GATE_VERDICTS = ['pass', 'fail', 'pending', 'not_applicable'] as const;
export const ON_FAILURE = ['rollback', 'pause'] as const;

/** `500ms`, `30s`, `5m`, `1h`: an integer and a unit (spec/durations.ts reads it). */
export const Duration = (options: SchemaOptions = {}) => Type.String({
  pattern: '^\\s*\\d{1,9}(ms|s|m|h)\\s*$', 'x-expected': 'a duration such as 30s, 5m or 1h (units: ms, s, m, h)',
  examples: ['5m'], ...options,
});

const Share = (options: SchemaOptions = {}) => Type.Number({ minimum: 0, maximum: 1, 'x-expected': 'a number from 0 to 1 (a share: 0.01 is 1%)', ...options });

export const RolloutStepInput = Type.Object({
  shadow: Type.Optional(Int(1, 100, { description: 'Mirror this percent of requests to the candidate while the baseline answers' })),
  traffic: Type.Optional(Int(1, 100, { description: 'The candidate answers this percent of live traffic; the last step is {traffic: 100}' })),
  duration: Type.Optional(Duration({ description: 'Bake time of the step; every step but the last needs one' })),
}, { additionalProperties: false, description: 'Exactly one of shadow or traffic' });

export const MannWhitneyInput = Type.Object({
  significance: Type.Number({ exclusiveMinimum: 0, maximum: 0.5, 'x-expected': 'a number above 0 and at most 0.5 (e.g. 0.01)', description: 'Fail when the one-sided p-value that the candidate is slower is below this' }),
  allowed_increase: Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: 0, description: 'Slowness tolerated first (0.1: 10%)' })),
}, { additionalProperties: false });

export const RolloutGatesInput = Type.Object({
  max_error_rate: Type.Optional(Share({ default: 0.01, description: "Largest share of the candidate's answers that are 5xx, 424 or 408 (or none, for a shadow)" })),
  max_latency_p99_ratio: Type.Optional(Type.Number({ minimum: 0.01, maximum: 1000, default: 1.5, 'x-expected': 'a ratio from 0.01 to 1000 (1.5: the candidate\'s p99 at most 1.5x the baseline\'s)', description: 'Largest candidate p99 ÷ baseline p99 over the same window' })),
  min_agreement: Type.Optional(Type.Union([Share(), Type.Null()], { default: null, description: 'Smallest share of compared answers that agree (shadow steps; from the shadow comparison); null: not gated' })),
  min_requests: Type.Optional(Int(1, 100_000_000, { default: 100, description: 'No verdict, and no promotion, on fewer answers (per side) in the window' })),
  latency_mann_whitney: Type.Optional(Type.Union([MannWhitneyInput, Type.Null()], { default: null, description: 'One-sided Mann-Whitney U test of the latencies; null: off' })),
}, { additionalProperties: false });

export const DEFAULT_STEPS = [
  { shadow: 20, duration: '5m' },
  { traffic: 20, duration: '5m' },
  { traffic: 50, duration: '5m' },
  { traffic: 100 },
];

/** The policy file of `rollout start -f`, and `policy` of POST /api/v1/endpoints/{name}/rollout. */
export const RolloutPolicyInput = Type.Object({
  steps: Type.Optional(Type.Array(RolloutStepInput, { minItems: 1, maxItems: 20, default: DEFAULT_STEPS, 'x-expected': 'a non-empty list of at most 20 steps ending with {traffic: 100}' })),
  gates: Type.Optional(RolloutGatesInput),
  interval: Type.Optional(Duration({ default: '30s', description: 'How often gates are evaluated (at least 200ms)' })),
  on_failure: Type.Optional(Choice(ON_FAILURE, { default: 'rollback', description: 'rollback: baseline 100% at once; pause: traffic stays' })),
  delete_baseline_on_success: Type.Optional(Type.Boolean({ default: false })),
}, { title: 'rollout policy', additionalProperties: false, description: 'Defaults: docs/rollout.md' });
export type RolloutPolicyInput = Static<typeof RolloutPolicyInput>;

/** POST /api/v1/endpoints/{name}/rollout, `rollout start`. */
export const RolloutStartInput = Type.Object({
  candidate: ResourceName('deployment', { description: 'The deployment to roll out (it must exist and be ready)', examples: ['green'] }),
  policy: Type.Optional(RolloutPolicyInput),
}, { title: 'rollout', additionalProperties: false });
export type RolloutStartInput = Static<typeof RolloutStartInput>;

// --- the stored resource and its view -----------------------------------------------------------

const Window = Type.Object({ from: Type.String(), to: Type.String(), candidate_requests: Type.Integer(), baseline_requests: Type.Integer() });

const GateResult = Type.Object({
  gate: Literals(GATE_NAMES),
  value: Type.Union([Type.Number(), Type.Null()]),
  threshold: Type.Number(),
  verdict: Literals(GATE_VERDICTS, { description: 'pass, fail, pending (not enough data yet) or not_applicable' }),
  detail: Type.String(),
});

const Reason = Type.Object({
  message: Type.String(),
  gate: Type.Optional(Literals(GATE_NAMES)),
  value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  threshold: Type.Optional(Type.Number()),
  window: Type.Optional(Window),
});

const HistoryEntry = Type.Object({
  at: Type.String(),
  event: Type.String({ description: 'started, step, promoted, paused, resumed, rolled_back, aborted, succeeded, traffic, baseline_deleted ...' }),
  step: Type.Integer(),
  message: Type.String(),
  by: Type.String({ description: 'The user, or rollout-controller' }),
  traffic: Type.Optional(PercentMap()),
  mirror_traffic: Type.Optional(PercentMap()),
});

/** The policy as stored: every default applied. */
export const RolloutPolicy = Type.Object({
  steps: Type.Array(Type.Union([
    Type.Object({ shadow: Type.Integer(), duration: Type.String() }),
    Type.Object({ traffic: Type.Integer(), duration: Type.Optional(Type.String()) }),
  ])),
  gates: Type.Object({
    max_error_rate: Type.Number(),
    max_latency_p99_ratio: Type.Number(),
    min_agreement: Type.Union([Type.Number(), Type.Null()]),
    min_requests: Type.Integer(),
    latency_mann_whitney: Type.Union([Type.Object({ significance: Type.Number(), allowed_increase: Type.Number() }), Type.Null()]),
  }),
  interval: Type.String(),
  on_failure: Literals(ON_FAILURE),
  delete_baseline_on_success: Type.Boolean(),
});

const rolloutRecordFields = {
  id: Type.String(),
  endpoint: Type.String(),
  spec: Type.Object({
    candidate: Type.String(),
    baseline: PercentMap({ description: 'The live traffic without the candidate when it started: where a rollback returns' }),
    policy: RolloutPolicy,
    started_by: Type.String(),
    started_by_role: Type.Union([Type.String(), Type.Null()]),
  }),
  status: Type.Object({
    state: Literals(ROLLOUT_STATES),
    step: Type.Integer({ description: 'Index of the current step in spec.policy.steps' }),
    step_started_at: Type.String(),
    bake_ms: Type.Integer({ description: 'Bake time spent in the current step while Progressing (kept across restarts)' }),
    applied: Type.Boolean({ description: 'The routing of the current state is in force (finished states are applied once)' }),
    gates: Type.Array(GateResult),
    window: Type.Union([Window, Type.Null()]),
    reason: Type.Union([Reason, Type.Null()]),
    last_evaluated_at: Type.Union([Type.String(), Type.Null()]),
    history: Type.Array(HistoryEntry, { description: 'The first entry and the newest, 200 at most' }),
  }),
  created_at: Type.String(),
  updated_at: Type.String(),
};

/** A rollout as stored. */
export const RolloutRecord = Type.Object(rolloutRecordFields);

/** What `rollout show` prints: the record, the routing it holds in force, its step in words. */
export const RolloutView = Type.Object({
  ...rolloutRecordFields,
  routing: Type.Object({ traffic: PercentMap(), mirror_traffic: PercentMap() }),
  current_step: Type.String({ description: 'e.g. "2 of 4: traffic 20% for 5m"' }),
});
