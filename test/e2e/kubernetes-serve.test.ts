// `switchyard serve --backend kubernetes` end to end, as a user runs it, against the FAKE Kubernetes API
// server (test/support/fake-kube-apiserver.ts; no real cluster runs here). The test plays the kubelet for
// each pod the fake's controller creates: it runs the pod's own storage-initializer script (which
// fetches model and code from the real control plane with the fetch token from the deployment's Secret)
// and the inference-server's own command (the real Node scoring host) with the container's environment,
// pod paths moved under a temporary folder and the host bound to the pod's IP (a loopback address of
// its own, 127.0.0.x, port 5001 as in the pod). When the host announces it is ready, the pod is marked
// Ready; the real gateway then routes to it with the instance secret.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { objectName } from '../../src/runtime/kubernetes/manifests.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { ROOT, startServer, sy, type Server } from './cli-harness.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NS = 'models';
const E = 'k8s-endpoint';
const POD_CONTROL_URL = 'http://switchyard-control-plane.models.svc:7070';
let fake: FakeKubeApiServer;
let server: Server;
let work: string;
const children: ChildProcess[] = [];
// A loopback address per pod, from a random /16 so that parallel runs do not meet.
const ipBase = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
let nextIp = 2;

/** `serve --backend kubernetes` on the fake, its data dir outside the harness's home (which a stop removes), so a second server restarts on it. */
async function startKubernetesServer(): Promise<Server> {
  const dataDir = join(work, 'data');
  const started = await startServer({
    args: ['--backend', 'kubernetes', '--kubeconfig', join(work, 'kubeconfig'), '--namespace', NS, '--data-dir', dataDir],
    env: { SWITCHYARD_HOST_IMAGE: 'registry.example/switchyard-host:test', SWITCHYARD_CONTROL_PLANE_URL: POD_CONTROL_URL },
  });
  // The CLI finds the admin token in the server's data dir.
  return Object.assign(started, { dataDir, env: { ...started.env, SWITCHYARD_DATA_DIR: dataDir } });
}

before(async () => {
  fake = await new FakeKubeApiServer().start();
  work = mkdtempSync(join(tmpdir(), 'sy-k8s-e2e-'));
  writeFileSync(join(work, 'kubeconfig'), fake.kubeconfig(NS));
  server = await startKubernetesServer();
  const p = (f: string) => join(work, 'project', f);
  mkdirSync(p('model'), { recursive: true });
  mkdirSync(p('onlinescoring'), { recursive: true });
  writeFileSync(p('model/weights.json'), '{"scale": 3}');
  writeFileSync(p('onlinescoring/score.mjs'), `import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
let scale;
export async function init() {
  scale = JSON.parse(await readFile(join(process.env.AZUREML_MODEL_DIR, 'model', 'weights.json'), 'utf8')).scale;
  console.info('init complete, scale', scale);
}
export function run(raw) {
  return JSON.parse(raw).data.map((row) => row.reduce((a, b) => a + b, 0) * scale);
}
`);
  writeFileSync(p('endpoint.yml'), `name: ${E}\nauth_mode: key\n`);
  writeFileSync(p('blue.yml'), `name: blue
endpoint_name: ${E}
model:
  path: model/
code_configuration:
  code: onlinescoring/
  scoring_script: score.mjs
environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
instance_type: Standard_DS3_v2
instance_count: 2
`);
  writeFileSync(p('request.json'), '{"data": [[1,2,3],[4,5,6]]}');
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.stop();
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
});

const run = (...args: string[]) => sy(server, args, { cwd: join(work, 'project') });
const stamp = (text: string) => text.split('\n').filter(Boolean).map((l) => `${new Date().toISOString()} ${l}`).join('\n') + '\n';

