import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchyardError, type ErrorCode } from '../../src/errors.js';
import { composeDocument } from '../../src/cli/yaml/compose.js';
import { loadDeploymentDoc } from '../../src/cli/yaml/deployment.js';
import { loadEndpointDoc, toEndpointPatch } from '../../src/cli/yaml/endpoint.js';
import { loadEnvironmentDoc } from '../../src/cli/yaml/environment.js';
import { loadModelDoc } from '../../src/cli/yaml/model.js';
import { readYamlFile } from '../../src/cli/yaml/read.js';

let root: string;
let other: string;
const write = (rel: string, text: string): string => {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const fails = (fn: () => unknown, code: ErrorCode, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    if (!(e instanceof SwitchyardError)) throw e;
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
};

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sy-yaml-'));
  other = mkdtempSync(join(tmpdir(), 'sy-cwd-'));
  write('model-1/model/sklearn_regression_model.pkl', 'pkl');
  write('model-1/onlinescoring/score.py', 'def init(): pass\n');
  write('model-1/environment/conda.yaml', 'name: model-env\ndependencies:\n  - python=3.9\n  - pip:\n    - joblib\n');
  write('single/model.onnx', 'onnx');
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(other, { recursive: true, force: true });
});

const FULL_DEPLOYMENT = `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: my-endpoint
description: first
tags: {team: ml, rev: 2}
model:
  path: ../../model-1/model/
  name: sk
  version: 1
  type: custom_model
code_configuration:
  code: ../../model-1/onlinescoring/
  scoring_script: score.py
environment:
  conda_file: ../../model-1/environment/conda.yaml
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
  inference_config:
    liveness_route: {port: 5001, path: /}
    readiness_route: {port: 5001, path: /}
    scoring_route: {port: 5001, path: /score}
  os_type: linux
  interpreter: ../../venv/bin/python
  command: [python, -m, server]
environment_variables:
  WORKER_COUNT: 2
  MODE: fast
instance_type: Standard_DS3_v2
instance_count: 1
request_settings:
  request_timeout_ms: 3000
  max_concurrent_requests_per_instance: 2
  max_queue_wait_ms: 500
liveness_probe: {initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30}
readiness_probe: {initial_delay: 1, period: 1, timeout: 2, success_threshold: 1, failure_threshold: 3}
scale_settings: {type: default}
app_insights_enabled: true
egress_public_network_access: enabled
data_collector: {collections: {}}
resources: {requests: {cpu: "1"}}
model_mount_path: /var/model
`;

test('deployment: every key; relative paths resolve against the YAML folder, not cwd', () => {
  const file = write('endpoints/online/blue.yml', FULL_DEPLOYMENT);
  const loaded = composeDocument({ file: 'blue.yml', cwd: join(root, 'endpoints/online') });
  // Same file read from another working directory gives the same paths.
  const fromElsewhere = composeDocument({ file, cwd: other });
  const { body, uploads } = loadDeploymentDoc(loaded.doc, loaded.source);
  assert.deepEqual(loadDeploymentDoc(fromElsewhere.doc, fromElsewhere.source).body, body);
  assert.equal('$schema' in body, false);
  assert.equal(body.name, 'blue');
  assert.equal(body.endpoint_name, 'my-endpoint');
  assert.deepEqual(body.model, { path: join(root, 'model-1/model'), name: 'sk', version: '1', type: 'custom_model' });
  assert.deepEqual(body.code_configuration, { code: join(root, 'model-1/onlinescoring'), scoring_script: 'score.py' });
  const env = body.environment as Record<string, unknown>;
  assert.deepEqual(env.conda_file, { name: 'model-env', dependencies: ['python=3.9', { pip: ['joblib'] }] });
  assert.equal(env.interpreter, join(root, 'venv/bin/python'));
  assert.deepEqual(env.command, ['python', '-m', 'server']);
  assert.equal((env.inference_config as { scoring_route: { path: string } }).scoring_route.path, '/score');
  assert.deepEqual(body.environment_variables, { WORKER_COUNT: '2', MODE: 'fast' });
  assert.deepEqual(body.tags, { team: 'ml', rev: '2' });
  assert.equal(body.instance_count, 1);
  assert.deepEqual(body.request_settings, { request_timeout_ms: 3000, max_concurrent_requests_per_instance: 2, max_queue_wait_ms: 500 });
  assert.equal(body.model_mount_path, '/var/model');
  assert.deepEqual(uploads, [
    { at: ['model', 'path'], localPath: join(root, 'model-1/model') },
    { at: ['code_configuration', 'code'], localPath: join(root, 'model-1/onlinescoring') },
  ]);
});

