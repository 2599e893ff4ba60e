// Control-plane replicas coordinating through a real PostgreSQL (a throwaway cluster): the leader lock,
// work a follower forwards to the leader, the leader's instance list reaching a follower's gateway,
// takeover when the leader drops off the network, and the shared-secret check. Two control planes in
// this process on one PostgreSQL store (each its own data dir; one artifact folder, one key and token
// file), with fake backends and gateways so the timing is the test's; real `serve` processes and
// kill -9 are in replicas-serve.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { createLogger, silentLogger } from '../../src/logger.js';
import { mintToken } from '../../src/gateway/token.js';
import { assembleControlPlane, type ControlPlane } from '../../src/server/control-plane.js';
import { ensureAdminToken } from '../../src/server/admin-token.js';
import { ensureMasterKey } from '../../src/server/master-key.js';
import { Replica } from '../../src/server/replicas/replica.js';
import { SharedSecretMismatch } from '../../src/server/replicas/shared-secrets.js';
import { FakeBackend, FakeGateway } from './control-fakes.js';
import { folderArchive } from './control-archives.js';

interface Node {
  replica: Replica;
  plane: ControlPlane;
  gateway: FakeGateway;
  /** Every local backend this replica made (one per time it was elected after standing down). */
  backends: FakeBackend[];
  url: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** `coordinationUrl`: where the replica's coordination connection goes (default: the store's URL). */
async function startNode(
  dataDir: string, pgUrl: string, files: { masterKeyFile?: string; adminTokenFile?: string; artifactDir?: string } = {}, coordinationUrl = pgUrl,
): Promise<Node> {
  const logger = process.env.REPLICA_TEST_LOG ? createLogger({ level: 'debug' }).child({ node: dataDir.slice(-6) }) : silentLogger();
  const admin = await ensureAdminToken(dataDir, files.adminTokenFile);
  const key = await ensureMasterKey(dataDir, files.masterKeyFile);
  const replica = await Replica.connect({
    url: coordinationUrl, logger, cipher: key.cipher,
    secrets: { masterKey: { check: key.check, path: key.path }, adminToken: { token: admin.token, path: admin.path } },
  });
  const gateway = new FakeGateway();
  const backends: FakeBackend[] = [];
  const plane = await assembleControlPlane({
    dataDir, logger, adminToken: admin.token, gateway, mintToken, replica, quickWaitMs: 10_000,
    store: { kind: 'postgres', url: pgUrl }, ...(files.artifactDir ? { artifactDir: files.artifactDir } : {}),
    makeBackend: (events) => { const b = new FakeBackend(events); backends.push(b); return b; },
    ...(files.masterKeyFile ? { masterKeyFile: files.masterKeyFile } : {}),
  });
  await plane.publisher.publish();
  await plane.app.listen({ host: '127.0.0.1', port: 0 });
  const address = plane.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  replica.attach(plane, { controlUrl: url, gatewayUrl: gateway.url });
  const call: Node['call'] = async (method, path, body) => {
    const binary = body instanceof Uint8Array;
    const res = await fetch(url + path, {
      method, headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'content-type': binary ? 'application/gzip' : 'application/json' }) },
      ...(body === undefined ? {} : { body: binary ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: parsed };
  };
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= (async () => { await replica.close(); await plane.close(); })());
  return { replica, plane, gateway, backends, url, call, close };
}

/** Polls a condition the system exposes (the replica list, an operation, a snapshot) until it holds. */
async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A TCP relay to PostgreSQL that a test can cut (every connection reset, new ones refused) and mend:
 * a replica behind it loses PostgreSQL as when its machine drops off the network.
 */
async function relay(target: string): Promise<{ url: string; cut(): Promise<void>; mend(): Promise<void>; close(): Promise<void> }> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = createConnection({ host: to.hostname, port: Number(to.port) });
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server!.address() as { port: number }).port; resolve(); });
  });
  const stop = async () => {
    for (const s of sockets) s.resetAndDestroy();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  };
  await listen();
  const url = new URL(target);
  url.port = String(port);
  return { url: url.toString(), cut: stop, mend: listen, close: stop };
}

const ENDPOINT = { name: 'shop' };

/** What replicas of one store share: the key and token files and the artifact folder. */
const sharedFiles = (dir: string) => ({ masterKeyFile: join(dir, 'master-key'), adminTokenFile: join(dir, 'admin-token'), artifactDir: join(dir, 'artifacts') });

/** Uploads a scoring script through `node` and answers a deployment body that uses it. */
async function deploymentBody(node: Node, name: string): Promise<Record<string, unknown>> {
  const code = await folderArchive({ 'score.py': 'def init(): pass\n' });
  const up = await node.call('POST', '/api/v1/artifacts?kind=dir&name=code', new Uint8Array(code));
  assert.equal(up.status < 300, true, JSON.stringify(up.body));
  return { name, code_configuration: { code: up.body.digest, scoring_script: 'score.py' }, environment: { image: 'x' }, instance_type: 'Standard_DS3_v2', instance_count: 1 };
}