/** The kubelet's part for one pod: storage-initializer, then inference-server; Ready once the host says so. */
async function playPod(pod: Obj): Promise<void> {
  const name = pod.metadata.name as string;
  const ip = `${ipBase}.${nextIp++}`;
  const dir = join(work, 'pods', name);
  mkdirSync(join(dir, 'azureml-app'), { recursive: true });
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  const secretName = pod.spec.volumes.find((v: Obj) => v.name === 'switchyard-secret').secret.secretName;
  for (const [key, value] of Object.entries(fake.get('secrets', NS, secretName)!.stringData as Record<string, string>)) writeFileSync(join(dir, 'secrets', key), value);
  const local = (text: string) => text
    .replaceAll('/var/azureml-app', join(dir, 'azureml-app')).replaceAll('/var/run/switchyard', join(dir, 'secrets'))
    .replaceAll('/opt/switchyard', ROOT).replaceAll(POD_CONTROL_URL, server.controlUrl);
  const envOf = (c: Obj) => ({ PATH: process.env.PATH!, ...Object.fromEntries((c.env ?? []).map((e: Obj) => [e.name, local(e.value ?? '')])) });

  const init = pod.spec.initContainers[0];
  const fetch = spawn(init.command[0], init.command.slice(1).map(local), { env: envOf(init), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(fetch);
  let initLog = '';
  fetch.stdout!.on('data', (d) => { initLog += d; });
  fetch.stderr!.on('data', (d) => { initLog += d; });
  const [code] = await once(fetch, 'close') as [number];
  fake.setLog(NS, name, 'storage-initializer', stamp(initLog));
  assert.equal(code, 0, `storage-initializer of ${name}: ${initLog}`);

  const main = pod.spec.containers[0];
  const [command, ...args] = main.command.map(local);
  const host = spawn(command === 'node' ? process.execPath : command, args, {
    cwd: local(main.workingDir), env: { ...envOf(main), SWITCHYARD_BIND_HOST: ip }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(host);
  let serverLog = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      serverLog += d;
      fake.setLog(NS, name, 'inference-server', stamp(serverLog));
      if (/"event": ?"ready"/.test(serverLog)) resolve();
    };
    host.stdout!.on('data', onData);
    host.stderr!.on('data', onData);
    host.on('exit', (c) => reject(new Error(`the scoring host of ${name} exited (${c}): ${serverLog}`)));
  });
  await ready;
  fake.markReady(NS, name, ip, `fake-node-${nextIp % 2}`);
}

const podsOf = (deployment: string) => fake.list('pods', NS).filter((p) => p.metadata.labels['switchyard.io/deployment'] === deployment);

test('serve --backend kubernetes: create, route, show, logs, restart, endpoint delete', async (t) => {
  assert.equal((await run('online-endpoint', 'create', '-f', 'endpoint.yml', '-o', 'none')).code, 0);

  await t.test('create: pods Ready in the cluster make the operation succeed', async () => {
    const created = run('online-deployment', 'create', '-f', 'blue.yml', '--all-traffic', '-o', 'none');
    const pods = await fake.waitFor(() => { const p = podsOf('blue'); return p.length === 2 ? p : undefined; }, 'two pods');
    await Promise.all(pods.map(playPod));
    const r = await created;
    assert.equal(r.code, 0, r.stderr);
    const dep = fake.get('deployments', NS, objectName(E, 'blue'))!;
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.spec.template.spec.containers[0].resources.requests.cpu, '4');
  });

  await t.test('invoke goes through the real gateway to the pods', async () => {
    const r = await run('online-endpoint', 'invoke', '--name', E, '--request-file', 'request.json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [18, 45]);
  });

  await t.test('show lists the pods with state, restarts and node', async () => {
    const r = await run('online-deployment', 'show', '--name', 'blue', '--endpoint', E);
    assert.equal(r.code, 0, r.stderr);
    const shown = JSON.parse(r.stdout) as { instances: Array<{ name: string; state: string; restarts: number; node: string; url: string; pid: null }> };
    assert.deepEqual(shown.instances.map((i) => i.name).sort(), podsOf('blue').map((p) => p.metadata.name).sort());
    for (const i of shown.instances) {
      assert.equal(i.state, 'Ready');
      assert.equal(i.restarts, 0);
      assert.match(i.node, /^fake-node-\d$/);
      assert.match(i.url, new RegExp(`^http://${ipBase.replaceAll('.', '\\.')}\\.\\d+:5001$`));
      assert.equal(i.pid, null);
    }
  });

  await t.test('get-logs reads the pods\' logs, of either container', async () => {
    const r = await run('online-deployment', 'get-logs', '--name', 'blue', '--endpoint', E, '--lines', '50');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /init complete, scale 3/);
    const init = await run('online-deployment', 'get-logs', '--name', 'blue', '--endpoint', E, '--container', 'storage-initializer', '--lines', '1');
    assert.equal(init.code, 0, init.stderr);
    const lines = init.stdout.trim().split('\n');
    assert.equal(lines.length, 1, init.stdout);
    assert.match(lines[0]!, /storage-initializer: done/);
  });

  await t.test('a restarted control plane routes to the same pods without replacing them', async () => {
    const pods = podsOf('blue').map((p) => p.metadata.name).sort();
    await server.stop();
    server = await startKubernetesServer();
    const r = await run('online-endpoint', 'invoke', '--name', E, '--request-file', 'request.json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(JSON.parse(r.stdout)), [18, 45]);
    const shown = JSON.parse((await run('online-deployment', 'show', '--name', 'blue', '--endpoint', E)).stdout) as { instances: Array<{ name: string }> };
    assert.deepEqual(shown.instances.map((i) => i.name).sort(), pods);
    assert.deepEqual(podsOf('blue').map((p) => p.metadata.name).sort(), pods);
  });

  await t.test('the archive route takes only a valid fetch token for that artifact', async () => {
    const secret = fake.get('secrets', NS, objectName(E, 'blue'))!.stringData as Record<string, string>;
    const init = podsOf('blue')[0]!.spec.initContainers[0].env as Obj[];
    const modelUrl = (init.find((e) => e.name === 'SWITCHYARD_MODEL_URL')!.value as string).replace(POD_CONTROL_URL, server.controlUrl);
    const codeUrl = (init.find((e) => e.name === 'SWITCHYARD_CODE_URL')!.value as string).replace(POD_CONTROL_URL, server.controlUrl);
    const get = (url: string, token?: string) => fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    assert.equal((await get(modelUrl, secret['fetch-token'])).status, 200);
    assert.equal((await get(modelUrl)).status, 401);
    assert.equal((await get(modelUrl, server.env.SWITCHYARD_TOKEN ?? 'not-a-fetch-token')).status, 401);
    const otherDigest = codeUrl.replace(/sha256:[0-9a-f]{64}|sha256%3A[0-9a-f]{64}/, `sha256%3A${'0'.repeat(64)}`);
    assert.equal((await get(otherDigest, secret['fetch-token'])).status, 403);
  });

  await t.test('endpoint delete removes the objects and the pods', async () => {
    const r = await run('online-endpoint', 'delete', '--name', E, '--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.get('deployments', NS, objectName(E, 'blue')), undefined);
    assert.equal(fake.get('secrets', NS, objectName(E, 'blue')), undefined);
    assert.equal(podsOf('blue').length, 0);
  });
});
