import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite-store.js';
import { newKeys, newTokenSecret, hashKey, newKey } from '../../src/store/credentials.js';
import type { DeploymentSpec, EndpointSpec } from '../../src/spec/types.js';

let dir: string;
let store: SqliteStore;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
  store = new SqliteStore(join(dir, 'switchyard.db'));
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const D = (c: string) => `sha256:${c.repeat(64)}`;
const endpointSpec = (name: string): EndpointSpec => ({ name, tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' });
const deploymentSpec = (endpoint: string, name: string): DeploymentSpec => ({
  name, endpoint_name: endpoint, tags: {}, environment: { registered: false }, environment_variables: {}, instance_count: 1,
  request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 },
  liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  scale_settings: { type: 'default' }, extra: {},
});
const fails = (fn: () => unknown, code: string) => assert.throws(fn, (e: any) => { assert.equal(e.code, code, e.message); return true; });

describe('SqliteStore pragmas', () => {
  it('runs in WAL mode with synchronous=FULL', () => {
    const db = (store as any).db;
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  });
});

describe('endpoints and deployments', () => {
  it('inserts, reads, updates (bumping generation on spec changes) and refuses duplicates', () => {
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
    assert.throws(() => store.transaction(() => {
      store.insertEndpoint('ep-two', { spec: endpointSpec('ep-two'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' });
      throw new Error('refused after a write');
    }));
    assert.equal(store.getEndpoint('ep-two'), undefined);
  });
});

describe('assets', () => {
  it('auto-increments versions from the highest integer version', () => {
    assert.equal(store.createModel({ name: 'm', path: D('a'), type: 'custom_model', tags: {} }).asset.version, '1');
    assert.equal(store.createModel({ name: 'm', path: D('b'), type: 'custom_model', tags: {} }).asset.version, '2');
    assert.equal(store.createModel({ name: 'm', version: '10', path: D('c'), type: 'custom_model', tags: {} }).asset.version, '10');
    assert.equal(store.createModel({ name: 'm', version: 'beta', path: D('c'), type: 'custom_model', tags: {} }).asset.version, 'beta');
    assert.equal(store.createModel({ name: 'm', path: D('d'), type: 'custom_model', tags: {} }).asset.version, '11');
    assert.equal(store.getModel('m', 'latest')!.version, '11');
    assert.deepEqual(store.listModelVersions('m').map((x) => x.version), ['1', '2', '10', 'beta', '11']);
  });
  it('returns the existing asset for the same content and refuses other content', () => {
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
    store.createModel({ name: 'another', path: D('a'), type: 'custom_model', tags: {} });
    assert.deepEqual(store.listModels().map((m) => `${m.name}:${m.version}`), ['another:1', 'm:11']);
    assert.equal(store.getModel('nope', 'latest'), undefined);
    assert.deepEqual(store.listEnvironments().map((e) => e.name), ['e']);
  });
});

describe('operations and artifacts', () => {
  it('records operations and finishes them once', () => {
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
    fails(() => store.finishOperation('nope', 'Succeeded'), 'OperationNotFound');
  });
  it('keeps the first record of an artifact', () => {
    const info = { digest: D('f'), kind: 'dir' as const, name: 'model', size: 10, files: 2, created_at: 't1' };
    assert.deepEqual(store.insertArtifact(info), info);
    assert.deepEqual(store.insertArtifact({ ...info, name: 'other', created_at: 't2' }), info);
    assert.equal(store.getArtifact(D('9')), undefined);
  });
});

describe('credentials', () => {
  it('makes 32-byte base64url keys and hex secrets, different every time', () => {
    const k = newKeys();
    assert.equal(Buffer.from(k.primaryKey, 'base64url').length, 32);
    assert.match(k.primaryKey, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(k.primaryKey, k.secondaryKey);
    assert.notEqual(newKey(), newKey());
    assert.match(newTokenSecret(), /^[0-9a-f]{64}$/);
    assert.equal(hashKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('reopening', () => {
  it('applies migrations once and reads what was written', () => {
    const second = new SqliteStore(join(dir, 'switchyard.db'));
    try {
      assert.equal(second.getModel('m', '2')!.path, D('b'));
      assert.equal((second as any).db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      second.close();
    }
  });
});
