// Deployment actions behind the REST routes. Each change commits the new spec, provisioning_state and
// a Running operation in one transaction before the 202 answer, then kicks the reconciler, which does
// the slow part (instances) and ends the operation.
import { SwitchyardError } from '../errors.js';
import type { Operation } from '../spec/types.js';
import { normaliseDeploymentInput, type AssetResolver } from '../spec/deployment-input.js';
import type { DeploymentRecord, EndpointRecord } from '../store/store.js';
import type { ReadLogsOptions } from '../runtime/backend.js';
import type { ControlContext } from './context.js';
import { refuseConflict } from './endpoint-service.js';
import { setCondition } from './conditions.js';
import { deploymentView, type DeploymentView } from './views.js';
import { deploymentMetrics } from './deployment-metrics.js';
import { buildTemplate } from './template.js';
import { manifestList, renderManifests, type KubernetesObject } from '../runtime/kubernetes/manifests.js';
import { kubernetesSettings } from '../runtime/kubernetes/settings.js';
import { refuseCandidateUpdateDuringRollout, refuseDeleteDuringRollout } from './rollout-guard.js';

export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;

export interface DeploymentAccepted {
  operation: Operation;
  deployment: DeploymentView;
}

export class DeploymentService {
  constructor(private readonly ctx: ControlContext) {}

  private resolver(): AssetResolver {
    const { store } = this.ctx;
    return {
      model: (name, version) => store.getModel(name, version),
      environment: (name, version) => store.getEnvironment(name, version),
      artifact: (digest) => store.getArtifact(digest),
    };
  }

