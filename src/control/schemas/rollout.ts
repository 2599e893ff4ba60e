// The rollout resource on the wire (docs/rollout.md): the start body, the view `show` prints, and the
// list. The policy's own rules (defaults, bounds, unknown keys) are in spec/rollout-policy.ts; the
// schema here describes it for the OpenAPI document and refuses wrong types at the door; unknown keys
// reach the normaliser, whose message names the key and lists the known ones.
import { Type } from '@sinclair/typebox';
import { PercentMap } from './common.js';

const Duration = Type.String({ description: 'An integer and a unit: 500ms, 30s, 5m, 1h' });
const Percent = Type.Integer({ minimum: 1, maximum: 100 });
const Fraction = Type.Number({ minimum: 0, maximum: 1 });

const Step = Type.Object({
  shadow: Type.Optional({ ...Percent, description: 'Mirror this share to the candidate while the baseline answers' }),
  traffic: Type.Optional({ ...Percent, description: 'The candidate answers this share of live traffic; the last step is {traffic: 100}' }),
  duration: Type.Optional(Duration),
}, { description: 'Exactly one of shadow or traffic; every step but the last needs a duration' });

const MannWhitney = Type.Object({
  significance: Type.Number({ exclusiveMinimum: 0, maximum: 0.5, description: 'Fail when the one-sided p-value that the candidate is slower is below this' }),
  allowed_increase: Type.Optional(Type.Number({ minimum: 0, description: 'Slowness tolerated first (0.1: 10%)' })),
});

const GatesInput = Type.Object({
  max_error_rate: Type.Optional(Fraction),
  max_latency_p99_ratio: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  min_agreement: Type.Optional(Type.Union([Fraction, Type.Null()])),
  min_requests: Type.Optional(Type.Integer({ minimum: 1 })),
  latency_mann_whitney: Type.Optional(Type.Union([MannWhitney, Type.Null()])),
});

export const RolloutPolicyInput = Type.Object({
  steps: Type.Optional(Type.Array(Step, { minItems: 1, maxItems: 20 })),
  gates: Type.Optional(GatesInput),
  interval: Type.Optional(Duration),
  on_failure: Type.Optional(Type.String({ description: 'rollback (default) or pause' })),
  delete_baseline_on_success: Type.Optional(Type.Boolean()),
}, { description: 'Defaults: docs/rollout.md. Unknown keys are refused by name (UnknownKey).' });

export const RolloutStartBody = Type.Object({
  candidate: Type.String({ description: 'The deployment to roll out' }),
  policy: Type.Optional(RolloutPolicyInput),
}, { additionalProperties: false });

const Gates = Type.Object({
  max_error_rate: Type.Number(),
  max_latency_p99_ratio: Type.Number(),
  min_agreement: Type.Union([Type.Number(), Type.Null()]),
  min_requests: Type.Integer(),
  latency_mann_whitney: Type.Union([Type.Object({ significance: Type.Number(), allowed_increase: Type.Number() }), Type.Null()]),
});

const Policy = Type.Object({
  steps: Type.Array(Type.Object({ shadow: Type.Optional(Type.Integer()), traffic: Type.Optional(Type.Integer()), duration: Type.Optional(Type.String()) })),
  gates: Gates,
  interval: Type.String(),
  on_failure: Type.String(),
  delete_baseline_on_success: Type.Boolean(),
});

const Window = Type.Object({
  from: Type.String(), to: Type.String(), candidate_requests: Type.Integer(), baseline_requests: Type.Integer(),
});

const GateResult = Type.Object({
  gate: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  threshold: Type.Number(),
  verdict: Type.String({ description: 'pass, fail, pending (not enough data) or not_applicable' }),
  detail: Type.String(),
});

const Reason = Type.Object({
  message: Type.String(),
  gate: Type.Optional(Type.String()),
  value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  threshold: Type.Optional(Type.Number()),
  window: Type.Optional(Window),
});

const HistoryEntry = Type.Object({
  at: Type.String(), event: Type.String(), step: Type.Integer(), message: Type.String(), by: Type.String(),
  traffic: Type.Optional(PercentMap), mirror_traffic: Type.Optional(PercentMap),
});

export const RolloutView = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  spec: Type.Object({
    candidate: Type.String(),
    baseline: PercentMap,
    policy: Policy,
    started_by: Type.String(),
    started_by_role: Type.Union([Type.String(), Type.Null()]),
  }),
  status: Type.Object({
    state: Type.String({ description: 'Progressing, Paused, Succeeded, RolledBack or Aborted' }),
    step: Type.Integer({ description: 'Index of the current step in spec.policy.steps' }),
    step_started_at: Type.String(),
    bake_ms: Type.Integer({ description: 'Bake time spent in the current step while Progressing' }),
    applied: Type.Boolean(),
    gates: Type.Array(GateResult),
    window: Type.Union([Window, Type.Null()]),
    reason: Type.Union([Reason, Type.Null()]),
    last_evaluated_at: Type.Union([Type.String(), Type.Null()]),
    history: Type.Array(HistoryEntry),
  }),
  routing: Type.Object({ traffic: PercentMap, mirror_traffic: PercentMap }),
  current_step: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
