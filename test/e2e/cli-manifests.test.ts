// `switchyard online-deployment manifests` (extension, docs/kubernetes.md) through the real CLI and a real
// server running the local backend: it prints, as multi-document YAML, the objects the Kubernetes
// backend applies, rendered from the stored deployment; each is valid against Kubernetes' schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startServer, sy, type Server } from './cli-harness.js';
import { kubernetesProblems } from '../unit/kubernetes-validate.js';
import { objectName } from '../../src/runtime/kubernetes/manifests.js';

let server: Server;
let project: string;
const E = 'k8s-review';
const run = (...args: string[]) => sy(server, args, { cwd: project, env: { SWITCHYARD_HOST_IMAGE: 'registry.example/switchyard/host:test', SWITCHYARD_KUBERNETES_NAMESPACE: 'ml' } });
const ok = (r: { code: number; stderr: string }, what = '') => assert.equal(r.code, 0, `${what} expected exit 0, stderr: ${r.stderr}`);

before(async () => {
  // The server reads the Kubernetes settings from its environment (no Kubernetes backend runs here).
  server = await startServer({ env: { SWITCHYARD_HOST_IMAGE: 'registry.example/switchyard/host:test', SWITCHYARD_KUBERNETES_NAMESPACE: 'ml' } });
  project = join(server.home, 'project');
  mkdirSync(join(project, 'model'), { recursive: true });
  mkdirSync(join(project, 'code'), { recursive: true });
  writeFileSync(join(project, 'model', 'weights.json'), '{"scale": 1}');
  writeFileSync(join(project, 'code', 'score.py'), 'def init():\n    pass\n\ndef run(raw):\n    return raw\n');
  writeFileSync(join(project, 'endpoint.yml'), `name: ${E}\nauth_mode: key\n`);
  writeFileSync(join(project, 'blue.yml'), `name: blue
endpoint_name: ${E}
model:
  path: model/
code_configuration:
  code: code/
  scoring_script: score.py
environment:
  conda_file: {dependencies: [python=3.10]}
instance_type: Standard_F2s_v2
instance_count: 1
environment_variables: {GREETING: hello}
readiness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 60}
`);
});
after(async () => {
  await server?.stop();
});

test('online-deployment manifests prints the Kubernetes objects of a deployment as YAML', async () => {
  ok(await run('online-endpoint', 'create', '--name', E, '-f', join(project, 'endpoint.yml'), '-o', 'none'), 'endpoint');
  ok(await run('online-deployment', 'create', '--name', 'blue', '--endpoint', E, '-f', join(project, 'blue.yml'), '--no-wait', '-o', 'none'), 'blue');
  ok(await run('online-deployment', 'update', '--name', 'blue', '--endpoint', E, '--set', 'instance_count=3', '--no-wait', '-o', 'none'), 'scale');
  const shown = JSON.parse((await run('online-deployment', 'show', '-n', 'blue', '-e', E)).stdout);

  const r = await run('online-deployment', 'manifests', '--name', 'blue', '--endpoint', E);
  ok(r, 'manifests');
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  assert.deepEqual(docs.map((d) => d.kind), ['Secret', 'Service', 'Deployment']);
  for (const d of docs) {
    assert.deepEqual(kubernetesProblems(d), [], JSON.stringify(d));
    assert.equal(d.metadata.name, objectName(E, 'blue'));
    assert.equal(d.metadata.namespace, 'ml');
  }
  const [secret, , deployment] = docs;
  assert.equal(secret.stringData, undefined, 'no secret values are printed');
  assert.equal(secret.data, undefined);
  assert.equal(deployment.spec.replicas, 3);
  assert.equal(deployment.spec.template.spec.readinessProbe, undefined);
  const server_ = deployment.spec.template.spec.containers[0];
  assert.equal(server_.image, 'registry.example/switchyard/host:test');
  assert.equal(server_.readinessProbe.periodSeconds, 1);
  assert.ok(server_.env.some((e: { name: string; value: string }) => e.name === 'GREETING' && e.value === 'hello'));
  assert.deepEqual(server_.resources, { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } });
  const init = deployment.spec.template.spec.initContainers[0];
  const url = init.env.find((e: { name: string }) => e.name === 'SWITCHYARD_CODE_URL').value;
  assert.equal(url, `http://switchyard-control-plane.ml.svc:7070/api/v1/artifacts/${encodeURIComponent(shown.code_configuration.code)}/archive`);

  const json = await sy(server, ['online-deployment', 'manifests', '-n', 'blue', '-e', 'nope'], { cwd: project });
  assert.notEqual(json.code, 0);
  assert.match(json.stderr, /nope/);
});
