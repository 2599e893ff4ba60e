// The Store contract (src/store/store.ts), run against every implementation: SQLite
// (test/unit/store-sqlite.test.ts) and PostgreSQL (test/integration/store-postgres.test.ts). Each
// describe() opens a fresh, empty store with `open` and closes it at the end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.js';
import { newKeys, newTokenSecret } from '../../src/store/credentials.js';
import { normaliseRolloutPolicy } from '../../src/spec/rollout-policy.js';
import type { RolloutStatus } from '../../src/spec/rollout.js';
import type { DeploymentSpec, EndpointSpec } from '../../src/spec/types.js';

export const D = (c: string) => `sha256:${c.repeat(64)}`;
export const endpointSpec = (name: string): EndpointSpec => ({ name, tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' });
export const deploymentSpec = (endpoint: string, name: string): DeploymentSpec => ({
  name, endpoint_name: endpoint, tags: {}, environment: { registered: false }, environment_variables: {}, instance_count: 1,
  request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 },
  liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  scale_settings: { type: 'default' }, extra: {},
});
const fails = (fn: () => unknown, code: string) => assert.throws(fn, (e: any) => { assert.equal(e.code, code, e.message); return true; });
const rolloutStatus = (state: RolloutStatus['state']): RolloutStatus => ({
  state, step: 0, step_started_at: '2026-01-01T00:00:00.000Z', bake_ms: 0, applied: false, gates: [], window: null, reason: null,
  last_evaluated_at: null, history: [],
});

/** `open(label)` answers a fresh store (label: a name unique per describe, for backends that need one). */
export function storeContract(kind: string, open: (label: string) => Store | Promise<Store>): void {
  const withStore = (label: string, body: (get: () => Store) => void) => describe(`${kind} store: ${label}`, () => {
    let store: Store;
    before(async () => { store = await open(label.replace(/[^a-z]+/g, '_')); });
    after(() => store?.close());
    body(() => store);
  });

  withStore('endpoints and deployments', (s) => {
    it('inserts, reads, updates (bumping generation on spec changes) and refuses duplicates', () => {
      const store = s();
      const keys = newKeys();
      const rec = store.insertEndpoint('ep-one', { spec: endpointSpec('ep-one'), provisioning_state: 'Creating', keys, token_secret: newTokenSecret() });
      assert.equal(rec.generation, 1);
      assert.deepEqual(rec.keys, keys);
      fails(() => store.insertEndpoint('ep-one', { spec: endpointSpec('ep-one'), provisioning_state: 'Creating', keys, token_secret: 'aa' }), 'EndpointExists');
      const state = store.updateEndpoint('ep-one', { provisioning_state: 'Succeeded' });
      assert.equal(state.generation, 1);
      const spec = store.updateEndpoint('ep-one', { spec: { ...endpointSpec('ep-one'), description: 'x' } });
      assert.equal(spec.generation, 2);
      assert.equal(spec.provisioning_state, 'Succeeded');
      assert.equal(store.getEndpoint('ep-one')!.spec.description, 'x');
      fails(() => store.updateEndpoint('nope', { provisioning_state: 'Failed' }), 'EndpointNotFound');
    });

    it('stores deployments under their endpoint and deletes them with it', () => {
      const store = s();
      const d = store.insertDeployment({ spec: deploymentSpec('ep-one', 'blue'), provisioning_state: 'Creating' });
      assert.deepEqual(d.conditions, []);
      assert.equal(d.error, null);
      fails(() => store.insertDeployment({ spec: deploymentSpec('ep-one', 'blue'), provisioning_state: 'Creating' }), 'DeploymentExists');
      fails(() => store.insertDeployment({ spec: deploymentSpec('no-endpoint', 'blue'), provisioning_state: 'Creating' }), 'EndpointNotFound');
      store.insertDeployment({ spec: deploymentSpec('ep-one', 'green'), provisioning_state: 'Creating' });
      const failed = store.updateDeployment('ep-one', 'green', { provisioning_state: 'Failed', error: { code: 'InitFailed', message: 'm' } });
      assert.deepEqual(failed.error, { code: 'InitFailed', message: 'm' });
      assert.equal(store.updateDeployment('ep-one', 'green', { provisioning_state: 'Updating' }).error?.code, 'InitFailed', 'error kept unless changed');
      assert.equal(store.updateDeployment('ep-one', 'green', { error: null }).error, null);
      assert.deepEqual(store.listDeployments('ep-one').map((x) => x.spec.name), ['blue', 'green']);
      store.deleteDeployment('ep-one', 'green');
      assert.equal(store.getDeployment('ep-one', 'green'), undefined);
      store.deleteEndpoint('ep-one');
      assert.equal(store.getEndpoint('ep-one'), undefined);
      assert.deepEqual(store.listDeployments('ep-one'), []);
    });

    it('rolls a transaction back as a whole', () => {
      const store = s();
      assert.throws(() => store.transaction(() => {
        store.insertEndpoint('ep-two', { spec: endpointSpec('ep-two'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' });
        throw new Error('refused after a write');
      }));
      assert.equal(store.getEndpoint('ep-two'), undefined);
    });

    it('keeps a transaction going after a refused write inside it, and nests', () => {
      const store = s();
      const made = store.transaction(() => {
        store.insertEndpoint('ep-three', { spec: endpointSpec('ep-three'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' });
        fails(() => store.insertEndpoint('ep-three', { spec: endpointSpec('ep-three'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' }), 'EndpointExists');
        assert.throws(() => store.transaction(() => {
          store.updateEndpoint('ep-three', { provisioning_state: 'Failed' });
          throw new Error('inner refused');
        }), /inner refused/);
        store.transaction(() => store.updateEndpoint('ep-three', { provisioning_state: 'Succeeded' }));
        return store.getEndpoint('ep-three')!.provisioning_state;
      });
      assert.equal(made, 'Succeeded');
      assert.equal(store.getEndpoint('ep-three')!.provisioning_state, 'Succeeded');
    });
  });

  withStore('assets', (s) => {
    it('auto-increments versions from the highest integer version', () => {
      const store = s();
      assert.equal(store.createModel({ name: 'm', path: D('a'), type: 'custom_model', tags: {} }).asset.version, '1');
      assert.equal(store.createModel({ name: 'm', path: D('b'), type: 'custom_model', tags: {} }).asset.version, '2');
      assert.equal(store.createModel({ name: 'm', version: '10', path: D('c'), type: 'custom_model', tags: {} }).asset.version, '10');
      assert.equal(store.createModel({ name: 'm', version: 'beta', path: D('c'), type: 'custom_model', tags: {} }).asset.version, 'beta');
      assert.equal(store.createModel({ name: 'm', path: D('d'), type: 'custom_model', tags: {} }).asset.version, '11');
      assert.equal(store.getModel('m', 'latest')!.version, '11');
      assert.deepEqual(store.listModelVersions('m').map((x) => x.version), ['1', '2', '10', 'beta', '11']);
    });
    it('returns the existing asset for the same content and refuses other content', () => {
      const store = s();
      const again = store.createModel({ name: 'm', version: '1', path: D('a'), type: 'custom_model', tags: {} });
      assert.equal(again.created, false);
      assert.equal(again.asset.path, D('a'));
      fails(() => store.createModel({ name: 'm', version: '1', path: D('a'), type: 'custom_model', tags: { x: 'y' } }), 'AssetImmutable');
      fails(() => store.createModel({ name: 'm', version: '1', path: D('b'), type: 'custom_model', tags: {} }), 'AssetImmutable');
      // key order does not make content different
      store.createEnvironment({ name: 'e', version: '1', conda_file: { a: 1, b: 2 }, tags: {} });
      assert.equal(store.createEnvironment({ name: 'e', version: '1', tags: {}, conda_file: { b: 2, a: 1 } }).created, false);
    });
    it('lists the latest version of each', () => {
      const store = s();
      store.createModel({ name: 'another', path: D('a'), type: 'custom_model', tags: {} });
      assert.deepEqual(store.listModels().map((m) => `${m.name}:${m.version}`), ['another:1', 'm:11']);
      assert.equal(store.getModel('nope', 'latest'), undefined);
      assert.deepEqual(store.listEnvironments().map((e) => e.name), ['e']);
      assert.deepEqual(store.listEnvironmentVersions('e').map((e) => e.version), ['1']);
    });
  });

  withStore('operations and artifacts', (s) => {
    it('records operations and finishes them once', () => {
      const store = s();
      store.insertOperation({ id: 'op1', kind: 'endpoint.create', endpoint: 'x', status: 'Running', created_at: '2026-01-01T00:00:00.000Z' });
      store.insertOperation({ id: 'op2', kind: 'deployment.create', endpoint: 'x', deployment: 'd', status: 'Running', created_at: '2026-01-01T00:00:01.000Z' });
      assert.deepEqual(store.runningOperations('x').map((o) => o.id), ['op1', 'op2']);
      const done = store.finishOperation('op2', 'Failed', { code: 'InitFailed', message: 'boom' });
      assert.equal(done.status, 'Failed');
      assert.equal(done.deployment, 'd');
      assert.ok(done.ended_at);
      const again = store.finishOperation('op2', 'Succeeded');
      assert.equal(again.status, 'Failed', 'an ended operation stays ended');
      assert.deepEqual(store.runningOperations().map((o) => o.id), ['op1']);
      assert.deepEqual(store.getOperation('op1'), { id: 'op1', kind: 'endpoint.create', endpoint: 'x', status: 'Running', created_at: '2026-01-01T00:00:00.000Z' });
      fails(() => store.finishOperation('nope', 'Succeeded'), 'OperationNotFound');
    });
    it('keeps the first record of an artifact, sizes past 2^31 included', () => {
      const store = s();
      const info = { digest: D('f'), kind: 'dir' as const, name: 'model', size: 3 * 2 ** 30, files: 2, created_at: 't1' };
      assert.deepEqual(store.insertArtifact(info), info);
      assert.deepEqual(store.insertArtifact({ ...info, name: 'other', created_at: 't2' }), info);
      assert.equal(store.getArtifact(D('9')), undefined);
    });
  });

  withStore('access tokens', (s) => {
    it('finds by hash, lists the live ones oldest first (insertion order on equal times), revokes once', () => {
      const store = s();
      const at = '2026-01-01T00:00:00.000Z';
      for (const id of ['t-c', 't-a', 't-b']) {
        store.insertAccessToken({ id, name: `n-${id}`, role: 'Reader', token_hash: `h-${id}`, created_at: at, created_by: 'admin', expires_at: null });
      }
      store.insertAccessToken({ id: 't-0', name: 'early', role: 'Owner', token_hash: 'h-0', created_at: '2025-01-01T00:00:00.000Z', created_by: 'admin', expires_at: '2030-01-01T00:00:00.000Z' });
      assert.deepEqual(store.listAccessTokens().map((t) => t.id), ['t-0', 't-c', 't-a', 't-b']);
      assert.equal(store.findAccessTokenByHash('h-t-a')!.id, 't-a');
      assert.equal(store.getAccessToken('t-0')!.expires_at, '2030-01-01T00:00:00.000Z');
      const revoked = store.revokeAccessToken('t-a')!;
      assert.ok(revoked.revoked_at);
      assert.equal(store.revokeAccessToken('t-a')!.revoked_at, revoked.revoked_at, 'revoked once');
      assert.equal(store.revokeAccessToken('nope'), undefined);
      assert.deepEqual(store.listAccessTokens().map((t) => t.id), ['t-0', 't-c', 't-b']);
      assert.equal(store.findAccessTokenByHash('h-t-a')!.revoked_at, revoked.revoked_at, 'a revoked token is still found (and refused by its caller)');
    });
  });

  withStore('audit', (s) => {
    it('lists the newest entries first and prunes the old ones', () => {
      const store = s();
      for (let i = 0; i < 5; i++) {
        store.insertAudit({ principal: 'p', role: i % 2 ? null : 'Owner', action: `a${i}`, target: 't', status: 200, outcome: 'Succeeded', code: null });
      }
      const listed = store.listAudit(3);
      assert.deepEqual(listed.map((e) => e.action), ['a4', 'a3', 'a2']);
      assert.equal(typeof listed[0]!.id, 'number');
      assert.equal(listed[1]!.role, null);
      assert.equal(store.pruneAudit('1970-01-01T00:00:00.000Z'), 0);
      assert.equal(store.pruneAudit('9999-01-01T00:00:00.000Z'), 5);
      assert.deepEqual(store.listAudit(10), []);
    });
    it('adds denied-attempt counts under one key and prunes by window, then the oldest beyond the cap', () => {
      const store = s();
      const row = (window: string, source: string, count: number, last_at: string) => ({
        window, source, principal: 'anonymous', action: 'endpoint.list', reason: 'invalid-token' as const, status: 401, count, first_at: window, last_at,
      });
      store.addDeniedAttempts([row('2026-01-01T00:01:00.000Z', '10.0.0.1', 2, '2026-01-01T00:01:10.000Z')]);
      store.addDeniedAttempts([row('2026-01-01T00:01:00.000Z', '10.0.0.1', 3, '2026-01-01T00:01:05.000Z')]);
      let listed = store.listDeniedAttempts(10);
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.count, 5);
      assert.equal(listed[0]!.last_at, '2026-01-01T00:01:10.000Z', 'last_at keeps the latest');
      store.addDeniedAttempts([
        row('2026-01-01T00:00:00.000Z', '10.0.0.2', 1, '2026-01-01T00:00:30.000Z'),
        row('2026-01-01T00:02:00.000Z', '10.0.0.3', 1, '2026-01-01T00:02:30.000Z'),
        row('2026-01-01T00:03:00.000Z', '10.0.0.4', 1, '2026-01-01T00:03:30.000Z'),
      ]);
      assert.deepEqual(store.listDeniedAttempts(2).map((r) => r.source), ['10.0.0.4', '10.0.0.3']);
      store.pruneDeniedAttempts('2026-01-01T00:01:00.000Z', 2);
      listed = store.listDeniedAttempts(10);
      assert.deepEqual(listed.map((r) => r.source), ['10.0.0.4', '10.0.0.3']);
    });
  });

  withStore('rollouts', (s) => {
    const spec = { candidate: 'green', baseline: { blue: 100 }, policy: normaliseRolloutPolicy({}), started_by: 'admin', started_by_role: 'Owner' };
    it('keeps every rollout, answers the newest per endpoint and the active ones', () => {
      const store = s();
      store.insertEndpoint('e1', { spec: endpointSpec('e1'), provisioning_state: 'Succeeded', keys: { primaryKey: 'a', secondaryKey: 'b' }, token_secret: 'c' });
      store.insertRollout({ id: 'r1', endpoint: 'e1', spec, status: rolloutStatus('RolledBack') });
      store.insertRollout({ id: 'r2', endpoint: 'e1', spec, status: rolloutStatus('Progressing') });
      assert.equal(store.latestRollout('e1')!.id, 'r2');
      assert.deepEqual(store.listRollouts().map((r) => r.id), ['r2', 'r1']);
      assert.deepEqual(store.listRollouts({ active: true }).map((r) => r.id), ['r2']);
      const updated = store.updateRolloutStatus('r2', { ...rolloutStatus('Paused'), bake_ms: 1234 });
      assert.equal(updated.status.bake_ms, 1234);
      assert.deepEqual(store.listRollouts({ active: true }).map((r) => r.status.state), ['Paused']);
      assert.deepEqual(store.getRolloutById('r2')!.spec, spec);
    });
    it('refuses a rollout of a missing endpoint and deletes rollouts with their endpoint', () => {
      const store = s();
      fails(() => store.insertRollout({ id: 'r3', endpoint: 'nope', spec, status: rolloutStatus('Progressing') }), 'EndpointNotFound');
      fails(() => store.updateRolloutStatus('nope', rolloutStatus('Paused')), 'RolloutNotFound');
      store.deleteEndpoint('e1');
      assert.equal(store.latestRollout('e1'), undefined);
      assert.deepEqual(store.listRollouts(), []);
    });
  });

  withStore('standalone gateways', (s) => {
    it('hands out strictly increasing routing versions, at least the clock in milliseconds', () => {
      const store = s();
      const before = Date.now();
      const a = store.nextRoutingVersion();
      const b = store.nextRoutingVersion();
      assert.ok(a >= before && b > a, `${a} ${b}`);
      assert.equal(typeof a, 'number');
    });
    it('registers a gateway, refreshes it on each report (keeping registered_at), lists by id and forgets it', () => {
      const store = s();
      const first = store.recordGateway({ id: 'gw-b', address: 'http://b:7071', software_version: '0.1.0', acked_version: 0, principal: 'edge' });
      assert.equal(first.registered_at, first.last_seen_at);
      const v = 1_764_000_000_123; // a version past 2^31, as clock-based versions are
      const again = store.recordGateway({ id: 'gw-b', address: 'http://b:7072', software_version: '0.1.1', acked_version: v, principal: 'edge' });
      assert.equal(again.acked_version, v);
      assert.equal(again.address, 'http://b:7072');
      assert.equal(again.registered_at, first.registered_at);
      store.recordGateway({ id: 'gw-A', address: 'http://a:7071', software_version: '0.1.0', acked_version: 5, principal: 'edge' });
      assert.deepEqual(store.listGateways().map((g) => [g.id, g.acked_version]), [['gw-A', 5], ['gw-b', v]]);
      assert.equal(store.deleteGateway('gw-b'), true);
      assert.equal(store.deleteGateway('gw-b'), false);
      assert.deepEqual(store.listGateways().map((g) => g.id), ['gw-A']);
    });
  });
}
