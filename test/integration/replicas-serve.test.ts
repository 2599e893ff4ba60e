// Two real `switchyard serve` replicas on one throwaway PostgreSQL store, as a user runs them (same
// key and token files, their own data dirs and ports): what is created through one is read through
// the other and routed by both gateways; kill -9 of the leader while it starts a deployment's
// instances -> the other replica takes the lock, finishes the operation and runs the instances.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { BIN, ensureBuilt } from '../e2e/cli-harness.js';
import { folderArchive } from './control-archives.js';

interface Replica {
  child: ChildProcess;
  controlUrl: string;
  gatewayUrl: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** A Node scoring module that answers its pid; init() takes INIT_MS (the deployment's variable). */
const SCORE_JS = `export async function init() { await new Promise((r) => setTimeout(r, Number(process.env.INIT_MS ?? 0))); }
export function run() { return { pid: process.pid }; }
`;

describe('replicas of `switchyard serve` on one PostgreSQL store', { timeout: 180_000 }, () => {
  let cluster: Awaited<ReturnType<typeof startPgCluster>>;
  let home: string;
  const replicas: Replica[] = [];

  async function startReplica(name: string, storeUrl: string): Promise<Replica> {
    const dataDir = join(home, name);
    const env = { ...process.env, HOME: home, SWITCHYARD_LOG_LEVEL: 'info' } as Record<string, string>;
    for (const k of ['SWITCHYARD_URL', 'SWITCHYARD_TOKEN', 'SWITCHYARD_DATA_DIR', 'SWITCHYARD_STORE']) delete env[k];
    const child = spawn(BIN, [
      'serve', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir, '--store', storeUrl, '--instance-user', 'none',
      '--master-key-file', join(home, 'master-key'), '--admin-token-file', join(home, 'admin-token'), '--artifact-dir', join(home, 'artifacts'),
    ], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve ${name} did not listen in 60 s:\n${stderr}`)), 60_000);
      createInterface({ input: child.stdout! }).once('line', (l) => { clearTimeout(timer); resolve(l); });
      void exited.then((code) => { clearTimeout(timer); reject(new Error(`serve ${name} exited with ${code}:\n${stderr}`)); });
    });
    const event = JSON.parse(line) as { controlUrl: string; gatewayUrl: string };
    const replica = { child, controlUrl: event.controlUrl, gatewayUrl: event.gatewayUrl, stderr: () => stderr, exited };
    replicas.push(replica);
    return replica;
  }

  let token = '';
  const call = async (r: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const binary = body instanceof Uint8Array;
    const res = await fetch(r.controlUrl + path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/gzip' : 'application/json' }) },
      ...(body === undefined ? {} : { body: binary ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
  };
  const score = async (r: Replica, key: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${r.gatewayUrl}/endpoints/shop/score`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"data": 1}',
    });
    const text = await res.text();
    try { return { status: res.status, body: JSON.parse(text) }; } catch { return { status: res.status, body: text }; }
  };
  /** Polls what the system exposes (the replica list, a snapshot's effect) until it holds. */
  const until = async <T>(what: string, probe: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v) return v as NonNullable<T>;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

  before(async () => {
    ensureBuilt();
    cluster = await startPgCluster();
    home = mkdtempSync(join(tmpdir(), 'switchyard-replicas-'));
  });
  after(async () => {
    for (const r of replicas) { r.child.kill('SIGTERM'); }
    for (const r of replicas) {
      const timer = setTimeout(() => r.child.kill('SIGKILL'), 20_000);
      await r.exited;
      clearTimeout(timer);
    }
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('a resource made through one replica is read through the other; kill -9 of the leader mid-create -> the other finishes it', async (t) => {
    const a = await startReplica('a', cluster.url);
    token = readFileSync(join(home, 'admin-token'), 'utf8').trim();
    await until('a to lead', async () => (await call(a, 'GET', '/api/v1/replicas')).body.value?.some((r: any) => r.leader && r.control_url === a.controlUrl));
    const b = await startReplica('b', cluster.url);
    await until('both replicas listed', async () => (await call(b, 'GET', '/api/v1/replicas')).body.value?.length === 2);

    // Through B (a follower): an endpoint, the code, a deployment with all the traffic.
    assert.equal((await call(b, 'POST', '/api/v1/endpoints', { name: 'shop' })).status < 300, true);
    const up = await call(b, 'POST', '/api/v1/artifacts?kind=dir&name=code', new Uint8Array(await folderArchive({ 'score.js': SCORE_JS })));
    assert.equal(up.status < 300, true, JSON.stringify(up.body));
    const deployment = (name: string, initMs: number) => ({
      name, code_configuration: { code: up.body.digest, scoring_script: 'score.js' }, environment: { image: 'x' },
      instance_type: 'Standard_DS3_v2', instance_count: 1, environment_variables: { INIT_MS: String(initMs) },
    });
    const blue = await call(b, 'POST', '/api/v1/endpoints/shop/deployments', deployment('blue', 0));
    assert.equal(blue.status, 202, JSON.stringify(blue.body));
    // ... read through A, where the operation ended.
    assert.equal((await call(a, 'GET', `/api/v1/operations/${blue.body.operation.id}?wait=60`)).body.status, 'Succeeded');
    assert.equal((await call(a, 'GET', '/api/v1/endpoints/shop/deployments/blue')).body.provisioning_state, 'Succeeded');
    assert.equal((await call(b, 'PATCH', '/api/v1/endpoints/shop', { traffic: { blue: 100 } })).status < 300, true);
    const key = (await call(a, 'POST', '/api/v1/endpoints/shop/list-keys')).body.primaryKey as string;

    // Both gateways route to the leader's instance.
    const viaA = await until('A\'s gateway to route', async () => { const r = await score(a, key); return r.status === 200 ? r.body : null; });
    const viaB = await until('B\'s gateway to route', async () => { const r = await score(b, key); return r.status === 200 ? r.body : null; });
    assert.equal(viaA.pid, viaB.pid);
    const oldInstance = viaA.pid as number;

    // A starts green's instance (init takes 3 s) ... and is killed while it does.
    const green = await call(b, 'POST', '/api/v1/endpoints/shop/deployments', deployment('green', 3000));
    assert.equal(green.status, 202, JSON.stringify(green.body));
    await until('the leader to be starting green\'s instance', async () =>
      (await call(b, 'GET', '/api/v1/endpoints/shop/deployments/green')).body.instances?.length > 0);
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();

    // B takes over and finishes the operation (waited on, not slept on).
    const op = await call(b, 'GET', `/api/v1/operations/${green.body.operation.id}?wait=60`);
    assert.equal(op.body.status, 'Succeeded', JSON.stringify(op.body) + b.stderr().slice(-3000));
    const tookMs = Date.now() - killedAt;
    const listed = (await call(b, 'GET', '/api/v1/replicas')).body.value;
    assert.deepEqual(listed.filter((r: any) => r.leader).map((r: any) => r.control_url), [b.controlUrl]);
    // The dead leader's instance died with it; B's gateway routes to B's own instance of blue.
    await until('the dead leader\'s instance to exit', async () => !alive(oldInstance), 15_000);
    const after = await until('B to serve blue from its own instance', async () => { const r = await score(b, key); return r.status === 200 ? r.body : null; });
    assert.notEqual(after.pid, oldInstance);
    assert.equal((await call(b, 'GET', '/api/v1/endpoints/shop/deployments/green')).body.provisioning_state, 'Succeeded');
    t.diagnostic(`takeover: green's create finished ${tookMs} ms after kill -9 of the leader (its init takes 3000 ms)`);
  });
});