describe('control-plane replicas (PostgreSQL coordination)', { timeout: 120_000 }, () => {
  let cluster: Awaited<ReturnType<typeof startPgCluster>>;
  const dirs: string[] = [];
  const nodes: Node[] = [];
  const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'switchyard-replica-')); dirs.push(d); return d; };

  before(async () => { cluster = await startPgCluster(); });
  after(async () => {
    for (const n of nodes) await n.close().catch(() => {});
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('one leads; a follower answers the API, forwards work to the leader and routes to the leader\'s instances', async () => {
    const url = await cluster.createDatabase('forwarding');
    const shared = sharedFiles(tempDir());
    const a = await startNode(tempDir(), url, shared);
    nodes.push(a);
    await until('A to lead', () => a.replica.leading());
    const b = await startNode(tempDir(), url, shared);
    nodes.push(b);

    const listed = await until('both replicas listed', async () => {
      const r = await b.call('GET', '/api/v1/replicas');
      return r.body.value?.length === 2 ? r.body : null;
    });
    assert.equal(listed.replicated, true);
    assert.deepEqual(listed.value.filter((r: any) => r.leader).map((r: any) => r.id), [a.replica.id]);
    assert.equal(typeof listed.value.find((r: any) => r.leader).leader_for_seconds, 'number');
    assert.equal(b.replica.leading(), false);

    // Created through the follower: the leader's reconciler finishes it, and the follower's answer waited for that.
    const created = await b.call('POST', '/api/v1/endpoints', ENDPOINT);
    assert.ok(created.status < 300, JSON.stringify(created.body));
    const read = await a.call('GET', '/api/v1/endpoints/shop');
    assert.equal(read.status, 200);
    assert.equal(read.body.provisioning_state, 'Succeeded');

    const dep = await b.call('POST', '/api/v1/endpoints/shop/deployments', await deploymentBody(b, 'blue'));
    assert.equal(dep.status, 202, JSON.stringify(dep.body));
    const op = await b.call('GET', `/api/v1/operations/${dep.body.operation.id}?wait=20`);
    assert.equal(op.body.status, 'Succeeded', JSON.stringify(op.body));
    assert.equal(a.backends.length, 1);
    assert.equal(a.backends[0]!.ensured.length >= 1, true);
    assert.equal(b.backends.length, 0, 'a follower never starts instances');

    // The follower shows, and its gateway routes to, the leader's instances (from the store's copy).
    const shown = await until('the follower to show the instance', async () => {
      const r = await b.call('GET', '/api/v1/endpoints/shop/deployments/blue');
      return r.body.instances?.length === 1 ? r.body : null;
    });
    assert.equal(shown.instances[0].url, a.backends[0]!.instances('shop', 'blue')[0]!.url);
    await until('the follower\'s gateway to route to it', () =>
      b.gateway.last?.endpoints.shop?.deployments.blue?.instances.length === 1);

    // Logs live on the leader's machine: the follower says where.
    const logs = await b.call('GET', '/api/v1/endpoints/shop/deployments/blue/logs?lines=5');
    assert.equal(logs.body.error?.code, 'NotLeader', JSON.stringify(logs.body));
    assert.match(logs.body.error.message, new RegExp(a.url.replace(/[.:/]/g, '\\$&')));
  });

  it('when the leader\'s session dies mid-create, the follower takes over and finishes it; the old leader stands down', async () => {
    const url = await cluster.createDatabase('takeover');
    const shared = sharedFiles(tempDir());
    const cut = await relay(url);
    const a = await startNode(tempDir(), url, shared, cut.url);
    nodes.push(a);
    await until('A to lead', () => a.replica.leading());
    const b = await startNode(tempDir(), url, shared);
    nodes.push(b);
    assert.equal((await b.call('POST', '/api/v1/endpoints', ENDPOINT)).status < 300, true);
    const body = await deploymentBody(b, 'blue');

    await until('A\'s local backend', () => a.backends.length === 1);
    const release = a.backends[0]!.hold();
    const dep = await b.call('POST', '/api/v1/endpoints/shop/deployments', body);
    assert.equal(dep.status, 202);
    await until('the leader to be starting instances', () => a.backends[0]!.ensured.length > 0);

    // The leader's coordination connection drops (as when it falls off the network): PostgreSQL ends
    // that session, and the lock is free.
    await cut.cut();
    const started = Date.now();
    const op = await b.call('GET', `/api/v1/operations/${dep.body.operation.id}?wait=20`);
    assert.equal(op.body.status, 'Succeeded', JSON.stringify(op.body));
    assert.ok(Date.now() - started < 10_000, `took over in ${Date.now() - started} ms`);
    assert.equal(b.replica.leading(), true);
    assert.equal(b.backends.length, 1);
    assert.equal(b.backends[0]!.instances('shop', 'blue').length, 1);

    assert.equal(a.replica.leading(), false);
    // A is back on the network, finds B leading, and stops what it had started.
    await cut.mend();
    await until('A to stand down', () => a.backends[0]!.shutdowns === 1);
    assert.equal(a.replica.leading(), false);
    const listed = await a.call('GET', '/api/v1/replicas');
    assert.deepEqual(listed.body.value.filter((r: any) => r.leader).map((r: any) => r.id), [b.replica.id]);
    await until('A\'s gateway to route to B\'s instance', () =>
      a.gateway.last?.endpoints.shop?.deployments.blue?.instances[0]?.url === b.backends[0]!.instances('shop', 'blue')[0]!.url);
    release();
    await cut.close();
  });

  it('refuses a replica whose master key or admin token differs from the store\'s', async () => {
    const url = await cluster.createDatabase('secrets');
    const first = tempDir();
    const a = await startNode(first, url);
    nodes.push(a);
    // Another data dir: another master key and admin token.
    await assert.rejects(startNode(tempDir(), url), (e: unknown) => e instanceof SharedSecretMismatch && /master key/.test((e as Error).message));
    // The same key file, another admin token.
    await assert.rejects(startNode(tempDir(), url, { masterKeyFile: join(first, 'master-key') }),
      (e: unknown) => e instanceof SharedSecretMismatch && /admin token/.test((e as Error).message));
    // Both files shared: accepted.
    const other = tempDir();
    const c = await startNode(other, url, { masterKeyFile: join(first, 'master-key'), adminTokenFile: join(first, 'admin-token') });
    nodes.push(c);
    await until('both replicas listed', async () => (await c.call('GET', '/api/v1/replicas')).body.value.length === 2);
  });
});
