// The reconciler: given only a key (an endpoint, or an endpoint's deployment) it reads the spec from
// the store and drives the runtime towards it, then writes what is true (provisioning_state,
// conditions, the operation's end). Level-triggered and idempotent: running it again, or after a
// restart, converges to the same place. One pass per key at a time (KeyedQueue).
import type { Logger } from '../logger.js';
import type { EnsureResult, RuntimeBackend } from '../runtime/backend.js';
import type { Operation } from '../spec/types.js';
import type { Store } from '../store/store.js';
import { isSwitchyardError } from '../errors.js';
import { KeyedQueue } from './key-queue.js';
import type { Operations } from './operations.js';
import { buildTemplate, type ArtifactLookup } from './template.js';
import { setCondition, sameConditions } from './conditions.js';
import type { Leadership } from './leadership.js';
import type { GatewayLag } from './gateway-fleet.js';

export interface Publisher {
  /** Resolves once the routing is in force; with the laggards when standalone gateways did not acknowledge it in time. */
  publish(): Promise<GatewayLag | null | void>;
  schedule(): void;
}

export interface ReconcilerDeps {
  store: Store;
  backend: RuntimeBackend;
  artifacts: ArtifactLookup;
  operations: Operations;
  publisher: Publisher;
  logger: Logger;
  now?: () => Date;
  /** With replicas: only the leader runs passes; a follower forwards them (absent: always run). */
  leadership?: Leadership;
}

const isDeploymentChange = (op: Operation) => op.kind === 'deployment.create' || op.kind === 'deployment.update';

