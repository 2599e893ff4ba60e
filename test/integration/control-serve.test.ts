// serve() with the real parts: the gateway in its worker thread, LocalBackend running a Python scoring
// host, the SQLite store. One small deployment is created through the REST API, scored through the
// gateway, survives a restart of the server, and everything stops on close.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { silentLogger } from '../../src/logger.js';
import { folderArchive } from './control-archives.js';
import { removeDir, tempDataDir } from './control-harness.js';

const SCORE_PY = `
import json, os
def init():
    global greeting
    greeting = os.environ.get("GREETING", "hello")
def run(raw_data):
    data = json.loads(raw_data)
    return {"greeting": greeting, "echo": data}
`;

let dataDir: string;
let server: RunningServer | undefined;
let token: string;

async function api(method: string, path: string, body?: unknown, raw?: { data: Uint8Array<ArrayBuffer>; type: string }) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: BodyInit | undefined;
  if (raw) { headers['content-type'] = raw.type; payload = raw.data; }
  else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  const res = await fetch(server!.controlUrl + path, { method, headers, ...(payload ? { body: payload } : {}) });
  const text = await res.text();
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body: parsed, text };
}

async function waitOp(id: string, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const r = await api('GET', `/api/v1/operations/${id}?wait=10`);
    if (r.body.status !== 'Running' || Date.now() > deadline) return r.body;
  }
}

