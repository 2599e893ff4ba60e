// Pure pieces of the control plane: operation conflicts, revisions and templates, conditions,
// per-deployment metrics, validation error mapping, the keyed queue and the bearer auth resolver.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conflictingOperation, type OperationKind } from '../../src/control/operation-conflicts.js';
import { buildTemplate, revisionOf } from '../../src/control/template.js';
import { setCondition } from '../../src/control/conditions.js';
import { deploymentMetrics } from '../../src/control/deployment-metrics.js';
import { validationError } from '../../src/control/error-handler.js';
import { KeyedQueue } from '../../src/control/key-queue.js';
import { adminTokenResolver, anyOf } from '../../src/control/auth.js';
import { endpointView, deploymentView } from '../../src/control/views.js';
import type { DeploymentSpec, Operation } from '../../src/spec/types.js';

const op = (kind: OperationKind, deployment?: string): Operation =>
  ({ id: `id-${kind}`, kind, endpoint: 'e', ...(deployment ? { deployment } : {}), status: 'Running', created_at: 't' });

describe('conflictingOperation', () => {
  const table: Array<[OperationKind, OperationKind[], boolean]> = [
    ['deployment.create', [], false],
    ['deployment.create', ['deployment.create'], true],
    ['deployment.update', ['deployment.delete'], true],
    ['deployment.delete', ['endpoint.update'], true],
    ['deployment.create', ['endpoint.delete'], true],
    ['endpoint.update', ['deployment.create'], false],
    ['endpoint.update', ['deployment.update'], false],
    ['endpoint.update', ['deployment.delete'], false],
    ['endpoint.update', ['endpoint.update'], true],
    ['endpoint.update', ['endpoint.delete'], true],
    ['endpoint.update', ['endpoint.create'], true],
    ['endpoint.delete', ['deployment.create', 'deployment.delete', 'endpoint.update'], false],
    ['endpoint.delete', ['endpoint.delete'], true],
    ['endpoint.create', ['endpoint.delete'], true],
  ];
  for (const [kind, running, conflicts] of table) {
    it(`${kind} while ${running.join(', ') || 'nothing'} runs: ${conflicts ? '409' : 'allowed'}`, () => {
      assert.equal(conflictingOperation(kind, running.map((k) => op(k, k.startsWith('deployment') ? 'd' : undefined))) !== undefined, conflicts);
    });
  }
});

const spec: DeploymentSpec = {
  name: 'blue', endpoint_name: 'e', tags: {}, environment: { registered: false, conda_file: { a: 1 } },
  environment_variables: { A: '1' }, instance_count: 1,
  model: { name: 'm', version: '1', type: 'custom_model', artifact: `sha256:${'a'.repeat(64)}`, registered: true },
  code_configuration: { code: `sha256:${'b'.repeat(64)}`, scoring_script: 'score.py' },
  request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 },
  liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
  scale_settings: { type: 'default' }, extra: {},
};

describe('revisionOf and buildTemplate', () => {
  it('ignores instance_count and settings, changes with model, code, environment and variables', () => {
    const r = revisionOf(spec);
    assert.equal(revisionOf({ ...spec, instance_count: 5, request_settings: { ...spec.request_settings, request_timeout_ms: 1 } }), r);
    assert.equal(revisionOf(structuredClone(spec)), r);
    assert.notEqual(revisionOf({ ...spec, environment_variables: { A: '2' } }), r);
    assert.notEqual(revisionOf({ ...spec, model: { ...spec.model!, version: '2' } }), r);
    assert.notEqual(revisionOf({ ...spec, code_configuration: { ...spec.code_configuration!, scoring_script: 'other.py' } }), r);
    assert.notEqual(revisionOf({ ...spec, environment: { registered: false, conda_file: { a: 2 } } }), r);
  });
  it('resolves artifact folders', () => {
    const info = (digest: string, kind: 'dir' | 'file', name: string) => ({ digest, kind, name, size: 1, files: 1, created_at: 't' });
    const lookup = {
      get: (d: string) => (d.startsWith('sha256:a') ? info(d, 'file', 'model.pkl') : info(d, 'dir', 'src')),
      dirOf: (d: string) => `/data/artifacts/${d.slice(7, 10)}`,
    };
    const t = buildTemplate(spec, lookup);
    // The digests travel with the folders: a Kubernetes storage-initializer fetches artifacts by them.
    assert.deepEqual(t.model, { dir: '/data/artifacts/aaa', kind: 'file', name: 'model.pkl', assetName: 'm', assetVersion: '1', digest: `sha256:${'a'.repeat(64)}` });
    assert.deepEqual(t.code, { dir: '/data/artifacts/bbb', scoringScript: 'score.py', digest: `sha256:${'b'.repeat(64)}` });
    assert.equal(t.instanceCount, 1);
    assert.equal(t.requestTimeoutMs, 5000);
    assert.deepEqual(t.env, { A: '1' });
    assert.throws(() => buildTemplate(spec, { ...lookup, get: () => undefined }), (e: any) => e.code === 'ArtifactNotFound');
  });
});

