// Where a rollout wants the endpoint's traffic and mirror to be, for each state and step. Pure: the
// controller compares this with the endpoint's spec and, when they differ, applies it through the
// endpoint service (the same path as `online-endpoint update`). Live sums are always 0 or 100.
import type { RolloutRecord, RolloutSpec } from '../spec/rollout.js';
import { isShadowStep } from '../spec/rollout-policy.js';
import { dropZeros, type TrafficMap } from '../spec/traffic.js';

export interface Routing {
  traffic: TrafficMap;
  mirror_traffic: TrafficMap;
}

/**
 * The baseline's weights scaled to `share` percent in integers (largest remainder: the sum is exact,
 * ties go to the deployment listed first).
 */
export function scaleBaseline(baseline: TrafficMap, share: number): TrafficMap {
  const entries = Object.entries(dropZeros(baseline));
  const total = entries.reduce((a, [, p]) => a + p, 0);
  if (total === 0 || share === 0) return {};
  const exact = entries.map(([name, p]) => ({ name, value: (p * share) / total }));
  const out: TrafficMap = {};
  let given = 0;
  for (const e of exact) { out[e.name] = Math.floor(e.value); given += out[e.name]!; }
  const byRemainder = [...exact].sort((a, b) => (b.value - Math.floor(b.value)) - (a.value - Math.floor(a.value)));
  for (let i = 0; given < share; i++, given++) out[byRemainder[i % byRemainder.length]!.name]! += 1;
  return dropZeros(out);
}

export const baselineRouting = (spec: RolloutSpec): Routing => ({ traffic: dropZeros(spec.baseline), mirror_traffic: {} });

/** The routing of step `index`: a shadow step mirrors to the candidate, a traffic step gives it a share. */
export function stepRouting(spec: RolloutSpec, index: number): Routing {
  const step = spec.policy.steps[index]!;
  if (isShadowStep(step)) return { traffic: dropZeros(spec.baseline), mirror_traffic: { [spec.candidate]: step.shadow } };
  return { traffic: dropZeros({ ...scaleBaseline(spec.baseline, 100 - step.traffic), [spec.candidate]: step.traffic }), mirror_traffic: {} };
}

/** What the rollout wants in force now: its step while it runs, the baseline after a rollback or abort. */
export function desiredRouting(rollout: RolloutRecord): Routing {
  switch (rollout.status.state) {
    case 'RolledBack':
    case 'Aborted':
      return baselineRouting(rollout.spec);
    case 'Succeeded':
      return { traffic: { [rollout.spec.candidate]: 100 }, mirror_traffic: {} };
    default:
      return stepRouting(rollout.spec, rollout.status.step);
  }
}

const sameMap = (a: TrafficMap, b: TrafficMap): boolean => {
  const x = dropZeros(a);
  const y = dropZeros(b);
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
};

export const sameRouting = (a: Routing, b: Routing): boolean => sameMap(a.traffic, b.traffic) && sameMap(a.mirror_traffic, b.mirror_traffic);
