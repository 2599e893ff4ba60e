// A deployment's pod as the renderer describes it, played without Kubernetes: the storage-initializer's
// script fetches model and code from a stand-in control plane, then the inference-server's command runs
// with the container's environment (the real Python and Node scoring hosts), and the rendered probe
// commands run as kubelet would run them. Pod paths (/var/azureml-app, /var/run/switchyard,
// /opt/switchyard) are moved under a temporary folder, and the host picks a free port instead of 5001;
// everything else is the rendered container, unchanged. What this cannot show: a kubelet, images, cgroups.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { create as tarCreate } from 'tar';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import { artifactArchivePath, renderManifests, type KubernetesSettings } from '../../src/runtime/kubernetes/manifests.js';

const ROOT = resolve(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'switchyard-k8s-pod-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const MODEL = 'sha256:' + '1'.repeat(64);
const probes = { initial_delay: 0, period: 1, timeout: 2, success_threshold: 1, failure_threshold: 3 };
const SECRET = 'k'.repeat(48);

type Container = { command?: string[]; env?: { name: string; value?: string }[]; readinessProbe?: { exec?: { command?: string[] } }; livenessProbe?: { exec?: { command?: string[] } } };

/** The stand-in control plane: serves the archives to the right bearer token. */
async function controlPlane(archives: Record<string, Buffer>): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer fetch-me') return void res.writeHead(401).end();
    const body = archives[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

async function archive(name: string, files: Record<string, string>): Promise<Buffer> {
  const dir = join(root, 'src', name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const file = join(root, `${name}.tar.gz`);
  await tarCreate({ gzip: true, file, cwd: dir }, readdirSync(dir));
  return readFileSync(file);
}

/** Pod paths → this test's folders. */
function localise(pod: string, text: string): string {
  return text
    .replaceAll('/var/azureml-app', join(pod, 'azureml-app'))
    .replaceAll('/var/run/switchyard', join(pod, 'secrets'))
    .replaceAll('/opt/switchyard', ROOT);
}

const envOf = (pod: string, c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, localise(pod, e.value ?? '')]));

/** Runs a command to its end (asynchronously: the stand-in control plane answers from this process). */
async function runScript(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(args[0]!, args.slice(1), { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = await once(child, 'close') as [number | null];
  clearTimeout(timer);
  return { code, output };
}

/** Runs the pod: init container, then the server; resolves with its port once it announced readiness. */
async function startPod(name: string, t: DeploymentTemplate, cp: string): Promise<{ port: number; server: Container; pod: string; child: ChildProcess }> {
  const settings: KubernetesSettings = { namespace: 'ml', hostImage: 'switchyard/host:test', controlPlaneUrl: cp };
  const m = renderManifests(t, settings, { instanceSecret: SECRET, fetchToken: 'fetch-me' });
  const spec = m.deployment.spec!.template.spec!;
  const pod = join(root, name);
  mkdirSync(join(pod, 'azureml-app'), { recursive: true });
  mkdirSync(join(pod, 'secrets'), { recursive: true });
  // The Secret volume: one file per key.
  for (const [key, value] of Object.entries(m.secret.stringData!)) writeFileSync(join(pod, 'secrets', key), value);

  const init = spec.initContainers![0]!;
  const fetched = await runScript(init.command!.map((a) => localise(pod, a)), envOf(pod, init));
  assert.equal(fetched.code, 0, fetched.output);

  const server = spec.containers[0]!;
  const [command, ...args] = server.command!.map((a) => localise(pod, a));
  const env = { PATH: process.env.PATH!, ...envOf(pod, server), PORT: '0' };
  const child = spawn(command === 'python3' ? '/usr/bin/python3' : command === 'node' ? process.execPath : command!, args, {
    cwd: localise(pod, server.workingDir!), env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stderr!.on('data', (d) => { output += d; });
  const port = await new Promise<number>((resolvePort, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d) => {
      buffered += d;
      const m = /\{[^\n]*"event": ?"ready"[^\n]*\}/.exec(buffered);
      if (m) resolvePort(JSON.parse(m[0]).port);
    });
    child.on('exit', (code) => reject(new Error(`the host exited (${code}) before it was ready: ${output}`)));
  });
  return { port, server, pod, child };
}

/** Runs a rendered exec probe as kubelet would (the container's environment), against `port`. */
async function probe(pod: string, command: string[], port: number, env: Record<string, string>): Promise<number | null> {
  return (await runScript(command.map((a) => localise(pod, a).replaceAll(':5001/', `:${port}/`)), env)).code;
}

function post(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolvePost({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('a rendered pod, played without Kubernetes', () => {
  for (const host of ['python', 'node'] as const) {
    it(`${host}: the storage-initializer stages, the host serves, the probes pass, and only the secret gets in`, async () => {
      const code = host === 'python'
        ? { 'onlinescoring/score.py': 'import json, os\n\ndef init():\n    global scale\n    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "weights.json")) as f:\n        scale = json.load(f)["scale"]\n\ndef run(raw):\n    return [x * scale for x in json.loads(raw)["data"]]\n' }
        : { 'onlinescoring/score.mjs': 'import { readFileSync } from "node:fs";\nimport { join } from "node:path";\nlet scale;\nexport function init() { scale = JSON.parse(readFileSync(join(process.env.AZUREML_MODEL_DIR, "model", "weights.json"), "utf8")).scale; }\nexport function run(raw) { return JSON.parse(raw).data.map((x) => x * scale); }\n' };
      const CODE = 'sha256:' + (host === 'python' ? '2' : '3').repeat(64);
      const cp = await controlPlane({
        [artifactArchivePath(MODEL)]: await archive(`${host}-model`, { 'weights.json': '{"scale": 3}' }),
        [artifactArchivePath(CODE)]: await archive(`${host}-code`, code),
      });
      try {
        const t: DeploymentTemplate = {
          endpoint: 'pod-test', deployment: host, revision: 'abc', instanceCount: 1,
          model: { dir: '/unused', kind: 'dir', name: 'model', assetName: 'm', assetVersion: '1', digest: MODEL },
          code: { dir: '/unused', scoringScript: Object.keys(code)[0]!, digest: CODE },
          environment: { registered: false }, env: { EXTRA: 'x' },
          liveness: probes, readiness: probes, requestTimeoutMs: 5000, maxConcurrentPerInstance: 1,
        };
        const { port, server, pod, child } = await startPod(host, t, cp.url);
        const env = { ...envOf(pod, server) };
        // The rendered probes, as kubelet runs them in the container.
        assert.equal(await probe(pod, server.readinessProbe!.exec!.command!, port, env), 0, 'readiness');
        assert.equal(await probe(pod, server.livenessProbe!.exec!.command!, port, env), 0, 'liveness');
        // A probe without the right secret fails: the probes really present it.
        writeFileSync(join(pod, 'secrets', 'instance-secret'), 'w'.repeat(48));
        assert.notEqual(await probe(pod, server.readinessProbe!.exec!.command!, port, env), 0, 'a wrong secret must not pass');
        // Scoring: the gateway's header gets in, nothing else does.
        assert.equal((await post(port, '/score', '{"data": [1, 2]}')).status, 401);
        const scored = await post(port, '/score', '{"data": [1, 2]}', { 'x-switchyard-instance-secret': SECRET });
        assert.equal(scored.status, 200, scored.body);
        assert.deepEqual(JSON.parse(scored.body), [3, 6]);
        await stop(child);
      } finally {
        cp.close();
      }
    });
  }
});
