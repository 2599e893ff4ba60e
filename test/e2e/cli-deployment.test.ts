// The safe-rollout walkthrough of docs/compatibility.md, "Command line" through the real CLI and a real server: deployments with a
// Python score.py (stdlib only) and a JavaScript scoring module, traffic, mirroring, invoke, logs,
// scaling, failure reporting and deletes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sy, type Server } from './cli-harness.js';

let server: Server;
let project: string;
const E = 'e2e-rollout';
const run = (...args: string[]) => sy(server, args, { cwd: join(project, 'elsewhere') });
const ok = (r: { code: number; stderr: string }, what = '') => assert.equal(r.code, 0, `${what} expected exit 0, stderr: ${r.stderr}`);
const fast = 'liveness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 30}\nreadiness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 60}\n';

before(async () => {
  server = await startServer();
  project = join(server.home, 'project');
  // Layout of azureml-examples: YAML under endpoints/online/managed/sample, models two levels up.
  for (const d of ['model-1/model', 'model-1/onlinescoring', 'model-2/model', 'model-2/onlinescoring', 'broken/onlinescoring', 'endpoints/online/managed/sample', 'elsewhere']) {
    mkdirSync(join(project, d), { recursive: true });
  }
  writeFileSync(join(project, 'model-1/model/weights.json'), '{"scale": 1}');
  writeFileSync(join(project, 'model-1/onlinescoring/score.py'), `import json, logging, os

def init():
    global scale
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model", "weights.json")
    with open(path) as f:
        scale = json.load(f)["scale"]
    logging.info("blue init complete")

def run(raw_data):
    logging.info("blue request received")
    data = json.loads(raw_data)["data"]
    return [sum(row) * scale for row in data]
`);
  writeFileSync(join(project, 'model-2/model/weights.json'), '{"scale": 2}');
  writeFileSync(join(project, 'model-2/onlinescoring/score.mjs'), `import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
let scale;
export async function init() {
  scale = JSON.parse(await readFile(join(process.env.AZUREML_MODEL_DIR, 'model', 'weights.json'), 'utf8')).scale;
  console.info('green init complete');
}
export function run(rawData) {
  console.info('green request received');
  return JSON.parse(rawData).data.map((row) => row.reduce((a, b) => a + b, 0) * scale);
}
`);
  writeFileSync(join(project, 'broken/onlinescoring/score.py'), 'def init():\n    raise ValueError("no model here")\n\ndef run(raw):\n    return raw\n');
  const sample = join(project, 'endpoints/online/managed/sample');
  writeFileSync(join(sample, 'endpoint.yml'), `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: ${E}\nauth_mode: key\n`);
  writeFileSync(join(sample, 'blue-deployment.yml'), `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: ${E}
model:
  path: ../../../../model-1/model/
code_configuration:
  code: ../../../../model-1/onlinescoring/
  scoring_script: score.py
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
instance_type: Standard_DS3_v2
instance_count: 1
${fast}`);
  writeFileSync(join(sample, 'green-deployment.yml'), `name: green
endpoint_name: ${E}
model:
  path: ../../../../model-2/model/
code_configuration:
  code: ../../../../model-2/onlinescoring/
  scoring_script: score.mjs
environment:
  image: node:20-bookworm-slim
instance_type: Standard_F2s_v2
instance_count: 1
${fast}`);
  writeFileSync(join(sample, 'broken-deployment.yml'), `name: broken
endpoint_name: ${E}
code_configuration:
  code: ../../../../broken/onlinescoring/
  scoring_script: score.py
environment:
  image: python
instance_type: Standard_DS2_v2
instance_count: 1
${fast}`);
  writeFileSync(join(project, 'sample-request.json'), '{"data": [[1,2,3],[4,5,6]]}');
});
after(async () => {
  await server?.stop();
});

const sample = (f: string) => join(project, 'endpoints/online/managed/sample', f);
const request = () => join(project, 'sample-request.json');

