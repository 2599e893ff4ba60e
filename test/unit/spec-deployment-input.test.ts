import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  normaliseDeploymentInput, DEFAULT_PROBE, DEFAULT_REQUEST_SETTINGS, type AssetResolver, type DeploymentContext,
} from '../../src/spec/deployment-input.js';
import type { ArtifactInfo, EnvironmentAsset, ModelAsset } from '../../src/spec/types.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const artifacts: Record<string, ArtifactInfo> = Object.fromEntries(['a', 'b', 'c'].map((c) => [D(c), {
  digest: D(c), kind: 'dir' as const, name: c, size: 1, files: 1, created_at: 't',
}]));
const models: ModelAsset[] = [
  { name: 'sk', version: '1', type: 'custom_model', path: D('a'), tags: {}, created_at: 't1' },
  { name: 'sk', version: '2', type: 'mlflow_model', path: D('b'), tags: {}, created_at: 't2' },
];
const envs: EnvironmentAsset[] = [
  { name: 'env', version: '3', image: 'img', conda_file: { dependencies: ['python=3.9'] }, tags: {}, created_at: 't' },
];
const resolve: AssetResolver = {
  model: (n, v) => (v === 'latest' ? models.filter((m) => m.name === n).at(-1) : models.find((m) => m.name === n && m.version === v)),
  environment: (n, v) => (v === 'latest' ? envs.filter((m) => m.name === n).at(-1) : envs.find((m) => m.name === n && m.version === v)),
  artifact: (d) => artifacts[d],
};
const ctx: DeploymentContext = { endpoint: 'my-endpoint', resolve };
const minimal = { name: 'blue', environment: { image: 'img' }, instance_type: 'Standard_DS3_v2', instance_count: 1 };
const norm = (input: unknown, c: Partial<DeploymentContext> = {}) => normaliseDeploymentInput(input, { ...ctx, ...c });
const fails = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: any) => { assert.equal(e.code, code, e.message); if (message) assert.match(e.message, message); return true; });

describe('normaliseDeploymentInput: defaults (docs/compatibility.md, "Deployments")', () => {
  it('fills every default', () => {
    assert.deepEqual(norm(minimal), {
      name: 'blue', endpoint_name: 'my-endpoint', tags: {}, environment: { registered: false, image: 'img' },
      environment_variables: {}, instance_type: 'Standard_DS3_v2', instance_count: 1,
      request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 },
      liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
      readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
      scale_settings: { type: 'default' },
      extra: {},
    });
  });
  it('fills the defaults of a partial settings object', () => {
    const spec = norm({ ...minimal, request_settings: { request_timeout_ms: 90000 }, readiness_probe: { period: 3 } });
    assert.deepEqual(spec.request_settings, { ...DEFAULT_REQUEST_SETTINGS, request_timeout_ms: 90000 });
    assert.deepEqual(spec.readiness_probe, { ...DEFAULT_PROBE, period: 3 });
    assert.deepEqual(spec.liveness_probe, DEFAULT_PROBE);
  });
  it('target_utilization scale settings get their defaults', () => {
    assert.deepEqual(norm({ ...minimal, scale_settings: { type: 'target_utilization' } }).scale_settings, {
      type: 'target_utilization', min_instances: 1, max_instances: 1, target_utilization_percentage: 70, polling_interval: 1,
    });
    assert.deepEqual(norm({ ...minimal, scale_settings: { type: 'target_utilization', max_instances: 5 } }).scale_settings, {
      type: 'target_utilization', min_instances: 1, max_instances: 5, target_utilization_percentage: 70, polling_interval: 1,
    });
    fails(() => norm({ ...minimal, scale_settings: { type: 'target_utilization', min_instances: 3, max_instances: 2 } }), 'InvalidValue', /min_instances/);
    fails(() => norm({ ...minimal, scale_settings: { type: 'default', max_instances: 2 } }), 'UnknownKey', /scale_settings\.max_instances/);
  });
  it('keeps extra keys in extra, typed', () => {
    const spec = norm({
      ...minimal, app_insights_enabled: true, egress_public_network_access: 'Disabled', data_collector: { collections: {} },
      resources: { requests: { cpu: '1' } }, model_mount_path: '/mnt/m', type: 'Kubernetes', description: 'd', tags: { t: 'v' },
      instance_type: 'Standard_DS3_v2',
    });
    assert.deepEqual(spec.extra, {
      app_insights_enabled: true, egress_public_network_access: 'disabled', data_collector: { collections: {} },
      resources: { requests: { cpu: '1' } }, model_mount_path: '/mnt/m', type: 'kubernetes',
    });
    assert.equal(spec.description, 'd');
    assert.equal(spec.instance_type, 'Standard_DS3_v2');
    fails(() => norm({ ...minimal, app_insights_enabled: 'yes' }), 'InvalidValue', /app_insights_enabled/);
  });
  it('takes environment variables as strings (JSON bodies are not coerced; the YAML loader turns scalars into text)', () => {
    assert.deepEqual(norm({ ...minimal, environment_variables: { WORKER_COUNT: '2', NAME: 'x' } }).environment_variables,
      { WORKER_COUNT: '2', NAME: 'x' });
    fails(() => norm({ ...minimal, environment_variables: { WORKER_COUNT: 2 } }), 'InvalidValue', /environment_variables\.WORKER_COUNT must be a string/);
    fails(() => norm({ ...minimal, environment_variables: { X: [1] } }), 'InvalidValue', /environment_variables\.X/);
  });
});

