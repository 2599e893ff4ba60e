// Rollout actions behind the REST routes: start (validate the policy against the endpoint, record the
// rollout), show, list, pause, resume, abort, promote. Each change runs between two controller passes
// of the endpoint (RolloutController.act), is committed in one transaction, and is followed by a pass
// that puts it in force. A refusal throws before any write.
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../errors.js';
import type { RolloutHistoryEntry, RolloutRecord, RolloutState, RolloutStatus, RolloutView } from '../spec/rollout.js';
import { isActive } from '../spec/rollout.js';
import { describeStep, isShadowStep, normaliseRolloutPolicy } from '../spec/rollout-policy.js';
import { checkInput } from '../spec/schema/check.js';
import { RolloutStartInput } from '../spec/schema/rollout.js';
import { MIRROR_MAX_PERCENT, describeMap, dropZeros } from '../spec/traffic.js';
import type { Store } from '../store/store.js';
import type { Principal } from './auth.js';
import type { RolloutController } from './rollout-controller.js';
import { desiredRouting } from './rollout-routing.js';


export function rolloutView(r: RolloutRecord): RolloutView {
  const steps = r.spec.policy.steps;
  const step = steps[Math.min(r.status.step, steps.length - 1)]!;
  return { ...r, routing: desiredRouting(r), current_step: `${Math.min(r.status.step, steps.length - 1) + 1} of ${steps.length}: ${describeStep(step)}` };
}

export class RolloutService {
  constructor(
    private readonly store: Store,
    private readonly controller: RolloutController,
    /** Whether the shadow comparison exists here (min_agreement needs it). */
    private readonly hasAgreement: boolean,
  ) {}