describe('setCondition', () => {
  it('moves the transition time only when the status changes', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'Starting', message: '' }, 't1');
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'StillStarting', message: 'x' }, 't2');
    assert.equal(b[0]!.last_transition_time, 't1');
    assert.equal(b[0]!.reason, 'StillStarting');
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'Ready', message: '' }, 't3');
    assert.equal(c[0]!.last_transition_time, 't3');
    const d = setCondition(c, { type: 'Progressing', status: 'False', reason: 'Done', message: '' }, 't4');
    assert.deepEqual(d.map((x) => x.type), ['Progressing', 'Ready']);
  });
});

describe('deploymentMetrics', () => {
  it('picks one deployment out of the gateway summary', () => {
    const all = { snapshotVersion: 3, endpoints: { e: { blue: { requests: 4 }, green: { requests: 1 } } } };
    assert.deepEqual(deploymentMetrics(all, 'e', 'blue'), { endpoint: 'e', deployment: 'blue', snapshotVersion: 3, requests: 4 });
    assert.deepEqual(deploymentMetrics(all, 'e', 'red'), { endpoint: 'e', deployment: 'red', snapshotVersion: 3 });
    assert.deepEqual(deploymentMetrics(all, 'x', 'blue'), { endpoint: 'x', deployment: 'blue', snapshotVersion: 3 });
  });
  it('filters a prom-client metric list by labels', () => {
    const all = [
      { name: 'req', type: 'counter', values: [{ labels: { endpoint: 'e', deployment: 'blue' }, value: 4 }, { labels: { endpoint: 'e', deployment: 'green' }, value: 1 }] },
      { name: 'other', values: [{ labels: { endpoint: 'f', deployment: 'blue' }, value: 9 }] },
    ];
    assert.deepEqual(deploymentMetrics(all, 'e', 'blue'), {
      endpoint: 'e', deployment: 'blue', metrics: [{ name: 'req', type: 'counter', values: [{ labels: { endpoint: 'e', deployment: 'blue' }, value: 4 }] }],
    });
  });
  it('tolerates anything else', () => {
    assert.deepEqual(deploymentMetrics(null, 'e', 'd'), { endpoint: 'e', deployment: 'd' });
  });
});

describe('validationError', () => {
  it('maps Ajv errors to catalogue errors naming the field', () => {
    const m = (errors: any[], ctx = 'body') => validationError(errors, ctx);
    let e = m([{ instancePath: '', keyword: 'required', params: { missingProperty: 'name' } }]);
    assert.equal(e.code, 'MissingField');
    assert.match(e.message, /request body needs name/);
    e = m([{ instancePath: '/request_settings', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }]);
    assert.equal(e.code, 'UnknownKey');
    assert.match(e.message, /"request_settings\.x"/);
    e = m([{ instancePath: '/instance_count', keyword: 'type', message: 'must be integer', data: 'two' }]);
    assert.equal(e.code, 'InvalidValue');
    assert.match(e.message, /instance_count in the request body must be integer, got "two"/);
    e = m([{ instancePath: '/model', keyword: 'type', message: 'must be string' }, { instancePath: '/model', keyword: 'type', message: 'must be object' },
      { instancePath: '/model', keyword: 'anyOf', message: 'must match a schema in anyOf', data: 5 }]);
    assert.match(e.message, /^model has the wrong shape.*got 5/);
    e = m([{ instancePath: '/kind', keyword: 'anyOf', message: '' }], 'querystring');
    assert.equal(e.status, 400);
  });
});