  private endpoint(name: string): EndpointRecord {
    const rec = this.ctx.store.getEndpoint(name);
    if (!rec) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(name)} does not exist.`);
    return rec;
  }

  require(endpoint: string, name: string): DeploymentRecord {
    this.endpoint(endpoint);
    const rec = this.ctx.store.getDeployment(endpoint, name);
    if (!rec) {
      throw new SwitchyardError('DeploymentNotFound', `Deployment ${JSON.stringify(name)} does not exist in endpoint ${JSON.stringify(endpoint)}.`);
    }
    return rec;
  }

  view(rec: DeploymentRecord): DeploymentView {
    const { backend, store } = this.ctx;
    const compute = store.getEndpoint(rec.spec.endpoint_name)?.spec.compute;
    return deploymentView(rec, backend.instances(rec.spec.endpoint_name, rec.spec.name), compute);
  }

  list(endpoint: string): DeploymentView[] {
    this.endpoint(endpoint);
    return this.ctx.store.listDeployments(endpoint).map((r) => this.view(r));
  }

  get(endpoint: string, name: string): DeploymentView {
    return this.view(this.require(endpoint, name));
  }

  create(endpoint: string, body: unknown): DeploymentAccepted {
    const { store, operations, reconciler } = this.ctx;
    const at = new Date().toISOString();
    const { op, rec } = store.transaction(() => {
      const ep = this.endpoint(endpoint);
      const spec = normaliseDeploymentInput(body, { endpoint, kubernetes: ep.spec.compute !== undefined, resolve: this.resolver() });
      if (ep.provisioning_state === 'Deleting') {
        throw new SwitchyardError('OperationInProgress', `Endpoint ${JSON.stringify(endpoint)} is being deleted; no deployment can be added to it.`);
      }
      const existing = store.getDeployment(endpoint, spec.name);
      if (existing) {
        throw new SwitchyardError('DeploymentExists', existing.provisioning_state === 'Deleting'
          ? `Deployment ${JSON.stringify(spec.name)} of endpoint ${JSON.stringify(endpoint)} is being deleted; wait until the delete finishes.`
          : `Deployment ${JSON.stringify(spec.name)} already exists in endpoint ${JSON.stringify(endpoint)}. Use \`online-deployment update\` to change it.`);
      }
      const count = store.listDeployments(endpoint).length;
      if (count >= MAX_DEPLOYMENTS_PER_ENDPOINT) {
        throw new SwitchyardError('TooManyDeployments',
          `Endpoint ${JSON.stringify(endpoint)} already has ${count} deployments, the most allowed (${MAX_DEPLOYMENTS_PER_ENDPOINT}). Delete one first.`);
      }
      refuseConflict(this.ctx, endpoint, 'deployment.create');
      store.insertDeployment({ spec, provisioning_state: 'Creating' });
      const rec = store.updateDeployment(endpoint, spec.name, {
        conditions: setCondition([], { type: 'Progressing', status: 'True', reason: 'Creating', message: 'Starting instances.' }, at),
      });
      return { op: operations.begin('deployment.create', endpoint, spec.name), rec };
    });
    void reconciler.reconcileDeployment(endpoint, rec.spec.name);
    return { operation: op, deployment: this.view(rec) };
  }

  update(endpoint: string, name: string, patch: unknown): DeploymentAccepted {
    const { store, operations, reconciler } = this.ctx;
    const at = new Date().toISOString();
    const { op, rec } = store.transaction(() => {
      const current = this.require(endpoint, name);
      refuseCandidateUpdateDuringRollout(store, endpoint, name);
      const kubernetes = this.ctx.store.getEndpoint(endpoint)?.spec.compute !== undefined;
      const spec = normaliseDeploymentInput(patch, { endpoint, name, base: current.spec, kubernetes, resolve: this.resolver() });
      refuseConflict(this.ctx, endpoint, 'deployment.update');
      if (current.provisioning_state === 'Deleting') {
        throw new SwitchyardError('OperationInProgress', `Deployment ${JSON.stringify(name)} is being deleted.`);
      }
      const rec = store.updateDeployment(endpoint, name, {
        spec,
        provisioning_state: 'Updating',
        conditions: setCondition(current.conditions, { type: 'Progressing', status: 'True', reason: 'Updating', message: 'Applying the new spec.' }, at),
      });
      return { op: operations.begin('deployment.update', endpoint, name), rec };
    });
    void reconciler.reconcileDeployment(endpoint, name);
    return { operation: op, deployment: this.view(rec) };
  }

  delete(endpoint: string, name: string): DeploymentAccepted {
    const { store, operations, reconciler } = this.ctx;
    const { op, rec } = store.transaction(() => {
      const current = this.require(endpoint, name);
      refuseDeleteDuringRollout(store, endpoint, name);
      const ep = this.endpoint(endpoint);
      const live = ep.spec.traffic[name] ?? 0;
      if (live > 0) {
        throw new SwitchyardError('DeploymentHasLiveTraffic',
          `Deployment ${JSON.stringify(name)} still has ${live}% of the live traffic of endpoint ${JSON.stringify(endpoint)}. Set its traffic to 0 first (online-endpoint update --traffic "${name}=0 ...").`);
      }
      const mirror = ep.spec.mirror_traffic[name] ?? 0;
      if (mirror > 0) {
        throw new SwitchyardError('DeploymentHasMirrorTraffic',
          `Deployment ${JSON.stringify(name)} still receives ${mirror}% mirror traffic of endpoint ${JSON.stringify(endpoint)}. Set its mirror traffic to 0 first (online-endpoint update --mirror-traffic "${name}=0").`);
      }
      const shadow = ep.spec.shadow_traffic?.[name] ?? 0;
      if (shadow > 0) {
        throw new SwitchyardError('DeploymentHasMirrorTraffic',
          `Deployment ${JSON.stringify(name)} still receives ${shadow}% shadow traffic of endpoint ${JSON.stringify(endpoint)}. Set its shadow traffic to 0 first (online-endpoint update --shadow-traffic "${name}=0").`);
      }
      refuseConflict(this.ctx, endpoint, 'deployment.delete');
      const rec = current.provisioning_state === 'Deleting' ? current : store.updateDeployment(endpoint, name, { provisioning_state: 'Deleting' });
      return { op: operations.begin('deployment.delete', endpoint, name), rec };
    });
    void reconciler.reconcileDeployment(endpoint, name);
    return { operation: op, deployment: this.view(rec) };
  }

  async logs(endpoint: string, name: string, options: ReadLogsOptions): Promise<string> {
    this.require(endpoint, name);
    return this.ctx.backend.readLogs(endpoint, name, options);
  }

  /**
   * The Kubernetes objects the Kubernetes backend applies for this deployment, as a v1 List (Secret
   * values left out), whichever backend runs: how a user reviews them.
   */
  manifests(endpoint: string, name: string): { apiVersion: 'v1'; kind: 'List'; items: KubernetesObject[] } {
    const rec = this.require(endpoint, name);
    const settings = this.ctx.kubernetes ?? kubernetesSettings();
    return { apiVersion: 'v1', kind: 'List', items: manifestList(renderManifests(buildTemplate(rec.spec, this.ctx.artifacts), settings)) };
  }

  async metrics(endpoint: string, name: string): Promise<Record<string, unknown>> {
    this.require(endpoint, name);
    return deploymentMetrics(await this.ctx.gateway.metricsJson(), endpoint, name);
  }
}