test('deployment: model references and a bare local path', () => {
  const base = { name: 'blue', endpoint_name: 'e', instance_count: 1, environment: 'azureml:env:1' };
  const src = { baseDir: root, file: join(root, 'x.yml'), lineOf: () => undefined };
  assert.equal(loadDeploymentDoc({ ...base, model: 'azureml:sk:3' }, src).body.model, 'azureml:sk:3');
  assert.equal(loadDeploymentDoc({ ...base, model: 'azureml:sk@latest' }, src).body.model, 'azureml:sk@latest');
  assert.equal(loadDeploymentDoc(base, src).body.environment, 'azureml:env:1');
  const bare = loadDeploymentDoc({ ...base, model: 'single/model.onnx' }, src);
  assert.deepEqual(bare.body.model, { path: join(root, 'single/model.onnx') });
  assert.deepEqual(bare.uploads, [{ at: ['model', 'path'], localPath: join(root, 'single/model.onnx') }]);
  fails(() => loadDeploymentDoc({ ...base, model: 'azureml:sk' }, src), 'InvalidReference', /azureml:<name>:<version> or azureml:<name>@latest/);
  fails(() => loadDeploymentDoc({ ...base, model: 'nowhere/model.pkl' }, src), 'InvalidValue', /does not exist.*folder of the YAML file/);
  const digest = 'sha256:' + 'a'.repeat(64);
  const kept = loadDeploymentDoc({ ...base, model: { path: digest }, code_configuration: { code: digest, scoring_script: 's.py' } }, src);
  assert.deepEqual(kept.uploads, []);
});

test('unknown keys are refused, naming the key, the file and the line', () => {
  const file = write('bad/unknown.yml', 'name: blue\nendpoint_name: e\ninstance_cont: 2\n');
  const loaded = readYamlFile(file);
  fails(() => loadDeploymentDoc(loaded.doc, loaded.source), 'UnknownKey', new RegExp(`Unknown key "instance_cont" in the deployment in ${file.replace(/[.]/g, '\\.')} \\(line 3\\)\\. Known keys: .*instance_count`));
  const nested = write('bad/nested.yml', 'name: blue\nendpoint_name: e\nrequest_settings:\n  timeout_ms: 5\n');
  const n = readYamlFile(nested);
  fails(() => loadDeploymentDoc(n.doc, n.source), 'UnknownKey', /Unknown key "request_settings.timeout_ms".*\(line 4\)\. Known keys under request_settings: .*request_timeout_ms/);
  const ep = write('bad/endpoint.yml', 'name: e\ntrafic: {}\n');
  const e = readYamlFile(ep);
  fails(() => loadEndpointDoc(e.doc, e.source), 'UnknownKey', /Unknown key "trafic" in the endpoint in .*endpoint\.yml \(line 2\)/);
  // Fields `show` prints are ignored by the REST API (show output can be sent back) but are not part of a file.
  const ro = readYamlFile(write('bad/read-only.yml', 'name: e\nkind: Managed\n'));
  fails(() => loadEndpointDoc(ro.doc, ro.source), 'UnknownKey', /^kind in .*read-only\.yml \(line 2\) is read-only \(show prints it\); remove it from the endpoint\.$/);
});

test('invalid YAML names the file and the line', () => {
  const file = write('bad/syntax.yml', 'name: blue\nmodel: [unclosed\ninstance_count: 1\n');
  fails(() => readYamlFile(file), 'InvalidYaml', /syntax\.yml \(line \d\): invalid YAML/);
  fails(() => readYamlFile(write('bad/list.yml', '- a\n- b\n')), 'InvalidYaml', /expected a YAML mapping/);
  fails(() => readYamlFile(write('bad/empty.yml', '')), 'InvalidYaml', /empty/);
  fails(() => readYamlFile(join(root, 'missing.yml')), 'InvalidYaml', /no such file/);
  fails(() => readYamlFile(write('bad/dup.yml', 'name: a\nname: b\n')), 'InvalidYaml', /line 2/);
});

test('missing names and bad values', () => {
  const src = { baseDir: root, file: join(root, 'd.yml'), lineOf: () => 3 };
  const ok = { name: 'blue', endpoint_name: 'e', instance_count: 1, environment: 'azureml:env:1' };
  fails(() => loadDeploymentDoc({ ...ok, name: undefined }, src), 'MissingField', /^The deployment in .*d\.yml needs name \(for example name: blue\)\.$/);
  fails(() => loadDeploymentDoc({ ...ok, endpoint_name: undefined }, src), 'MissingField', /endpoint_name is required/);
  fails(() => loadDeploymentDoc({ ...ok, instance_count: 'two' }, src), 'InvalidValue', /^instance_count in .*d\.yml \(line 3\) must be an integer from 1 to 50, got "two"\.$/);
  fails(() => loadDeploymentDoc({ ...ok, code_configuration: { code: 'model-1/onlinescoring', scoring_script: 'nope.py' } }, src), 'InvalidValue', /nope\.py was not found/);
  const skipped = loadDeploymentDoc({ ...ok, code_configuration: { code: 'model-1/onlinescoring', scoring_script: 'nope.py' } }, src, { skipScriptValidation: true });
  assert.equal(skipped.uploads.length, 1);
  fails(() => loadEndpointDoc({}, src), 'MissingField', /needs name/);
  fails(() => loadEndpointDoc({ name: 'my-ep', auth_mode: 'aad_token' }, src), 'AuthModeUnsupported', /cloud/);
  fails(() => loadEndpointDoc({ name: 'my-ep', traffic: { blue: 'x' } }, src), 'InvalidValue', /traffic\.blue/);
  fails(() => loadDeploymentDoc({ ...ok, environment: { command: 'python x' } }, src), 'InvalidValue', /environment\.command in .* must be a non-empty list of strings/);
});

