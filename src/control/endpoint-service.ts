// Endpoint actions behind the REST routes: validate, check conflicts, commit spec + provisioning_state
// + operation in one transaction, then let the reconciler finish. A refusal throws before any write.
import { SwitchyardError } from '../errors.js';
import type { Operation } from '../spec/types.js';
import { applyEndpointPatch, normaliseEndpointInput } from '../spec/endpoint-input.js';
import { newKey, newKeys, newTokenSecret, type EndpointKeys } from '../store/credentials.js';
import type { EndpointRecord } from '../store/store.js';
import type { ControlContext } from './context.js';
import { conflictingOperation, describeOperation, type OperationKind } from './operation-conflicts.js';
import { endpointView, type EndpointView } from './views.js';
import { refuseRoutingChangeDuringRollout } from './rollout-guard.js';

export interface EndpointAccepted {
  operation: Operation;
  endpoint: EndpointView;
}

export class EndpointService {
  constructor(private readonly ctx: ControlContext) {}

  view(rec: EndpointRecord): EndpointView {
    const names = this.ctx.store.listDeployments(rec.spec.name).map((d) => d.spec.name);
    return endpointView(rec, names, this.ctx.gatewayUrl);
  }

  list(): EndpointView[] {
    return this.ctx.store.listEndpoints().map((r) => this.view(r));
  }

  get(name: string): EndpointView {
    return this.view(this.require(name));
  }

