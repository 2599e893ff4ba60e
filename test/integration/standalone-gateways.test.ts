// Standalone gateways (issue 17, docs/gateway.md), as a user runs them: a control plane (real SQLite,
// real HTTP, its real embedded gateway; instances are HTTP servers of this test, so they outlive the
// control plane), two `switchyard gateway` processes fed by its snapshot stream, and the CLI. A 90/10
// change is routed by all three gateways as soon as the CLI returns; a gateway that does not acknowledge
// fails the change naming it; with the control plane stopped the gateways keep answering and say so in
// their metrics; a wrong or Reader token is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import { silentLogger } from '../../src/logger.js';
import { mintToken } from '../../src/gateway/token.js';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { assembleControlPlane, type ControlPlane } from '../../src/server/control-plane.js';
import { ensureAdminToken } from '../../src/server/admin-token.js';
import type { InstanceView } from '../../src/runtime/backend.js';
import { FakeBackend } from './control-fakes.js';
import { folderArchive } from './control-archives.js';
import { tempDataDir, removeDir } from './control-harness.js';
import { BIN, ensureBuilt } from '../e2e/cli-harness.js';

const E = 'sg-ep';

/** Instances the test runs itself: each answers which deployment it is. */
class TestInstances extends FakeBackend {
  readonly urls = new Map<string, string>();
  override instances(endpoint: string, deployment: string): InstanceView[] {
    const url = this.urls.get(deployment);
    return super.instances(endpoint, deployment).map((i) => (url ? { ...i, url } : i));
  }
}

function instanceServer(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ deployment: name });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}

interface GatewayProcess { child: ChildProcess; url: string; metricsUrl: string; id: string; stderr(): string; stop(): Promise<number | null> }

/** `switchyard gateway ...`: resolves with its listening line, or rejects with its exit and stderr. */
function startGateway(args: string[], token: string): Promise<GatewayProcess> {
  const env = { ...process.env, SWITCHYARD_TOKEN: token, SWITCHYARD_LOG_LEVEL: 'warn' } as Record<string, string>;
  delete env.SWITCHYARD_URL;
  const child = spawn(BIN, ['gateway', '--port', '0', '--metrics-port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gateway did not start in 60 s; stderr:\n${stderr}`)); }, 60_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      const ev = JSON.parse(line) as { event: string; gatewayUrl: string; metricsUrl: string; id: string };
      assert.equal(ev.event, 'listening');
      resolve({
        child, url: ev.gatewayUrl, metricsUrl: ev.metricsUrl, id: ev.id, stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
          const code = await exited;
          clearTimeout(t);
          return code;
        },
      });
    });
    void exited.then((code) => { clearTimeout(timer); reject(Object.assign(new Error(`gateway exited with ${code}; stderr:\n${stderr}`), { code, stderr })); });
  });
}

/** `switchyard ...args` against the control plane, as a script runs it. */
function sy(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let dataDir: string;
let plane: ControlPlane;
let embedded: RunningGateway;
let backend: TestInstances;
let controlUrl: string;
let admin: string;
let gatewayToken: string;
let key: string;
const instances: Server[] = [];
const gateways: GatewayProcess[] = [];

async function call(method: string, path: string, body?: unknown, token = admin): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(controlUrl + path, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body: parsed, text };
}
const waitOp = async (id: string) => (await call('GET', `/api/v1/operations/${id}?wait=30`)).body;

/** Scores `n` times at a gateway; answers how many requests each deployment answered. */
async function split(gatewayUrl: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${gatewayUrl}/endpoints/${E}/score`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 200, `${gatewayUrl}: ${res.status} ${await res.clone().text()}`);
    const { deployment } = (await res.json()) as { deployment: string };
    counts[deployment] = (counts[deployment] ?? 0) + 1;
  }
  return counts;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in ${url}/metrics`);
  return Number(line.slice(name.length + 1));
}

