// The Kubernetes backend against the FAKE Kubernetes API server (test/support/fake-kube-apiserver.ts):
// no real cluster runs here. The backend talks to it through the real client library and a kubeconfig;
// the fake's simulated controller creates and deletes pods, and the test plays the kubelet (marks pods
// Ready with an IP, makes containers fail). Every wait is on a signal (the fake's changes, ensure()).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import type { DeploymentTemplate, EnsureResult } from '../../src/runtime/backend.js';
import { DeploymentCredentials } from '../../src/control/deployment-credentials.js';
import { connectCluster } from '../../src/runtime/kubernetes/cluster-connection.js';
import { KubernetesBackend } from '../../src/runtime/kubernetes/backend.js';
import { objectName } from '../../src/runtime/kubernetes/manifests.js';
import { KUBERNETES_API_ACCESS } from '../../src/runtime/kubernetes/api-access.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

const NS = 'models';
const probe = { initial_delay: 1, period: 5, timeout: 2, success_threshold: 1, failure_threshold: 3 };

function template(over: Partial<DeploymentTemplate> = {}): DeploymentTemplate {
  return {
    endpoint: 'my-endpoint', deployment: 'blue', revision: 'rev1', instanceCount: 2,
    model: { dir: '/unused', kind: 'dir', name: 'model', assetName: 'model-1', assetVersion: '1', digest: `sha256:${'a'.repeat(64)}` },
    code: { dir: '/unused', scoringScript: 'score.py', digest: `sha256:${'b'.repeat(64)}` },
    environment: { image: undefined, conda_file: undefined } as unknown as DeploymentTemplate['environment'],
    env: {}, liveness: probe, readiness: probe, requestTimeoutMs: 5000, maxConcurrentPerInstance: 1,
    ...over,
  };
}

let fake: FakeKubeApiServer;
let dir: string;
let kubeconfig: string;
const masterKey = randomBytes(32);
const credentials = new DeploymentCredentials(masterKey);
const drained: string[][] = [];
let changes = 0;
let nextIp = 2;

function makeBackend(): KubernetesBackend {
  return new KubernetesBackend({
    cluster: connectCluster({ kubeconfig, namespace: NS }),
    settings: { namespace: NS, hostImage: 'registry.example/switchyard-host:test', controlPlaneUrl: 'http://switchyard-control-plane.models.svc:7070' },
    credentials,
    events: { onInstancesChanged: () => { changes += 1; } },
    drain: async (urls) => { drained.push(urls); },
    logger: silentLogger(),
    rolloutTimeoutMs: 60_000,
    removeTimeoutMs: 20_000,
    watchRetryMs: { min: 20, max: 200 },
  });
}

const podsOf = (revision?: string) => fake.list('pods', NS)
  .filter((p) => p.metadata.labels['switchyard.io/deployment'] === 'blue' && (!revision || p.metadata.labels['switchyard.io/revision'] === revision));
const isReady = (p: Record<string, any>) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Plays the kubelet: waits for `count` pods of `revision` and marks the ones not Ready yet Ready. */
async function kubeletStarts(revision: string, count: number): Promise<string[]> {
  const pods = await fake.waitFor(() => { const p = podsOf(revision); return p.length >= count ? p : undefined; }, `${count} pods of ${revision}`);
  for (const p of pods) if (!isReady(p)) fake.markReady(NS, p.metadata.name, `127.0.0.${nextIp++}`);
  return pods.map((p) => p.metadata.name as string);
}

