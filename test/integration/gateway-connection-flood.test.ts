// A flood of idle connections at the gateway (issue 10, finding 6, gateway side): a real server in a child
// process held to 1,024 open files (as the review's machine), 1,100 idle TCP connections to the gateway.
// The gateway's cap (sized from the open-file limit, gateway/settings.ts) closes the connections past it
// on arrival, so the control plane (same process) still answers new connections and a client already
// connected to the gateway keeps scoring; once the flood leaves, new gateway connections score again.
// The control plane's own cap and the reverse flood are tested with the control plane (issue 10C).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMaxConnections } from '../../src/gateway/settings.js';
import { DEFAULT_SECURITY } from '../../src/control/security-settings.js';
import { folderArchive } from './control-archives.js';
import { removeDir, tempDataDir } from './control-harness.js';

const FILES = 1024;
const FLOOD = 1100;
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

let child: ChildProcess | undefined;
let dir = '';
let urls: { controlUrl: string; gatewayUrl: string };
let admin = '';
let key = '';

async function api(method: string, path: string, body?: unknown, raw?: Uint8Array<ArrayBuffer>): Promise<any> {
  const res = await fetch(urls.controlUrl + path, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': raw ? 'application/gzip' : 'application/json', connection: 'close' },
    ...(raw ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** One POST /score on `agent`'s connection(s). */
function score(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${urls.gatewayUrl}/endpoints/flood/score`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('score timed out')));
    req.end('{"x":1}');
  });
}

before(async () => {
  if (!hasPrlimit) return;
  dir = tempDataDir();
  // The server runs with soft and hard open-file limits of 1,024: raising cannot help, the caps must.
  child = spawn('prlimit', [`--nofile=${FILES}:${FILES}`, '--', process.execPath, '--import', 'tsx', fileURLToPath(new URL('./control-serve-child.ts', import.meta.url)), dir],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child!.stdout!.on('data', (c: Buffer) => { buf += c; if (buf.includes('\n')) resolve(buf.split('\n')[0]!); });
    child!.on('exit', () => reject(new Error('serve child exited before listening')));
  });
  urls = JSON.parse(line);
  admin = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
  const code = await api('POST', '/api/v1/artifacts?kind=dir&name=code', undefined, new Uint8Array(await folderArchive({ 'score.py': 'def run(raw_data):\n    return {"ok": True}\n' })));
  await api('POST', '/api/v1/endpoints', { name: 'flood' });
  const dep = await api('POST', '/api/v1/endpoints/flood/deployments', {
    name: 'blue', code_configuration: { code: code.body.digest, scoring_script: 'score.py' }, environment: {}, instance_type: 'Standard_DS3_v2', instance_count: 1,
    readiness_probe: { initial_delay: 0, period: 1 },
  });
  const op = await api('GET', `/api/v1/operations/${dep.body.operation.id}?wait=60`);
  assert.equal(op.body.status, 'Succeeded', JSON.stringify(op.body));
  await api('PATCH', '/api/v1/endpoints/flood', { traffic: { blue: 100 } });
  key = (await api('POST', '/api/v1/endpoints/flood/list-keys')).body.primaryKey;
});

after(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child!.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }
  if (dir !== '') removeDir(dir);
});

test(`${FLOOD} idle connections to the gateway: the control plane and connected clients still answer`, { skip: !hasPrlimit && 'no prlimit', timeout: 120_000 }, async () => {
  const cap = defaultMaxConnections(FILES, DEFAULT_SECURITY.controlMaxConnections);
  assert.ok(cap < FLOOD && cap + DEFAULT_SECURITY.controlMaxConnections < FILES, `cap ${cap}`);
  const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  const flood: Socket[] = [];
  try {
    assert.equal(await score(keptAlive), 200);

    let connected = 0;
    let closed = 0;
    const gw = new URL(urls.gatewayUrl);
    for (let i = 0; i < FLOOD; i++) {
      const s = connect(Number(gw.port), gw.hostname);
      s.on('connect', () => connected++);
      s.on('close', () => closed++);
      s.on('error', () => {});
      flood.push(s);
    }
    // Settled: every connection was accepted, and all but the cap's worth were closed by the gateway.
    const deadline = Date.now() + 30_000;
    while ((connected < FLOOD || closed < FLOOD - cap) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(connected === FLOOD && closed >= FLOOD - cap, `connected ${connected}, closed ${closed}, cap ${cap}`);
    const held = FLOOD - closed;
    assert.ok(held <= cap - 1, `the gateway holds ${held} flood connections (cap ${cap}, one is the keep-alive client)`);

    // The control plane, in the same process, still takes new connections and answers.
    for (let i = 0; i < 5; i++) {
      assert.equal((await api('GET', '/api/v1/health')).status, 200);
      assert.equal((await api('GET', '/api/v1/endpoints/flood')).status, 200);
    }
    // The client connected before the flood keeps scoring on its connection.
    for (let i = 0; i < 5; i++) assert.equal(await score(keptAlive), 200);

    // When the flood leaves, new connections to the gateway score again.
    for (const s of flood) s.destroy();
    const fresh = new Agent({ keepAlive: false });
    const until = Date.now() + 20_000;
    let status = 0;
    while (status !== 200 && Date.now() < until) status = await score(fresh).catch(() => 0);
    assert.equal(status, 200);
    fresh.destroy();
  } finally {
    for (const s of flood) s.destroy();
    keptAlive.destroy();
  }
});