before(async () => {
  ensureBuilt();
  dataDir = tempDataDir();
  admin = (await ensureAdminToken(dataDir)).token;
  embedded = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  plane = await assembleControlPlane({
    dataDir, logger: silentLogger(), adminToken: admin, gateway: embedded, mintToken,
    makeBackend: (events) => (backend = new TestInstances(events)),
    // Generous for a loaded machine; the laggard test below lowers it on the fleet it uses.
    gatewayFleet: { ackTimeoutMs: 15_000 },
  });
  await plane.reconciler.recover();
  await plane.app.listen({ host: '127.0.0.1', port: 0 });
  const a = plane.app.server.address();
  controlUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;

  for (const name of ['blue', 'green']) {
    const inst = await instanceServer(name);
    instances.push(inst.server);
    backend.urls.set(name, inst.url);
  }
  const code = await fetch(`${controlUrl}/api/v1/artifacts?kind=dir&name=code`, {
    method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/gzip' },
    body: new Uint8Array(await folderArchive({ 'score.py': 'def init(): pass\ndef run(d): return d\n' })),
  });
  const digest = ((await code.json()) as { digest: string }).digest;
  assert.equal((await call('POST', '/api/v1/endpoints', { name: E })).status, 202);
  for (const name of ['blue', 'green']) {
    const r = await call('POST', `/api/v1/endpoints/${E}/deployments`, {
      name, code_configuration: { code: digest, scoring_script: 'score.py' }, environment: { image: 'python:3.11' },
      instance_type: 'Standard_DS3_v2', instance_count: 1,
    });
    assert.equal(r.status, 202, r.text);
    assert.equal((await waitOp(r.body.operation.id)).status, 'Succeeded');
  }
  const t = await call('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 100 } });
  assert.equal((await waitOp(t.body.operation.id)).status, 'Succeeded');
  key = (await call('POST', `/api/v1/endpoints/${E}/list-keys`)).body.primaryKey;
  const tok = await call('POST', '/api/v1/tokens', { name: 'edge', role: 'switchyard gateway' });
  assert.equal(tok.status, 201, tok.text);
  assert.equal(tok.body.role, 'Switchyard Gateway');
  gatewayToken = tok.body.token;
});

after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await plane?.close();
  await embedded?.close();
  for (const s of instances) s.close();
  removeDir(dataDir);
});