describe('normaliseDeploymentInput: refusals name the field', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['instance_count missing', { instance_count: undefined }, 'MissingField', /instance_count/],
    ['instance_count 0', { instance_count: 0 }, 'InvalidValue', /instance_count must be an integer from 1 to 50, got 0/],
    ['instance_count 51', { instance_count: 51 }, 'InvalidValue', /got 51/],
    ['instance_count 1.5', { instance_count: 1.5 }, 'InvalidValue', /instance_count/],
    ['instance_count string', { instance_count: '2' }, 'InvalidValue', /instance_count/],
    ['environment missing', { environment: undefined }, 'MissingField', /environment/],
    ['timeout over max', { request_settings: { request_timeout_ms: 180001 } }, 'InvalidValue', /request_settings\.request_timeout_ms.*180000/],
    ['timeout zero', { request_settings: { request_timeout_ms: 0 } }, 'InvalidValue', /request_timeout_ms/],
    ['concurrency zero', { request_settings: { max_concurrent_requests_per_instance: 0 } }, 'InvalidValue', /max_concurrent_requests_per_instance/],
    ['unknown request setting', { request_settings: { retries: 2 } }, 'UnknownKey', /"request_settings\.retries"/],
    ['probe type', { liveness_probe: { period: 'often' } }, 'InvalidValue', /liveness_probe\.period/],
    ['unknown probe key', { readiness_probe: { path: '/' } }, 'UnknownKey', /readiness_probe\.path/],
    ['unknown top key', { instances: 2, replicas: 3 }, 'UnknownKey', /"replicas"/],
    ['settings not object', { request_settings: 5 }, 'InvalidValue', /request_settings must be an object/],
    ['tags not map', { tags: 'x' }, 'InvalidValue', /tags/],
    ['bad name', { name: 'b' }, 'InvalidName', /3 to 32/],
    ['endpoint mismatch', { endpoint_name: 'other' }, 'InvalidValue', /endpoint_name "other"/],
    ['scale type', { scale_settings: { type: 'manual' } }, 'InvalidValue', /scale_settings\.type/],
    ['egress', { egress_public_network_access: 'maybe' }, 'InvalidValue', /egress_public_network_access/],
    ['deployment type', { type: 'serverless' }, 'InvalidValue', /type must be one of managed, kubernetes/],
  ];
  for (const [label, change, code, message] of cases) {
    it(label, () => fails(() => norm({ ...minimal, ...change }), code, message));
  }
  it('needs a name when the URL has none', () => {
    fails(() => norm({ environment: { image: 'i' }, instance_count: 1 }), 'MissingField', /name/);
  });
});

