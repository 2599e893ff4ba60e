// The comparison resource (GET /api/v1/endpoints/:name/comparison): per-shadow evidence of mirrored
// answers compared with live ones. Mirrors ShadowComparison in control/comparer.ts.
import { Type } from '@sinclair/typebox';

const Num = Type.Union([Type.Number(), Type.Null()]);
const Quantiles = Type.Object({ mean: Num, p50: Num, p99: Num, max: Num });
const Counts = Type.Record(Type.String(), Type.Integer());

export const ComparisonSample = Type.Object({
  at: Type.String({ format: 'date-time' }),
  request_id: Type.String(),
  live_deployment: Type.String(),
  request: Type.String({ description: 'The request body (first 2 KiB)' }),
  request_bytes: Type.Integer(),
  live: Type.Object({ status: Type.Integer(), latency_ms: Type.Number(), body: Type.String() }),
  shadow: Type.Object({ status: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]), latency_ms: Type.Number(), body: Type.String() }),
  difference: Type.Union([
    Type.Object({ path: Type.String(), live: Type.Unknown(), shadow: Type.Unknown(), count: Type.Integer() }),
    Type.Null(),
  ]),
});

export const ShadowComparison = Type.Object({
  deployment: Type.String(),
  kind: Type.Union([Type.Literal('mirror'), Type.Literal('shadow')]),
  window: Type.Object({ since: Type.String({ format: 'date-time' }), until: Type.String({ format: 'date-time' }) }),
  pairs: Type.Integer(),
  agreement: Num,
  status_agreement: Num,
  statuses: Type.Object({ both_ok: Type.Integer(), shadow_failed: Type.Integer(), live_failed: Type.Integer(), both_failed: Type.Integer() }),
  abs_diff: Quantiles,
  rel_diff: Quantiles,
  latency_ms: Type.Object({ live_p50: Num, live_p99: Num, shadow_p50: Num, shadow_p99: Num }),
  shadow_errors: Type.Integer(),
  dropped: Type.Integer(),
  dropped_by_reason: Counts,
  live_deployments: Counts,
  noise: Type.Union([
    Type.Object({ pairs: Type.Integer(), agreement: Num, noisy_paths: Type.Array(Type.String()), ignored: Type.Integer() }),
    Type.Null(),
  ]),
  distribution: Type.Union([
    Type.Object({ test: Type.Literal('ks'), statistic: Type.Number(), p_value: Type.Number(), shifted: Type.Boolean(), pairs: Type.Integer() }),
    Type.Null(),
  ]),
  tolerance: Type.Object({ abs: Type.Number(), rel: Type.Number() }),
  samples: Type.Array(ComparisonSample),
  samples_withheld: Type.Optional(Type.Boolean()),
});

export const EndpointComparison = Type.Object({
  endpoint: Type.String(),
  shadows: Type.Array(ShadowComparison),
});

export const EndpointComparisonSamples = Type.Object({
  endpoint: Type.String(),
  shadows: Type.Array(Type.Object({ deployment: Type.String(), samples: Type.Array(ComparisonSample) })),
});

export const ComparisonQuery = Type.Object({
  deployment: Type.Optional(Type.String({ description: 'Only this shadow deployment' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only pairs compared at or after this time' })),
});