export class Reconciler {
  private readonly queue: KeyedQueue;
  private readonly now: () => Date;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.queue = new KeyedQueue((key, e) => deps.logger.error({ err: e, key }, 'reconcile failed'));
  }

  /** Converges an endpoint (create/update: publish its routes; delete: remove it and its deployments). */
  reconcileEndpoint(endpoint: string): Promise<void> {
    const work = { kind: 'endpoint', endpoint } as const;
    if (this.follows(work)) return Promise.resolve();
    // Checked again when the pass starts: a replica may have lost the lead while it waited.
    return this.queue.run(`endpoint/${endpoint}`, async () => { if (!this.follows(work)) await this.endpointPass(endpoint); });
  }

  /** Converges one deployment (ensure its instances, or remove them when it is being deleted). */
  reconcileDeployment(endpoint: string, deployment: string): Promise<void> {
    const work = { kind: 'deployment', endpoint, deployment } as const;
    if (this.follows(work)) return Promise.resolve();
    return this.queue.run(`deployment/${endpoint}/${deployment}`, async () => { if (!this.follows(work)) await this.deploymentPass(endpoint, deployment); });
  }

  /**
   * On server start: lets the backend adopt or stop what an earlier process left, converges every
   * endpoint (finishing any create/update/delete in flight), then every deployment (so instances come
   * back). Resolves once endpoints are done; deployments converge in the background (see idle()).
   */
  async recover(): Promise<void> {
    const { store, backend, logger } = this.deps;
    await backend.recover();
    const endpoints = store.listEndpoints();
    // Deletes may wait on instances being drained: they finish in the background, the rest first.
    await Promise.all(endpoints.map((ep) => {
      const pass = this.reconcileEndpoint(ep.spec.name);
      return ep.provisioning_state === 'Deleting' ? undefined : pass;
    }));
    // Operations whose endpoint row is gone were finished by the endpoint pass; any other deployment
    // left Creating/Updating/Deleting, and every Succeeded one, is driven again.
    for (const dep of store.listDeployments()) void this.reconcileDeployment(dep.spec.endpoint_name, dep.spec.name);
    for (const op of store.runningOperations()) {
      if (!store.getEndpoint(op.endpoint)) void this.reconcileEndpoint(op.endpoint);
      else if (op.deployment && !store.getDeployment(op.endpoint, op.deployment)) void this.reconcileDeployment(op.endpoint, op.deployment);
    }
    // The gateways' first snapshot even when the store holds no endpoint yet: a standalone gateway
    // announces itself once it has one.
    await this.deps.publisher.publish();
    logger.info({ endpoints: endpoints.length }, 'reconciler recovered the stored state');
  }

  /** A follower replica hands the pass to the leader (which writes the outcome to the shared store). */
  private follows(work: Parameters<Leadership['forward']>[0]): boolean {
    const leadership = this.deps.leadership;
    if (!leadership || leadership.leading()) return false;
    leadership.forward(work);
    return true;
  }

  /** Resolves when no reconcile is running or waiting (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Takes no new work; waits for running passes at most `timeoutMs` (they may wait on instances). */
  close(timeoutMs?: number): Promise<void> {
    return this.queue.close(timeoutMs);
  }

  private async endpointPass(endpoint: string): Promise<void> {
    const { store, operations, publisher } = this.deps;
    const ep = store.getEndpoint(endpoint);
    if (!ep) {
      operations.finishWhere(endpoint, () => true, endedByDeletion(endpoint));
      await publisher.publish();
      return;
    }
    if (ep.provisioning_state === 'Deleting') {
      await this.deleteEndpoint(endpoint);
      return;
    }
    // Create and update are routing changes: done once the gateways have the snapshot with them. A
    // standalone gateway that does not acknowledge in time fails the operation, naming it (the change
    // stays committed: it is in force everywhere else, and there once that gateway catches up).
    const lag = await publisher.publish();
    store.transaction(() => {
      const current = store.getEndpoint(endpoint);
      if (!current || current.generation !== ep.generation || current.provisioning_state === 'Deleting') return;
      if (current.provisioning_state !== 'Succeeded') store.updateEndpoint(endpoint, { provisioning_state: 'Succeeded' });
      operations.finishWhere(endpoint, (op) => op.kind === 'endpoint.create' || op.kind === 'endpoint.update',
        lag ? { code: 'GatewayLagging', message: lag.message } : undefined);
    });
  }

  private async deleteEndpoint(endpoint: string): Promise<void> {
    const { store, operations, publisher, logger } = this.deps;
    // The snapshot without the endpoint goes out first: no new request reaches it while it is torn down.
    await publisher.publish();
    const deployments = store.transaction(() => {
      const list = store.listDeployments(endpoint);
      for (const d of list) {
        if (d.provisioning_state !== 'Deleting') store.updateDeployment(endpoint, d.spec.name, { provisioning_state: 'Deleting' });
      }
      return list;
    });
    await Promise.all(deployments.map((d) => this.reconcileDeployment(endpoint, d.spec.name)));
    const left = store.listDeployments(endpoint);
    if (left.length) {
      // A backend that could not stop instances: keep Deleting, so the next start tries again.
      logger.error({ endpoint, deployments: left.map((d) => d.spec.name) }, 'endpoint delete: deployments could not be removed');
      operations.finishWhere(endpoint, (op) => op.kind === 'endpoint.delete', {
        code: 'InstanceFailed', message: `Could not remove deployments ${left.map((d) => d.spec.name).join(', ')}; the server retries on its next start.`,
      });
      return;
    }
    store.transaction(() => {
      store.deleteEndpoint(endpoint);
      operations.finishWhere(endpoint, () => true, endedByDeletion(endpoint));
    });
    await publisher.publish();
  }

  private async deploymentPass(endpoint: string, deployment: string): Promise<void> {
    const { store, backend, operations, publisher, artifacts, logger } = this.deps;
    const rec = store.getDeployment(endpoint, deployment);
    const ep = store.getEndpoint(endpoint);
    if (!rec || rec.provisioning_state === 'Deleting' || !ep || ep.provisioning_state === 'Deleting') {
      if (rec) await publisher.publish(); // drop it from routing before its instances stop
      try {
        await backend.remove(endpoint, deployment);
      } catch (e) {
        logger.error({ err: e, endpoint, deployment }, 'removing the instances of a deployment failed');
        operations.finishWhere(endpoint, (op) => op.kind === 'deployment.delete' && op.deployment === deployment, {
          code: 'InstanceFailed', message: `Could not stop the instances of ${deployment}: ${(e as Error).message}. The server retries on its next start.`,
        });
        return;
      }
      store.transaction(() => {
        store.deleteDeployment(endpoint, deployment);
        operations.finishWhere(endpoint, (op) => op.deployment === deployment, (op) => op.kind === 'deployment.delete' ? undefined : {
          code: 'DeploymentNotFound', message: `Deployment ${deployment} was deleted before this operation finished.`,
        });
      });
      await publisher.publish();
      return;
    }

    const generation = rec.generation;
    let result: EnsureResult;
    try {
      result = await backend.ensure(buildTemplate(rec.spec, artifacts));
    } catch (e) {
      logger.error({ err: e, endpoint, deployment }, 'backend.ensure threw');
      result = { ok: false, reason: isSwitchyardError(e) ? e.code : 'InstanceFailed', message: (e as Error).message };
    }

    const at = this.now().toISOString();
    let finishedWith: { code: string; message: string } | null | undefined;
    store.transaction(() => {
      const current = store.getDeployment(endpoint, deployment);
      // Superseded (deleted, or a newer spec): the pass queued by that change writes the outcome.
      if (!current || current.generation !== generation || current.provisioning_state === 'Deleting') return;
      const error = result.ok ? null : { code: result.reason ?? 'InstanceFailed', message: result.message ?? 'The deployment failed.' };
      let conditions = setCondition(current.conditions, result.ok
        ? { type: 'Ready', status: 'True', reason: 'InstancesReady', message: `${rec.spec.instance_count} instance(s) ready.` }
        : { type: 'Ready', status: 'False', reason: error!.code, message: error!.message }, at);
      conditions = setCondition(conditions, { type: 'Progressing', status: 'False', reason: result.ok ? 'RolloutComplete' : 'RolloutFailed', message: '' }, at);
      const state = result.ok ? 'Succeeded' : 'Failed';
      if (state !== current.provisioning_state || !sameConditions(conditions, current.conditions) || JSON.stringify(error) !== JSON.stringify(current.error)) {
        store.updateDeployment(endpoint, deployment, { provisioning_state: state, conditions, error });
      }
      finishedWith = error;
    });
    await publisher.publish();
    // The operation ends once the gateway routes to what it made (the snapshot is acknowledged), so a
    // client that waited for it sends its next request to the new instances.
    if (finishedWith !== undefined) {
      const error = finishedWith;
      store.transaction(() => {
        const current = store.getDeployment(endpoint, deployment);
        if (!current || current.generation !== generation || current.provisioning_state === 'Deleting') return;
        operations.finishWhere(endpoint, (op) => isDeploymentChange(op) && op.deployment === deployment, error ?? undefined);
      });
    }
  }
}

function endedByDeletion(endpoint: string): (op: Operation) => { code: string; message: string } | undefined {
  return (op) => op.kind === 'endpoint.delete' || op.kind === 'deployment.delete'
    ? undefined
    : { code: 'EndpointNotFound', message: `Endpoint ${endpoint} was deleted before this operation finished.` };
}