describe('normaliseDeploymentInput: model, code and environment references', () => {
  it('resolves azureml:name:version and @latest', () => {
    assert.deepEqual(norm({ ...minimal, model: 'azureml:sk:1' }).model,
      { name: 'sk', version: '1', type: 'custom_model', artifact: D('a'), registered: true });
    assert.deepEqual(norm({ ...minimal, model: 'azureml:sk@latest' }).model,
      { name: 'sk', version: '2', type: 'mlflow_model', artifact: D('b'), registered: true });
    assert.deepEqual(norm({ ...minimal, model: 'azureml:/subscriptions/s/resourceGroups/r/workspaces/w/models/sk/versions/1' }).model?.version, '1');
  });
  it('refuses unknown or malformed model references', () => {
    fails(() => norm({ ...minimal, model: 'azureml:sk:9' }), 'ModelNotFound', /sk:9/);
    fails(() => norm({ ...minimal, model: 'azureml:nope@latest' }), 'ModelNotFound', /nope@latest/);
    fails(() => norm({ ...minimal, model: 'azureml:sk' }), 'InvalidReference', /azureml:<name>:<version>/);
    fails(() => norm({ ...minimal, model: '../model-1/model/' }), 'InvalidReference', /uploaded by the CLI/);
    fails(() => norm({ ...minimal, model: 7 }), 'InvalidValue', /model/);
  });
  it('binds inline models to an uploaded artifact', () => {
    assert.deepEqual(norm({ ...minimal, model: { path: D('c') } }).model,
      { name: 'my-endpoint-blue-model', version: '1', type: 'custom_model', artifact: D('c'), registered: false });
    assert.deepEqual(norm({ ...minimal, model: { path: D('c'), name: 'mine', version: 4, type: 'triton_model' } }).model,
      { name: 'mine', version: '4', type: 'triton_model', artifact: D('c'), registered: false });
    assert.deepEqual(norm({ ...minimal, model: D('c') }).model?.artifact, D('c'));
    fails(() => norm({ ...minimal, model: { path: D('d') } }), 'ArtifactNotFound', /not been uploaded/);
    fails(() => norm({ ...minimal, model: { path: './m' } }), 'InvalidReference', /model\.path/);
    fails(() => norm({ ...minimal, model: { name: 'x' } }), 'MissingField', /path/);
    fails(() => norm({ ...minimal, model: { path: D('c'), colour: 1 } }), 'UnknownKey', /model\.colour/);
    fails(() => norm({ ...minimal, model: { path: D('c'), type: 'onnx' } }), 'InvalidValue', /model\.type/);
  });
  it('checks code_configuration', () => {
    assert.deepEqual(norm({ ...minimal, code_configuration: { code: D('a'), scoring_script: 'onlinescoring/score.py' } }).code_configuration,
      { code: D('a'), scoring_script: 'onlinescoring/score.py' });
    fails(() => norm({ ...minimal, code_configuration: { code: D('d'), scoring_script: 's.py' } }), 'ArtifactNotFound');
    fails(() => norm({ ...minimal, code_configuration: { code: D('a') } }), 'MissingField', /scoring_script/);
    fails(() => norm({ ...minimal, code_configuration: { scoring_script: 's.py' } }), 'MissingField', /code/);
    for (const script of ['/abs/score.py', '../score.py', 'a/../../b.py', 'C:\\x.py']) {
      fails(() => norm({ ...minimal, code_configuration: { code: D('a'), scoring_script: script } }), 'InvalidValue', /relative to the code folder/);
    }
  });
  it('resolves registered environments and reads inline ones', () => {
    assert.deepEqual(norm({ ...minimal, environment: 'azureml:env:3' }).environment,
      { name: 'env', version: '3', registered: true, image: 'img', conda_file: { dependencies: ['python=3.9'] } });
    assert.equal(norm({ ...minimal, environment: 'azureml:env@latest' }).environment.version, '3');
    fails(() => norm({ ...minimal, environment: 'azureml:env:4' }), 'EnvironmentNotFound');
    fails(() => norm({ ...minimal, environment: 'python:3.11' }), 'InvalidReference');
    const inline = norm({ ...minimal, environment: {
      conda_file: { dependencies: ['scikit-learn'] }, interpreter: '/usr/bin/python3', command: ['node', 'server.js'],
      inference_config: { liveness_route: { port: 5001, path: '/' }, readiness_route: { path: '/ready' }, scoring_route: { port: 5001, path: '/score' } },
    } }).environment;
    assert.deepEqual(inline, {
      registered: false, conda_file: { dependencies: ['scikit-learn'] }, interpreter: '/usr/bin/python3', command: ['node', 'server.js'],
      inference_config: { liveness_route: { port: 5001, path: '/' }, readiness_route: { path: '/ready' }, scoring_route: { port: 5001, path: '/score' } },
    });
    fails(() => norm({ ...minimal, environment: { conda_file: 'conda.yml' } }), 'InvalidValue', /conda file's content/);
    fails(() => norm({ ...minimal, environment: { command: 'node server.js' } }), 'InvalidValue', /environment\.command/);
    fails(() => norm({ ...minimal, environment: { inference_config: { scoring_route: { path: 'score' } } } }), 'InvalidValue', /starting with '\/'/);
    fails(() => norm({ ...minimal, environment: { inference_config: { scoring_route: { path: '/s', port: 70000 } } } }), 'InvalidValue', /port/);
    fails(() => norm({ ...minimal, environment: { dockerfile: 'x' } }), 'UnknownKey', /environment\.dockerfile/);
  });
});

describe('normaliseDeploymentInput: partial updates', () => {
  const base = norm({
    ...minimal, model: 'azureml:sk:1', environment_variables: { A: '1' }, request_settings: { request_timeout_ms: 9000 },
    app_insights_enabled: true, description: 'd',
  });
  const patch = (p: unknown) => normaliseDeploymentInput(p, { ...ctx, name: 'blue', base });

  it('keeps every field the patch does not name', () => {
    const next = patch({ instance_count: 3 });
    assert.deepEqual(next, { ...base, instance_count: 3 });
  });
  it('merges settings objects field by field and replaces maps', () => {
    const next = patch({ request_settings: { max_concurrent_requests_per_instance: 4 }, environment_variables: { B: '2' } });
    assert.deepEqual(next.request_settings, { request_timeout_ms: 9000, max_concurrent_requests_per_instance: 4, max_queue_wait_ms: 500 });
    assert.deepEqual(next.environment_variables, { B: '2' });
  });
  it('accepts the model as `show` prints it, for a model given inline', () => {
    const inlineBase = norm({ ...minimal, model: { path: D('c') } });
    const next = normaliseDeploymentInput({ model: 'azureml:my-endpoint-blue-model:1' }, { ...ctx, name: 'blue', base: inlineBase });
    assert.deepEqual(next.model, inlineBase.model);
  });
  it('refuses null (a field not named is kept; JSON null is not a value of any field)', () => {
    fails(() => patch({ model: null }), 'InvalidValue', /model/);
    fails(() => patch({ description: null }), 'InvalidValue', /description must be a string/);
    fails(() => patch({ app_insights_enabled: null }), 'InvalidValue', /app_insights_enabled must be true or false/);
  });
  it('refuses renaming', () => {
    fails(() => patch({ name: 'green' }), 'InvalidValue', /cannot be renamed/);
    assert.equal(patch({ name: 'blue' }).name, 'blue');
  });
  it('does not modify the stored spec', () => {
    const copy = structuredClone(base);
    patch({ request_settings: { request_timeout_ms: 1 }, tags: { x: 'y' }, environment_variables: {} });
    assert.deepEqual(base, copy);
  });
});

describe('normaliseDeploymentInput: instance_type (docs/compatibility.md, "Instance types")', () => {
  it('requires a known Azure VM size for a managed deployment, stored in Azure spelling', () => {
    assert.equal(norm({ ...minimal, instance_type: 'standard_ds3_V2' }).instance_type, 'Standard_DS3_v2');
    fails(() => norm({ ...minimal, instance_type: undefined }), 'MissingField', /managed deployment needs instance_type.*Standard_DS3_v2/);
    fails(() => norm({ ...minimal, instance_type: 'Standard_DS3' }), 'InvalidValue', /"Standard_DS3" is not an Azure VM size.*closest known are Standard_DS3_v2/);
    fails(() => norm({ ...minimal, instance_type: 'Standard_F2s' }), 'InvalidValue', /Standard_F2s_v2/);
  });
  it('takes any name on Kubernetes (a cluster instance type), by type or by the endpoint', () => {
    assert.equal(norm({ ...minimal, type: 'kubernetes', instance_type: 'defaultinstancetype' }).instance_type, 'defaultinstancetype');
    assert.equal(norm({ ...minimal, instance_type: 'gpu-small' }, { kubernetes: true }).instance_type, 'gpu-small');
    assert.equal(norm({ ...minimal, instance_type: undefined }, { kubernetes: true }).instance_type, undefined);
  });
  it('keeps the stored size on an update that does not name one', () => {
    const base = norm(minimal);
    assert.equal(normaliseDeploymentInput({ instance_count: 2 }, { ...ctx, name: 'blue', base }).instance_type, 'Standard_DS3_v2');
    fails(() => normaliseDeploymentInput({ instance_type: 'Huge' }, { ...ctx, name: 'blue', base }), 'InvalidValue', /closest known/);
  });
});

describe('normaliseDeploymentInput: curated environments (docs/compatibility.md, "Curated environments")', () => {
  it('resolves a curated registry reference to the packages it implies', () => {
    const env = norm({ ...minimal, environment: 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest' }).environment;
    assert.deepEqual(env, {
      name: 'sklearn-1.5', version: 'latest', registered: false,
      curated: 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest',
      conda_file: { name: 'sklearn-1.5', dependencies: ['python', { pip: ['scikit-learn', 'numpy', 'joblib'] }] },
    });
    const minimalEnv = norm({ ...minimal, environment: 'azureml://registries/azureml/environments/minimal-ubuntu22.04-py311-cpu-inference/versions/12' }).environment;
    assert.equal(minimalEnv.version, '12');
    assert.deepEqual(minimalEnv.conda_file, { name: 'minimal-ubuntu22.04-py311-cpu-inference', dependencies: ['python'] });
  });
  it('refuses curated names without a local equivalent, and other registries', () => {
    fails(() => norm({ ...minimal, environment: 'azureml://registries/azureml/environments/mlflow-py312-inference/labels/latest' }),
      'InvalidReference', /no local equivalent; known families: sklearn-\*, lightgbm-\*/);
    fails(() => norm({ ...minimal, environment: 'azureml://registries/contoso/environments/sklearn-1.5/labels/latest' }),
      'InvalidReference', /registry "contoso"/);
    fails(() => norm({ ...minimal, environment: 'azureml://registries/azureml/environments/sklearn-1.5/labels/stable' }), 'InvalidReference');
  });
});