  require(name: string): EndpointRecord {
    const rec = this.ctx.store.getEndpoint(name);
    if (!rec) throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(name)} does not exist.`);
    return rec;
  }

  async create(body: unknown): Promise<EndpointAccepted> {
    const { store, operations } = this.ctx;
    const spec = normaliseEndpointInput(body);
    const op = store.transaction(() => {
      // Names are unique regardless of case, as on Azure: MY-EP is refused beside my-ep.
      const existing = store.getEndpoint(spec.name)
        ?? store.listEndpoints().find((r) => r.spec.name.toLowerCase() === spec.name.toLowerCase());
      if (existing && existing.spec.name !== spec.name) {
        throw new SwitchyardError('EndpointExists',
          `Endpoint ${JSON.stringify(existing.spec.name)} already exists, and endpoint names are unique regardless of case; choose another name than ${JSON.stringify(spec.name)}.`);
      }
      if (existing) {
        throw new SwitchyardError('EndpointExists', existing.provisioning_state === 'Deleting'
          ? `Endpoint ${JSON.stringify(spec.name)} is being deleted; wait until the delete finishes, or choose another name.`
          : `Endpoint ${JSON.stringify(spec.name)} already exists. Use \`online-endpoint update\` to change it.`);
      }
      refuseConflict(this.ctx, spec.name, 'endpoint.create');
      store.insertEndpoint(spec.name, { spec, provisioning_state: 'Creating', keys: newKeys(), token_secret: newTokenSecret() });
      return operations.begin('endpoint.create', spec.name);
    });
    return this.settle(spec.name, op);
  }

  /** `byRollout`: the rollout controller's own traffic change, which the rollout guard lets through. */
  async update(name: string, patch: unknown, options: { byRollout?: boolean } = {}): Promise<EndpointAccepted> {
    const { store, operations } = this.ctx;
    const op = store.transaction(() => {
      const rec = this.require(name);
      refuseConflict(this.ctx, name, 'endpoint.update');
      const routable = store.listDeployments(name).filter((d) => d.provisioning_state !== 'Deleting').map((d) => d.spec.name);
      if (options.byRollout) {
        store.updateEndpoint(name, { spec: applyEndpointPatch(rec.spec, patch, routable), provisioning_state: 'Updating' });
        return operations.begin('endpoint.update', name);
      }
      let spec;
      try {
        spec = applyEndpointPatch(rec.spec, patch, routable);
      } catch (e) {
        // A traffic change a rollout would refuse anyway: say why it is refused first.
        refuseRoutingChangeDuringRollout(store, rec.spec, patch);
        throw e;
      }
      refuseRoutingChangeDuringRollout(store, rec.spec, patch, spec);
      // Entering aml_token mode starts from a new signing secret, so no token minted before an earlier
      // switch away works again.
      const enteringTokenMode = spec.auth_mode === 'aml_token' && rec.spec.auth_mode !== 'aml_token';
      store.updateEndpoint(name, { spec, provisioning_state: 'Updating', ...(enteringTokenMode ? { token_secret: newTokenSecret() } : {}) });
      return operations.begin('endpoint.update', name);
    });
    return this.settle(name, op);
  }

  async delete(name: string): Promise<EndpointAccepted> {
    const { store, operations, reconciler } = this.ctx;
    const { op, view } = store.transaction(() => {
      this.require(name);
      refuseConflict(this.ctx, name, 'endpoint.delete');
      const rec = store.updateEndpoint(name, { provisioning_state: 'Deleting' });
      return { op: operations.begin('endpoint.delete', name), view: this.view(rec) };
    });
    void reconciler.reconcileEndpoint(name);
    return { operation: op, endpoint: view };
  }

  listKeys(name: string): EndpointKeys {
    return this.requireKeyAuth(name).keys;
  }

  private requireKeyAuth(name: string): EndpointRecord {
    const rec = this.require(name);
    if (rec.spec.auth_mode !== 'key') {
      throw new SwitchyardError('AuthModeMismatch',
        `Endpoint ${JSON.stringify(name)} uses auth_mode aml_token, which has no keys; get a token instead (POST /api/v1/endpoints/${name}/token, or \`online-endpoint get-credentials\`).`);
    }
    return rec;
  }

  /**
   * Key endpoints: replaces one key. aml_token endpoints: replaces the signing secret (either key type),
   * so every token issued so far stops working, and answers a fresh token. Either way it answers once
   * the gateway refuses the old credential.
   */
  async regenerateKeys(name: string, keyType: unknown): Promise<EndpointKeys | ReturnType<ControlContext['mintToken']>> {
    if (keyType !== 'primary' && keyType !== 'secondary') {
      throw new SwitchyardError('InvalidValue', `keyType must be primary or secondary, got ${JSON.stringify(keyType)}.`);
    }
    const rec = this.ctx.store.transaction(() => {
      const current = this.require(name);
      if (current.spec.auth_mode === 'aml_token') return this.ctx.store.updateEndpoint(name, { token_secret: newTokenSecret() });
      const keys: EndpointKeys = keyType === 'primary'
        ? { primaryKey: newKey(), secondaryKey: current.keys.secondaryKey }
        : { primaryKey: current.keys.primaryKey, secondaryKey: newKey() };
      return this.ctx.store.updateEndpoint(name, { keys });
    });
    await this.ctx.publisher.publish();
    if (rec.spec.auth_mode === 'aml_token') return this.ctx.mintToken(name, rec.token_secret, this.ctx.tokenTtlSeconds);
    return rec.keys;
  }

  token(name: string): ReturnType<ControlContext['mintToken']> {
    const rec = this.require(name);
    if (rec.spec.auth_mode !== 'aml_token') {
      throw new SwitchyardError('AuthModeMismatch',
        `Endpoint ${JSON.stringify(name)} uses auth_mode key; list its keys instead (POST /api/v1/endpoints/${name}/list-keys, or \`online-endpoint get-credentials\`).`);
    }
    return this.ctx.mintToken(name, rec.token_secret, this.ctx.tokenTtlSeconds);
  }

  /** Runs the reconcile of a quick change and waits a little for it, so the answer usually shows it done. */
  private async settle(name: string, op: Operation): Promise<EndpointAccepted> {
    const { reconciler, operations, quickWaitMs } = this.ctx;
    void reconciler.reconcileEndpoint(name);
    const ended = await operations.wait(op.id, quickWaitMs);
    const rec = this.ctx.store.getEndpoint(name);
    return { operation: ended ?? op, endpoint: rec ? this.view(rec) : this.deletedView(name) };
  }

  private deletedView(name: string): never {
    throw new SwitchyardError('EndpointNotFound', `Endpoint ${JSON.stringify(name)} was deleted meanwhile.`);
  }
}

/** Throws OperationInProgress when a running operation of the endpoint conflicts with `kind`. */
export function refuseConflict(ctx: ControlContext, endpoint: string, kind: OperationKind): void {
  const running = ctx.store.runningOperations(endpoint);
  const conflict = conflictingOperation(kind, running);
  if (conflict) {
    throw new SwitchyardError('OperationInProgress',
      `Another operation is in progress on endpoint ${JSON.stringify(endpoint)}: ${describeOperation(conflict)}. Wait until it ends (GET /api/v1/operations/${conflict.id}?wait=60), then retry.`,
      { operation: conflict.id });
  }
}