test('endpoint: every key; auth_mode case-insensitive; patch keeps PATCH keys', () => {
  const file = write('ep/endpoint.yml', `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: my-endpoint
description: hello
tags: {a: 1}
auth_mode: Key
traffic: {blue: 100}
mirror_traffic: {green: 10}
compute: azureml:k8s
identity: {type: system_assigned}
public_network_access: Enabled
`);
  const l = readYamlFile(file);
  const { body } = loadEndpointDoc(l.doc, l.source);
  assert.deepEqual(body, {
    name: 'my-endpoint', description: 'hello', tags: { a: '1' }, auth_mode: 'Key', traffic: { blue: 100 },
    mirror_traffic: { green: 10 }, compute: 'azureml:k8s', identity: { type: 'system_assigned' }, public_network_access: 'Enabled',
  });
  assert.deepEqual(toEndpointPatch(body), {
    traffic: { blue: 100 }, mirror_traffic: { green: 10 }, description: 'hello', tags: { a: '1' }, auth_mode: 'Key', public_network_access: 'Enabled',
  });
});

test('--set applies after the file, --name after both', () => {
  const file = write('ep2/d.yml', 'name: blue\nendpoint_name: e1\ninstance_count: 1\nenvironment: azureml:env:1\nenvironment_variables: {A: "1"}\n');
  const loaded = composeDocument({ file, sets: ['instance_count=3', 'environment_variables.B=true', 'name=from-set'], overrides: { name: 'green', endpoint_name: 'e2' } });
  const { body } = loadDeploymentDoc(loaded.doc, loaded.source);
  assert.equal(body.name, 'green');
  assert.equal(body.endpoint_name, 'e2');
  assert.equal(body.instance_count, 3);
  assert.deepEqual(body.environment_variables, { A: '1', B: 'true' });
  fails(() => { const l = composeDocument({ file, sets: ['bogus_key=1'] }); loadDeploymentDoc(l.doc, l.source); }, 'UnknownKey', /bogus_key/);
  fails(() => composeDocument({ file, sets: ['instance_count.x=1'] }), 'InvalidSet', /not a map.*d\.yml/);
});

test('model and environment files', () => {
  const m = readYamlFile(write('assets/model.yml', '$schema: x\nname: sk\nversion: 2\npath: ../model-1/model\ntype: mlflow_model\ndescription: d\ntags: {k: v}\n'));
  const model = loadModelDoc(m.doc, m.source);
  assert.deepEqual(model.body, { name: 'sk', path: join(root, 'model-1/model'), version: '2', type: 'mlflow_model', description: 'd', tags: { k: 'v' } });
  assert.deepEqual(model.uploads, [{ at: ['path'], localPath: join(root, 'model-1/model') }]);
  fails(() => loadModelDoc({ name: 'sk' }, m.source), 'MissingField', /The model in .*model\.yml needs path/);
  fails(() => loadModelDoc({ name: 'sk', path: '../model-1/model', type: 'onnx' }, m.source), 'InvalidValue', /type in .* must be one of custom_model, mlflow_model, triton_model, got "onnx"/);

  const e = readYamlFile(write('assets/env.yml', `name: env
version: 1
image: python:3.11
conda_file: ../model-1/environment/conda.yaml
build: {path: ../model-1, dockerfile_path: Dockerfile}
inference_config: {scoring_route: {port: 5001, path: /score}}
os_type: linux
interpreter: python3
command: [python, serve.py]
description: d
tags: {a: b}
`));
  const env = loadEnvironmentDoc(e.doc, e.source).body;
  assert.equal(env.version, '1');
  assert.equal(env.interpreter, 'python3');
  assert.deepEqual(env.build, { path: join(root, 'model-1'), dockerfile_path: 'Dockerfile' });
  assert.equal((env.conda_file as { name: string }).name, 'model-env');
  assert.deepEqual(loadEnvironmentDoc({ name: 'x', conda_file: { dependencies: ['python'] } }, e.source).body.conda_file, { dependencies: ['python'] });
  fails(() => loadEnvironmentDoc({ name: 'x', conda_file: 'missing.yml' }, e.source), 'InvalidValue', /conda_file.*does not exist/);
});

test('the examples of the repository load', () => {
  const dir = join(process.cwd(), 'examples/safe-rollout/endpoints/online/managed/sample');
  for (const f of ['blue-deployment.yml', 'green-deployment.yml']) {
    const l = readYamlFile(join(dir, f));
    const { uploads } = loadDeploymentDoc(l.doc, l.source);
    assert.equal(uploads.length, 2);
  }
  const ep = readYamlFile(join(dir, 'endpoint.yml'));
  assert.equal(loadEndpointDoc(ep.doc, ep.source).body.name, 'my-endpoint');
});