describe('KeyedQueue', () => {
  it('never overlaps runs of one key, runs keys concurrently, coalesces waiting requests', async () => {
    const q = new KeyedQueue();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const work = async () => { active++; runs++; maxActive = Math.max(maxActive, active); await new Promise((r) => setTimeout(r, 5)); active--; };
    const all = [q.run('a', work), q.run('a', work), q.run('a', work), q.run('a', work)];
    await Promise.all(all);
    assert.equal(maxActive, 1);
    assert.equal(runs, 2, 'the three waiting requests became one run');
    let both = 0;
    let peak = 0;
    const w2 = async () => { both++; peak = Math.max(peak, both); await new Promise((r) => setTimeout(r, 5)); both--; };
    await Promise.all([q.run('x', w2), q.run('y', w2)]);
    assert.equal(peak, 2);
  });
  it('reports failures and keeps going', async () => {
    const errors: string[] = [];
    const q = new KeyedQueue((key) => errors.push(key));
    await q.run('k', async () => { throw new Error('x'); });
    let ran = false;
    await q.run('k', async () => { ran = true; });
    assert.deepEqual(errors, ['k']);
    assert.ok(ran);
    await q.close();
    let after = false;
    await q.run('k', async () => { after = true; });
    assert.equal(after, false, 'closed queues take no work');
  });
});

describe('auth', () => {
  it('resolves the admin token as Owner, nothing else', () => {
    const r = adminTokenResolver('s3cret-token-value');
    assert.deepEqual(r('s3cret-token-value'), { name: 'admin', role: 'Owner' });
    assert.equal(r('s3cret-token-valuf'), null);
    assert.equal(r(''), null);
    assert.equal(r('s3cret-token-value-and-more'), null);
    const reader = anyOf(r, (t) => (t === 'ro' ? { name: 'viewer', role: 'Reader' } : null));
    assert.equal(reader('ro')!.role, 'Reader');
  });
});

describe('views', () => {
  it('endpointView adds the read-only fields and fills traffic', () => {
    const v = endpointView({
      spec: { name: 'e', tags: {}, auth_mode: 'key', traffic: { blue: 100 }, mirror_traffic: { red: 5 }, public_network_access: 'enabled', compute: 'k8s' },
      provisioning_state: 'Succeeded', keys: { primaryKey: 'k', secondaryKey: 'k2' }, token_secret: 's', generation: 1, created_at: 'c', updated_at: 'u',
    }, ['blue', 'green', 'red'], 'http://gw:1');
    assert.deepEqual(v.traffic, { blue: 100, green: 0 });
    assert.equal(v.kind, 'K8S');
    assert.equal(v.scoring_uri, 'http://gw:1/endpoints/e/score');
    assert.deepEqual(v.properties, { createdAt: 'c', lastModifiedAt: 'u', 'azureml.onlineendpointid': v.id });
    assert.ok(!JSON.stringify(v).includes('primaryKey'));
  });
  it('deploymentView shows references and flattens extra keys', () => {
    const v = deploymentView({
      spec: { ...spec, environment: { name: 'env', version: '2', registered: true, image: 'i' }, extra: { app_insights_enabled: true } },
      provisioning_state: 'Succeeded', conditions: [], error: null, generation: 1, created_at: 'c', updated_at: 'u',
    }, []);
    assert.equal(v.model, 'azureml:m:1');
    assert.equal(v.environment, 'azureml:env:2');
    assert.equal(v.app_insights_enabled, true);
    assert.equal(v.type, 'managed');
    assert.equal('extra' in v, false);
    assert.equal('error' in v, false);
  });
});