test('the safe-rollout walkthrough', async (t) => {
  await t.test('create the endpoint', async () => {
    ok(await run('online-endpoint', 'create', '--name', E, '-f', sample('endpoint.yml')));
  });

  await t.test('create blue with --all-traffic (paths relative to the YAML file, run from elsewhere)', async () => {
    const r = await run('online-deployment', 'create', '--name', 'blue', '--endpoint', E, '-f', sample('blue-deployment.yml'), '--all-traffic');
    ok(r, 'create blue');
    const d = JSON.parse(r.stdout);
    assert.equal(d.provisioning_state, 'Succeeded');
    assert.match(d.code_configuration.code, /^sha256:[0-9a-f]{64}$/);
    const traffic = await run('online-endpoint', 'show', '-n', E, '--query', 'traffic');
    assert.deepEqual(JSON.parse(traffic.stdout), { blue: 100 });
  });

  await t.test('invoke prints the body as a JSON string', async () => {
    const r = await run('online-endpoint', 'invoke', '--name', E, '--request-file', request());
    ok(r, 'invoke');
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [6, 15]);
    const raw = await run('online-endpoint', 'invoke', '-n', E, '-r', request(), '-o', 'tsv');
    assert.deepEqual(JSON.parse(raw.stdout), [6, 15]);
  });

  await t.test('scale blue with --set instance_count=2', async () => {
    ok(await run('online-deployment', 'update', '--name', 'blue', '--endpoint', E, '--set', 'instance_count=2', '-o', 'none'));
    const c = await run('online-deployment', 'show', '-n', 'blue', '-e', E, '-o', 'tsv', '--query', 'instance_count');
    assert.equal(c.stdout, '2\n');
    const ready = await run('online-deployment', 'show', '-n', 'blue', '-e', E, '--query', "length(instances[?state=='Ready'])", '-o', 'tsv');
    assert.equal(ready.stdout, '2\n');
  });

  await t.test('create green (0%): traffic shows green: 0', async () => {
    ok(await run('online-deployment', 'create', '--name', 'green', '--endpoint', E, '-f', sample('green-deployment.yml'), '-o', 'none'), 'create green');
    const traffic = await run('online-endpoint', 'show', '-n', E, '--query', 'traffic');
    assert.deepEqual(JSON.parse(traffic.stdout), { blue: 100, green: 0 });
    const names = await run('online-deployment', 'list', '-e', E, '--query', '[].name', '-o', 'tsv');
    assert.deepEqual(names.stdout.trim().split('\n').sort(), ['blue', 'green']);
  });

  await t.test('invoke --deployment-name green reaches green', async () => {
    const r = await run('online-endpoint', 'invoke', '-n', E, '-r', request(), '--deployment-name', 'green');
    ok(r);
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [12, 30]);
  });

  await t.test('curl with the key from get-credentials and the scoring_uri from show', async () => {
    const key = (await run('online-endpoint', 'get-credentials', '-n', E, '-o', 'tsv', '--query', 'primaryKey')).stdout.trim();
    const uri = (await run('online-endpoint', 'show', '-n', E, '-o', 'tsv', '--query', 'scoring_uri')).stdout.trim();
    const res = await fetch(uri, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'azureml-model-deployment': 'green' }, body: '{"data": [[1,1]]}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('azureml-model-deployment'), 'green');
    assert.deepEqual(await res.json(), [4]);
  });

  await t.test('mirror 10% to green, invoke 20 times, logs and metrics', async () => {
    ok(await run('online-endpoint', 'update', '--name', E, '--mirror-traffic', 'green=10', '-o', 'none'));
    const m = await run('online-endpoint', 'show', '-n', E, '--query', 'mirror_traffic');
    assert.deepEqual(JSON.parse(m.stdout), { green: 10 });
    for (let i = 0; i < 20; i++) {
      const r = await run('online-endpoint', 'invoke', '-n', E, '-r', request());
      ok(r, `invoke ${i}`);
      assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [6, 15]);
    }
    const logs = await run('online-deployment', 'get-logs', '-n', 'blue', '-e', E, '--lines', '200');
    ok(logs);
    assert.match(logs.stdout, /blue request received/);
    const init = await run('online-deployment', 'get-logs', '--name', 'blue', '--endpoint', E, '-l', '5', '-c', 'storage-initializer');
    ok(init);
    const metrics = await run('online-deployment', 'metrics', '-n', 'green', '-e', E);
    ok(metrics);
    assert.equal(typeof JSON.parse(metrics.stdout), 'object');
    ok(await run('online-endpoint', 'update', '-n', E, '--mirror-traffic', 'green=0', '-o', 'none'));
    assert.deepEqual(JSON.parse((await run('online-endpoint', 'show', '-n', E, '--query', 'mirror_traffic')).stdout), {});
  });

  await t.test('shift traffic 90/10, then 0/100', async () => {
    ok(await run('online-endpoint', 'update', '-n', E, '--traffic', 'blue=90 green=10', '-o', 'none'));
    assert.deepEqual(JSON.parse((await run('online-endpoint', 'show', '-n', E, '--query', 'traffic')).stdout), { blue: 90, green: 10 });
    ok(await run('online-endpoint', 'update', '-n', E, '-r', 'blue=0 green=100', '-o', 'none'));
    assert.deepEqual(JSON.parse((await run('online-endpoint', 'show', '-n', E, '--query', 'traffic')).stdout), { blue: 0, green: 100 });
    const r = await run('online-endpoint', 'invoke', '-n', E, '-r', request());
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [12, 30]);
  });

  await t.test('a deployment with live traffic cannot be deleted (exit 1)', async () => {
    const r = await run('online-deployment', 'delete', '-n', 'green', '-e', E, '--yes');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: /);
  });

  await t.test('a failing init() fails the create with the server message, exit 1', async () => {
    const r = await run('online-deployment', 'create', '-f', sample('broken-deployment.yml'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: /);
    assert.match(r.stderr, /get-logs -n broken/);
    const state = await run('online-deployment', 'show', '-n', 'broken', '-e', E, '-o', 'tsv', '--query', 'provisioning_state');
    assert.equal(state.stdout, 'Failed\n');
    const logs = await run('online-deployment', 'get-logs', '-n', 'broken', '-e', E);
    assert.match(logs.stdout, /no model here/);
  });

  await t.test('delete blue --yes --no-wait, then the endpoint', async () => {
    ok(await run('online-deployment', 'delete', '--name', 'blue', '--endpoint', E, '--yes', '--no-wait'));
    ok(await run('online-endpoint', 'delete', '--name', E, '--yes', '--no-wait'));
  });
});