async function score(endpointKey: string, body: unknown) {
  const ep = (await api('GET', '/api/v1/endpoints/served')).body;
  const res = await fetch(ep.scoring_uri, {
    method: 'POST', headers: { authorization: `Bearer ${endpointKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), deployment: res.headers.get('azureml-model-deployment') };
}

const start = async () => serve({ port: 0, gatewayPort: 0, dataDir, logger: silentLogger(), handleSignals: false });

before(async () => {
  dataDir = tempDataDir();
  server = await start();
  token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
});
after(async () => {
  await server?.close();
  removeDir(dataDir);
});

describe('serve() with the real gateway and LocalBackend', { timeout: 180_000 }, () => {
  it('reports real ports and answers health', async () => {
    assert.match(server!.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server!.gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server!.controlUrl, server!.gatewayUrl);
    assert.equal(server!.dataDir, dataDir);
    assert.equal((await fetch(`${server!.controlUrl}/api/v1/health`)).status, 200);
  });

  let key: string;
  it('deploys a scoring script and routes traffic to it', async () => {
    const code = await folderArchive({ 'score.py': SCORE_PY });
    const up = await api('POST', '/api/v1/artifacts?kind=dir&name=onlinescoring', undefined, { data: new Uint8Array(code), type: 'application/gzip' });
    assert.equal(up.status, 201, up.text);
    const ep = await api('POST', '/api/v1/endpoints', { name: 'served' });
    assert.equal(ep.status, 202, ep.text);
    assert.equal(ep.body.endpoint.scoring_uri, `${server!.gatewayUrl}/endpoints/served/score`);
    const dep = await api('POST', '/api/v1/endpoints/served/deployments', {
      name: 'blue', code_configuration: { code: up.body.digest, scoring_script: 'score.py' },
      environment: { image: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest' },
      environment_variables: { GREETING: 'hi' }, instance_type: 'Standard_DS3_v2', instance_count: 1,
      readiness_probe: { initial_delay: 0, period: 1 }, liveness_probe: { initial_delay: 0, period: 1 },
    });
    assert.equal(dep.status, 202, dep.text);
    const op = await waitOp(dep.body.operation.id);
    if (op.status !== 'Succeeded') {
      const logs = await api('GET', '/api/v1/endpoints/served/deployments/blue/logs?lines=50');
      assert.fail(`deployment failed: ${JSON.stringify(op)}\n${logs.text}`);
    }
    const shown = (await api('GET', '/api/v1/endpoints/served/deployments/blue')).body;
    assert.equal(shown.instances.length, 1);
    assert.equal(shown.instances[0].state, 'Ready');
    key = (await api('POST', '/api/v1/endpoints/served/list-keys')).body.primaryKey;
    assert.equal((await score(key, { x: 1 })).status, 404, 'no traffic yet');
    const t = await api('PATCH', '/api/v1/endpoints/served', { traffic: { blue: 100 } });
    assert.equal(t.body.operation.status, 'Succeeded');
    const s = await score(key, { x: 1 });
    assert.equal(s.status, 200, s.body);
    assert.deepEqual(JSON.parse(s.body), { greeting: 'hi', echo: { x: 1 } });
    assert.equal(s.deployment, 'blue');
    assert.equal((await score('wrong-key', { x: 1 })).status, 401);
    const logs = await api('GET', '/api/v1/endpoints/served/deployments/blue/logs?lines=100');
    assert.equal(logs.status, 200);
    const metrics = await api('GET', '/metrics');
    assert.equal(metrics.status, 200);
  });

  it('a regenerated key works at once and the old one does not', async () => {
    const r = await api('POST', '/api/v1/endpoints/served/regenerate-keys', { keyType: 'primary' });
    assert.equal((await score(key, {})).status, 401);
    assert.equal((await score(r.body.primaryKey, {})).status, 200);
    key = r.body.primaryKey;
  });

  it('after a restart, the deployment is served again', async () => {
    await server!.close();
    server = await start();
    // The reconciler restarts the instances in the background after serve() returns.
    const deadline = Date.now() + 60_000;
    let s = await score(key, { again: true });
    while (s.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      s = await score(key, { again: true });
    }
    assert.equal(s.status, 200, s.body);
    assert.deepEqual(JSON.parse(s.body).echo, { again: true });
  });

  it('deletes the endpoint and its instances', async () => {
    await api('PATCH', '/api/v1/endpoints/served', { traffic: {} });
    const del = await api('DELETE', '/api/v1/endpoints/served');
    assert.equal((await waitOp(del.body.operation.id)).status, 'Succeeded');
    assert.equal((await api('GET', '/api/v1/endpoints/served')).status, 404);
  });
});

describe('serve() on SIGTERM', { timeout: 120_000 }, () => {
  it('stops its instances and exits by itself', async () => {
    const dir = tempDataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./control-serve-child.ts', import.meta.url)), dir],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout!.on('data', (c: Buffer) => { buf += c; if (buf.includes('\n')) resolve(buf.split('\n')[0]!); });
        child.on('exit', () => reject(new Error('serve child exited before listening')));
      });
      const urls = JSON.parse(line) as { controlUrl: string };
      const admin = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      const call = async (method: string, path: string, body?: unknown, raw?: Uint8Array<ArrayBuffer>) => {
        const res = await fetch(urls.controlUrl + path, {
          method,
          headers: { authorization: `Bearer ${admin}`, 'content-type': raw ? 'application/gzip' : 'application/json' },
          ...(raw ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return res.json() as Promise<any>;
      };
      const code = await call('POST', '/api/v1/artifacts?kind=dir&name=code', undefined, new Uint8Array(await folderArchive({ 'score.py': SCORE_PY })));
      await call('POST', '/api/v1/endpoints', { name: 'sigterm' });
      const dep = await call('POST', '/api/v1/endpoints/sigterm/deployments', {
        name: 'blue', code_configuration: { code: code.digest, scoring_script: 'score.py' }, environment: {}, instance_type: 'Standard_DS3_v2', instance_count: 2,
        readiness_probe: { initial_delay: 0, period: 1 },
      });
      const op = await call('GET', `/api/v1/operations/${dep.operation.id}?wait=60`);
      assert.equal(op.status, 'Succeeded', JSON.stringify(op));
      const pids = (await call('GET', '/api/v1/endpoints/sigterm/deployments/blue')).instances.map((i: any) => i.pid as number);
      assert.equal(pids.length, 2);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      for (const pid of pids) {
        let alive = true;
        try { process.kill(pid, 0); } catch { alive = false; }
        assert.equal(alive, false, `instance ${pid} still running after the server stopped`);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      removeDir(dir);
    }
  });
});