before(async () => {
  fake = await new FakeKubeApiServer().start();
  dir = await mkdtemp(join(tmpdir(), 'sy-k8s-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, fake.kubeconfig(NS));
});

after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

test('create, scale, roll, fail, logs, restart and delete converge through the API', async (t) => {
  const backend = makeBackend();
  await backend.recover();
  const name = objectName('my-endpoint', 'blue');

  await t.test('create: objects applied server-side, pods Ready become instances', async () => {
    const ensured = backend.ensure(template());
    await kubeletStarts('rev1', 2);
    assert.deepEqual(await ensured, { ok: true });
    const applies = fake.requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(applies.map((r) => r.path), [
      `/api/v1/namespaces/${NS}/secrets/${name}`, `/api/v1/namespaces/${NS}/services/${name}`, `/apis/apps/v1/namespaces/${NS}/deployments/${name}`,
    ]);
    for (const r of applies) {
      assert.equal(r.contentType, 'application/apply-patch+yaml');
      assert.equal(r.query.fieldManager, 'switchyard');
      assert.equal(r.query.force, 'true');
    }
    assert.equal(fake.get('deployments', NS, name)?.spec.replicas, 2);
    const secret = fake.get('secrets', NS, name)!;
    assert.equal(secret.stringData['instance-secret'], credentials.instanceSecret('my-endpoint', 'blue'));
    const scope = credentials.verifyFetchToken(secret.stringData['fetch-token'], `sha256:${'a'.repeat(64)}`);
    assert.equal(scope.deployment, 'blue');

    const instances = backend.instances('my-endpoint', 'blue');
    assert.equal(instances.length, 2);
    for (const i of instances) {
      assert.equal(i.state, 'Ready');
      assert.match(i.url!, /^http:\/\/127\.0\.0\.\d+:5001$/);
      assert.equal(i.pid, null);
      assert.equal(i.revision, 'rev1');
      assert.equal((i as { node?: string }).node, 'fake-node-1');
    }
    assert.ok(backend.routable('my-endpoint', 'blue').every((i) => i.secret === credentials.instanceSecret('my-endpoint', 'blue')));
    // Watches, not polling: pods were listed once, then watched.
    const podGets = fake.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${NS}/pods`);
    assert.equal(podGets.filter((r) => r.query.watch !== 'true').length, 1);
    assert.ok(podGets.some((r) => r.query.watch === 'true' && r.query.labelSelector === 'app.kubernetes.io/managed-by=switchyard'));
  });

  await t.test('applying the same template again changes nothing and resolves at once', async () => {
    const before = fake.list('pods', NS).map((p) => p.metadata.name).sort();
    assert.deepEqual(await backend.ensure(template()), { ok: true });
    assert.deepEqual(fake.list('pods', NS).map((p) => p.metadata.name).sort(), before);
  });

  await t.test('scale up and down', async () => {
    const up = backend.ensure(template({ instanceCount: 3 }));
    await kubeletStarts('rev1', 3);
    assert.deepEqual(await up, { ok: true });
    assert.equal(backend.instances('my-endpoint', 'blue').filter((i) => i.state === 'Ready').length, 3);
    assert.deepEqual(await backend.ensure(template({ instanceCount: 1 })), { ok: true });
    assert.equal(podsOf().length, 1);
    assert.equal(backend.instances('my-endpoint', 'blue').length, 1);
  });

  await t.test('a rolling update replaces the pods; old ones serve until the new ones are Ready', async () => {
    const old = podsOf('rev1').map((p) => p.metadata.name);
    const rolled = backend.ensure(template({ instanceCount: 1, revision: 'rev2', env: { GREETING: 'hi' } }));
    await fake.waitFor(() => podsOf('rev2').length === 1, 'a new pod');
    assert.deepEqual(backend.instances('my-endpoint', 'blue').filter((i) => i.state === 'Ready').map((i) => i.revision), ['rev1']);
    await kubeletStarts('rev2', 1);
    assert.deepEqual(await rolled, { ok: true });
    assert.deepEqual(backend.instances('my-endpoint', 'blue').map((i) => i.revision), ['rev2']);
    assert.ok(!fake.list('pods', NS).some((p) => old.includes(p.metadata.name)));
  });

  await t.test('a storage-initializer that keeps failing fails the rollout; the old pod keeps serving', async () => {
    const rolled = backend.ensure(template({ instanceCount: 1, revision: 'rev3', env: { GREETING: 'hello' } }));
    const [pod] = await fake.waitFor(() => { const p = podsOf('rev3'); return p.length ? p : undefined; }, 'a rev3 pod');
    fake.failContainer(NS, pod!.metadata.name, 'storage-initializer', 'CrashLoopBackOff', 5, 'back-off 2m40s restarting failed container');
    const result: EnsureResult = await rolled;
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'InitFailed');
    assert.match(result.message!, /storage-initializer failed 5 times/);
    assert.deepEqual(backend.instances('my-endpoint', 'blue').filter((i) => i.state === 'Ready').map((i) => i.revision), ['rev2']);
    // Back to the working template: Kubernetes rolls back to it.
    assert.deepEqual(await backend.ensure(template({ instanceCount: 1, revision: 'rev2', env: { GREETING: 'hi' } })), { ok: true });
    assert.equal(podsOf('rev3').length, 0);
  });

  await t.test('get-logs reads both containers of every pod, --lines honoured', async () => {
    const [pod] = podsOf('rev2');
    const podName = pod!.metadata.name as string;
    fake.setLog(NS, podName, 'inference-server', '2026-01-01T00:00:01.000000001Z one\n2026-01-01T00:00:02.5Z two\n2026-01-01T00:00:03Z three\n');
    fake.setLog(NS, podName, 'storage-initializer', '2026-01-01T00:00:00Z storage-initializer: done\n');
    assert.equal(await backend.readLogs('my-endpoint', 'blue', { container: 'inference-server', lines: 2 }),
      `[${podName}] two\n[${podName}] three\n`);
    assert.equal(await backend.readLogs('my-endpoint', 'blue', { container: 'storage-initializer', lines: 10 }),
      `[${podName}] storage-initializer: done\n`);
    const logReads = fake.requests.filter((r) => r.path.endsWith('/log'));
    assert.deepEqual(logReads.map((r) => [r.query.container, r.query.tailLines]), [['inference-server', '2'], ['storage-initializer', '10']]);
  });

  await t.test('the watch resumes from its resourceVersion, and lists again after 410 Gone', async () => {
    const watchCalls = () => fake.requests.filter((r) => r.query.watch === 'true' && r.path.endsWith('/pods'));
    const seen = watchCalls().length;
    fake.closeWatches();
    await fake.waitFor(() => watchCalls().length > seen, 'the pod watch to reconnect');
    assert.notEqual(watchCalls().at(-1)!.query.resourceVersion, '');
    const lists = () => fake.requests.filter((r) => r.query.watch !== 'true' && r.method === 'GET' && r.path.endsWith('/pods')).length;
    const listed = lists();
    fake.compact();
    fake.closeWatches();
    await fake.waitFor(() => lists() > listed, 'a new list after 410 Gone');
    // Still current: a scale-up seen through the new watch.
    const up = backend.ensure(template({ instanceCount: 2, revision: 'rev2', env: { GREETING: 'hi' } }));
    await kubeletStarts('rev2', 2);
    assert.deepEqual(await up, { ok: true });
  });

  let again: KubernetesBackend | undefined;
  await t.test('a restarted control plane finds the pods serving and converges without touching them', async () => {
    await backend.shutdown();
    assert.equal(podsOf().length, 2, 'shutdown leaves the cluster as it is');
    again = makeBackend();
    await again.recover();
    assert.deepEqual(again.instances('my-endpoint', 'blue').map((i) => i.state), ['Ready', 'Ready']);
    const podNames = podsOf().map((p) => p.metadata.name).sort();
    assert.deepEqual(await again.ensure(template({ instanceCount: 2, revision: 'rev2', env: { GREETING: 'hi' } })), { ok: true });
    assert.deepEqual(podsOf().map((p) => p.metadata.name).sort(), podNames);
  });

  await t.test('delete drains, then deletes the objects and waits for the pods', async () => {
    const b = again!;
    const urls = b.instances('my-endpoint', 'blue').map((i) => i.url).sort();
    await b.remove('my-endpoint', 'blue');
    assert.deepEqual(drained.at(-1)!.sort(), urls);
    assert.equal(fake.get('deployments', NS, name), undefined);
    assert.equal(fake.get('services', NS, name), undefined);
    assert.equal(fake.get('secrets', NS, name), undefined);
    assert.equal(podsOf().length, 0);
    assert.deepEqual(b.instances('my-endpoint', 'blue'), []);
    await b.remove('my-endpoint', 'blue'); // idempotent
  });
  await again?.shutdown();
  assert.ok(changes > 0);

  await t.test('every request the backend made is allowed by its Role (api-access.ts)', () => {
    const allowed = new Set(KUBERNETES_API_ACCESS.flatMap((r) => r.verbs.map((v) => `${r.apiGroup}/${r.resource}/${v}`)));
    const used = new Set<string>();
    for (const r of fake.requests) {
      if (r.path === '/api/v1' || r.path === '/apis/apps/v1') continue; // discovery: open to every authenticated user
      const m = /^\/(?:api\/v1|apis\/(apps)\/v1)\/namespaces\/[^/]+\/([a-z]+)(\/[^/]+)?(\/log)?$/.exec(r.path);
      assert.ok(m, r.path);
      const resource = m[4] ? `${m[2]}/log` : m[2]!;
      const verb = r.method === 'GET' ? (r.query.watch === 'true' ? 'watch' : m[3] ? 'get' : 'list') : r.method === 'PATCH' ? 'patch' : r.method === 'DELETE' ? 'delete' : r.method === 'POST' ? 'create' : 'update';
      used.add(`${m[1] ?? ''}/${resource}/${verb}`);
    }
    for (const u of used) assert.ok(allowed.has(u), `the backend used ${u}, which the Role does not grant`);
    // And the Role grants nothing the backend does not use, but create (server-side apply of a missing object needs it).
    for (const a of allowed) if (!a.endsWith('/create')) assert.ok(used.has(a), `the Role grants ${a}, which the backend never used`);
  });
});