  private latest(endpoint: string): RolloutRecord {
    if (!this.store.getEndpoint(endpoint)) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(endpoint)} does not exist.`);
    const r = this.store.latestRollout(endpoint);
    if (!r) {
      throw new SwitchyardError('RolloutNotFound',
        `Endpoint ${JSON.stringify(endpoint)} has no rollout. Start one with \`switchyard rollout start --endpoint ${endpoint} --candidate <deployment>\`.`);
    }
    return r;
  }

  get(endpoint: string): RolloutView {
    return rolloutView(this.latest(endpoint));
  }

  list(): RolloutView[] {
    return this.store.listRollouts().map(rolloutView);
  }

  async start(endpoint: string, body: unknown, by: Principal): Promise<RolloutView> {
    checkInput(RolloutStartInput, body);
    const candidate = body.candidate;
    const policy = normaliseRolloutPolicy(body.policy);
    if (policy.gates.min_agreement !== null && !this.hasAgreement) {
      throw new SwitchyardError('InvalidValue',
        'gates.min_agreement needs the shadow comparison of mirrored answers, which this server does not have; remove min_agreement from the policy.');
    }
    const record = await this.controller.act(endpoint, () => this.store.transaction(() => {
      const ep = this.store.getEndpoint(endpoint);
      if (!ep) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(endpoint)} does not exist.`);
      if (ep.provisioning_state === 'Deleting') throw new SwitchyardError('OperationInProgress', `Endpoint ${JSON.stringify(endpoint)} is being deleted.`);
      const current = this.store.latestRollout(endpoint);
      if (current && isActive(current.status.state)) {
        throw new SwitchyardError('RolloutInProgress',
          `Endpoint ${JSON.stringify(endpoint)} already has a rollout in progress (candidate ${current.spec.candidate}, ${current.status.state}, step ${current.status.step + 1} of ${current.spec.policy.steps.length}). Abort it first (\`switchyard rollout abort --endpoint ${endpoint}\`), or wait until it ends.`,
          { rollout: current.id });
      }
      const names = this.store.listDeployments(endpoint).filter((d) => d.provisioning_state !== 'Deleting').map((d) => d.spec.name);
      const dep = this.store.getDeployment(endpoint, candidate);
      if (!dep || dep.provisioning_state === 'Deleting') {
        throw new SwitchyardError('DeploymentNotFound',
          `The candidate deployment ${JSON.stringify(candidate)} does not exist in endpoint ${JSON.stringify(endpoint)} (deployments: ${names.join(', ') || 'none'}). Create it first with \`online-deployment create\`.`);
      }
      if (dep.provisioning_state !== 'Succeeded') {
        throw new SwitchyardError(dep.provisioning_state === 'Failed' ? 'InvalidValue' : 'OperationInProgress',
          `The candidate deployment ${JSON.stringify(candidate)} is ${dep.provisioning_state}; a rollout needs a deployment whose instances are ready (provisioning_state Succeeded).`);
      }
      const baseline = dropZeros(Object.fromEntries(Object.entries(ep.spec.traffic).filter(([d]) => d !== candidate)));
      if (Object.keys(baseline).length === 0) {
        throw new SwitchyardError('InvalidValue', (ep.spec.traffic[candidate] ?? 0) > 0
          ? `${candidate} already has all of the live traffic of endpoint ${JSON.stringify(endpoint)} (${describeMap(ep.spec.traffic)}): there is no baseline to roll out from.`
          : `Endpoint ${JSON.stringify(endpoint)} has no live traffic (traffic ${describeMap(ep.spec.traffic)}): a rollout moves traffic from the deployments that serve it now. Give the current deployment 100% first (online-endpoint update --traffic "blue=100").`);
      }
      const otherMirror = Object.keys(ep.spec.mirror_traffic).find((d) => d !== candidate);
      if (otherMirror) {
        throw new SwitchyardError('MirrorInvalid',
          `Endpoint ${JSON.stringify(endpoint)} mirrors traffic to ${otherMirror}; a rollout manages the endpoint's mirror while it runs. Stop that mirror first (online-endpoint update --mirror-traffic "${otherMirror}=0").`);
      }
      const shadowed = (ep.spec as { shadow_traffic?: Record<string, number> }).shadow_traffic ?? {};
      if ((shadowed[candidate] ?? 0) > 0 && policy.steps.some(isShadowStep)) {
        throw new SwitchyardError('MirrorInvalid',
          `${candidate} is already a shadow of endpoint ${JSON.stringify(endpoint)} under shadow_traffic; the rollout's shadow steps mirror to it with mirror_traffic, and a deployment cannot be in both. Remove it from shadow_traffic first, or use a policy without shadow steps.`);
      }
      policy.steps.forEach((s, i) => {
        if (isShadowStep(s) && s.shadow > MIRROR_MAX_PERCENT) {
          throw new SwitchyardError('MirrorInvalid',
            `steps[${i}] mirrors ${s.shadow}% to the candidate; endpoint ${JSON.stringify(endpoint)} allows at most ${MIRROR_MAX_PERCENT}% mirror traffic. Use a shadow step of ${MIRROR_MAX_PERCENT} or less.`);
        }
      });
      const at = new Date().toISOString();
      const status: RolloutStatus = {
        state: 'Progressing', step: 0, step_started_at: at, bake_ms: 0, applied: false, gates: [], window: null, reason: null,
        last_evaluated_at: null,
        history: [{
          at, event: 'started', step: 0, by: by.name, traffic: ep.spec.traffic, mirror_traffic: ep.spec.mirror_traffic,
          message: `Rollout of ${candidate} started by ${by.name} from baseline ${describeMap(baseline)}, ${policy.steps.length} steps: ${policy.steps.map(describeStep).join(', ')}.`,
        }],
      };
      return this.store.insertRollout({
        id: randomUUID(), endpoint,
        spec: { candidate, baseline, policy, started_by: by.name, started_by_role: by.role },
        status,
      });
    }));
    return rolloutView(this.store.getRolloutById(record.id) ?? record);
  }

  /** Changes the state of the endpoint's active rollout; `change` answers the new status fields. */
  private async transition(endpoint: string, by: Principal, allowed: readonly RolloutState[], verb: string,
    change: (r: RolloutRecord) => { status: Partial<RolloutStatus>; event: string; message: string }): Promise<RolloutView> {
    const id = await this.controller.act(endpoint, () => this.store.transaction(() => {
      const r = this.latest(endpoint);
      if (!allowed.includes(r.status.state)) {
        throw new SwitchyardError('RolloutNotActive',
          `The rollout of ${r.spec.candidate} on endpoint ${JSON.stringify(endpoint)} is ${r.status.state}; only a rollout that is ${allowed.join(' or ')} can be ${verb}.`,
          { rollout: r.id, state: r.status.state });
      }
      const { status, event, message } = change(r);
      const entry: RolloutHistoryEntry = { at: new Date().toISOString(), event, step: status.step ?? r.status.step, message, by: by.name };
      this.store.updateRolloutStatus(r.id, { ...r.status, ...status, history: [...r.status.history, entry] });
      return r.id;
    }));
    return rolloutView(this.store.getRolloutById(id)!);
  }

  pause(endpoint: string, by: Principal): Promise<RolloutView> {
    return this.transition(endpoint, by, ['Progressing'], 'paused', () => ({
      status: { state: 'Paused', reason: { message: `Paused by ${by.name}.` } },
      event: 'paused', message: `Paused by ${by.name}; traffic stays as it is until resume or abort.`,
    }));
  }

  resume(endpoint: string, by: Principal): Promise<RolloutView> {
    return this.transition(endpoint, by, ['Paused'], 'resumed', (r) => ({
      status: { state: 'Progressing', reason: null },
      event: 'resumed', message: `Resumed by ${by.name} at step ${r.status.step + 1}, with ${Math.round(r.status.bake_ms / 1000)}s of bake time spent; the gates read a new window.`,
    }));
  }

  abort(endpoint: string, by: Principal): Promise<RolloutView> {
    return this.transition(endpoint, by, ['Progressing', 'Paused'], 'aborted', (r) => ({
      status: { state: 'Aborted', applied: false, reason: { message: `Aborted by ${by.name}.` } },
      event: 'aborted', message: `Aborted by ${by.name}: the baseline gets ${describeMap(r.spec.baseline)} again; ${r.spec.candidate} is kept.`,
    }));
  }

  promote(endpoint: string, by: Principal): Promise<RolloutView> {
    return this.transition(endpoint, by, ['Progressing', 'Paused'], 'promoted', (r) => {
      const steps = r.spec.policy.steps;
      const next = Math.min(r.status.step + 1, steps.length - 1);
      const atLast = r.status.step >= steps.length - 1;
      return {
        status: atLast
          ? { state: 'Succeeded', applied: false, reason: null }
          : { state: 'Progressing', step: next, step_started_at: new Date().toISOString(), bake_ms: 0, reason: null },
        event: 'promoted',
        message: atLast
          ? `Promoted by ${by.name} at the last step: ${r.spec.candidate} keeps 100%.`
          : `Promoted by ${by.name} without a verdict from step ${r.status.step + 1} (${describeStep(steps[r.status.step]!)}) to step ${next + 1} (${describeStep(steps[next]!)}).`,
      };
    });
  }
}
