// While a rollout is Progressing it owns the endpoint's traffic and mirror: a user's change to them is
// refused (pause or abort first), and so is deleting a deployment the rollout moves traffic between.
// A paused rollout lets the user change traffic by hand; resume puts the step's traffic back. The
// candidate cannot be updated while its rollout is active (the baseline can, e.g. to scale it).
import { SwitchyardError } from '../errors.js';
import type { EndpointSpec } from '../spec/types.js';
import type { Store } from '../store/store.js';
import { sameRouting } from './rollout-routing.js';
import { isActive } from '../spec/rollout.js';

/**
 * Refuses a patch that changes traffic or mirror traffic while a rollout is Progressing. With `after`
 * (the patched spec) only a real change is refused; without it (the patch was invalid anyway) any
 * patch that names traffic or mirror_traffic is.
 */
export function refuseRoutingChangeDuringRollout(store: Store, before: EndpointSpec, patch: unknown, after?: EndpointSpec): void {
  const rollout = store.latestRollout(before.name);
  if (!rollout || rollout.status.state !== 'Progressing') return;
  const named = typeof patch === 'object' && patch !== null && ('traffic' in patch || 'mirror_traffic' in patch);
  if (!named) return;
  if (after && sameRouting({ traffic: before.traffic, mirror_traffic: before.mirror_traffic }, { traffic: after.traffic, mirror_traffic: after.mirror_traffic })) return;
  const e = before.name;
  throw new SwitchyardError('RolloutInProgress',
    `Endpoint ${JSON.stringify(e)} has a rollout in progress (candidate ${rollout.spec.candidate}, step ${rollout.status.step + 1} of ${rollout.spec.policy.steps.length}) that manages its traffic and mirror traffic. `
    + `Pause it (\`switchyard rollout pause --endpoint ${e}\`) or abort it (\`switchyard rollout abort --endpoint ${e}\`) first.`,
    { rollout: rollout.id });
}

export function refuseDeleteDuringRollout(store: Store, endpoint: string, deployment: string): void {
  const rollout = store.latestRollout(endpoint);
  if (!rollout || !isActive(rollout.status.state)) return;
  if (deployment !== rollout.spec.candidate && !(deployment in rollout.spec.baseline)) return;
  throw new SwitchyardError('RolloutInProgress',
    `Deployment ${JSON.stringify(deployment)} takes part in the rollout of ${rollout.spec.candidate} on endpoint ${JSON.stringify(endpoint)} (${rollout.status.state}). `
    + `Abort the rollout first (\`switchyard rollout abort --endpoint ${endpoint}\`), or wait until it ends.`,
    { rollout: rollout.id });
}

/** The candidate is judged as it was when the rollout started: changing it mid-rollout is refused. */
export function refuseCandidateUpdateDuringRollout(store: Store, endpoint: string, deployment: string): void {
  const rollout = store.latestRollout(endpoint);
  if (!rollout || !isActive(rollout.status.state) || deployment !== rollout.spec.candidate) return;
  throw new SwitchyardError('RolloutInProgress',
    `Deployment ${JSON.stringify(deployment)} is the candidate of a rollout on endpoint ${JSON.stringify(endpoint)} (${rollout.status.state}, step ${rollout.status.step + 1}); its gates judge it as it is. `
    + `Abort the rollout first (\`switchyard rollout abort --endpoint ${endpoint}\`), update it, then start a new rollout.`,
    { rollout: rollout.id });
}