describe('standalone gateways', () => {
  it('a wrong token and a Reader token are refused with a clear error; the Gateway role may do nothing else', async () => {
    await assert.rejects(startGateway(['--control-plane', controlUrl], 'not-a-token'), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /refused this gateway's token \(HTTP 401\)/);
      assert.match(e.stderr, /Switchyard Gateway/);
      return true;
    });
    const reader = (await call('POST', '/api/v1/tokens', { name: 'rita', role: 'Reader' })).body.token;
    await assert.rejects(startGateway(['--control-plane', controlUrl], reader), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /HTTP 403.*role Reader, which does not allow gateways\/snapshots\/action/s);
      return true;
    });
    assert.equal((await call('GET', '/api/v1/endpoints', undefined, gatewayToken)).status, 403);
    assert.equal((await call('POST', `/api/v1/endpoints/${E}/list-keys`, undefined, gatewayToken)).status, 403);
    assert.equal((await call('GET', '/api/v1/gateways', undefined, reader)).status, 200, 'Readers may list gateways');
    assert.equal((await call('POST', '/api/v1/gateways', { id: 'x', address: 'http://x', software_version: '1', acked_version: 1 }, reader)).status, 403);
  });

  it('two standalone gateways and the embedded one all route a 90/10 change as soon as the CLI returns', async () => {
    gateways.push(await startGateway(['--control-plane', `http://127.0.0.1:1,${controlUrl}`, '--id', 'gw-a'], gatewayToken));
    // gw-b runs two worker processes on its port: every worker must have the change before it acknowledges.
    gateways.push(await startGateway(['--control-plane', controlUrl, '--id', 'gw-b', '--gateway-workers', '2'], gatewayToken));
    const listed = await sy(['gateway', 'list', '--query', '[].[id,status]', '-o', 'tsv'], { SWITCHYARD_URL: controlUrl, SWITCHYARD_TOKEN: admin });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trim().split('\n'), ['gw-a\tInForce', 'gw-b\tInForce']);
    for (const url of [embedded.url, ...gateways.map((g) => g.url)]) assert.deepEqual(await split(url, 5), { blue: 5 }, url);

    const r = await sy(['online-endpoint', 'update', '--name', E, '--traffic', 'blue=90', 'green=10'], { SWITCHYARD_URL: controlUrl, SWITCHYARD_TOKEN: admin });
    assert.equal(r.code, 0, r.stderr);
    // Immediately: 200 requests each; P(no green at 10%) = 0.9^200 < 1e-9, P(green > 60) is as small.
    for (const url of [embedded.url, ...gateways.map((g) => g.url)]) {
      const counts = await split(url, 200);
      assert.ok((counts.green ?? 0) > 0 && (counts.green ?? 0) < 60 && counts.blue! > 140, `${url}: ${JSON.stringify(counts)}`);
    }
    const views = (await call('GET', '/api/v1/gateways')).body.value as Array<{ id: string; status: string; acked_version: number; routing_version: number }>;
    assert.deepEqual(views.map((v) => [v.id, v.status]), [['gw-a', 'InForce'], ['gw-b', 'InForce']]);
    assert.equal(await metric(gateways[0]!.metricsUrl, 'switchyard_gateway_control_plane_connected'), 1);
    assert.equal(await metric(gateways[0]!.metricsUrl, 'switchyard_gateway_snapshot_version'), views[0]!.acked_version);
  });

  it('a live gateway that does not acknowledge fails the change, naming it, and is listed as Lagging', async () => {
    // A registration that heartbeats but never takes snapshots (a gateway stuck mid-swap).
    const stuck = { id: 'gw-stuck', address: 'http://127.0.0.1:9', software_version: 'test', acked_version: 1 };
    assert.equal((await call('POST', '/api/v1/gateways', stuck, gatewayToken)).status, 200);
    const settings = plane.fleet.settings as { ackTimeoutMs: number };
    const saved = settings.ackTimeoutMs;
    // Long enough for the two real gateways to acknowledge on a loaded machine; the stuck one never does.
    settings.ackTimeoutMs = 4000;
    try {
      const r = await call('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 80, green: 20 } });
      const op = await waitOp(r.body.operation.id);
      assert.equal(op.status, 'Failed');
      assert.equal(op.error.code, 'GatewayLagging');
      assert.match(op.error.message, /by gateway gw-stuck \(http:\/\/127\.0\.0\.1:9, serving version 1, last heard \d+ s ago\)/);
      assert.doesNotMatch(op.error.message, /gw-a|gw-b/, 'the live, acknowledging gateways are not named');
      const views = (await call('GET', '/api/v1/gateways')).body.value as Array<{ id: string; status: string }>;
      assert.deepEqual(views.map((v) => [v.id, v.status]), [['gw-a', 'InForce'], ['gw-b', 'InForce'], ['gw-stuck', 'Lagging']]);
    } finally {
      settings.ackTimeoutMs = saved;
      assert.equal((await call('DELETE', '/api/v1/gateways/gw-stuck', undefined, gatewayToken)).status, 204);
    }
    const back = await call('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 90, green: 10 } });
    assert.equal((await waitOp(back.body.operation.id)).status, 'Succeeded', 'without the laggard, changes are in force again');
  });

  it('with the control plane stopped, the gateways keep serving their last snapshot and say so in their metrics', async () => {
    await plane.close();
    for (const g of gateways) {
      // The stream ends when the control plane closes: wait for the gauge the gateway exposes.
      for (let i = 0; await metric(g.metricsUrl, 'switchyard_gateway_control_plane_connected') !== 0; i++) {
        assert.ok(i < 500, 'the gateway noticed the control plane is gone');
        await new Promise((r) => setTimeout(r, 20));
      }
      const counts = await split(g.url, 100);
      assert.ok((counts.green ?? 0) > 0 && counts.blue! > 50, `${g.url}: ${JSON.stringify(counts)}`);
      assert.ok(await metric(g.metricsUrl, 'switchyard_gateway_snapshot_age_seconds') >= 0);
    }
  });
});
