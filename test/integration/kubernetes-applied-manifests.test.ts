// What `online-deployment manifests` prints is what the Kubernetes backend applies: the backend, driven
// against the FAKE Kubernetes API server (test/support/fake-kube-apiserver.ts; no real cluster runs
// here), stores exactly the objects renderManifests gives for the same template and settings (the
// function the manifests route calls), but for what the API server adds (uid, resourceVersion ...)
// and the Secret's values, which are never printed. Every applied object is valid against the schemas.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import { DeploymentCredentials } from '../../src/control/deployment-credentials.js';
import { connectCluster } from '../../src/runtime/kubernetes/cluster-connection.js';
import { KubernetesBackend } from '../../src/runtime/kubernetes/backend.js';
import { manifestList, renderManifests, type KubernetesSettings } from '../../src/runtime/kubernetes/manifests.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { kubernetesProblems } from '../unit/kubernetes-validate.js';

const NS = 'review';
const settings: KubernetesSettings = { namespace: NS, hostImage: 'registry.example/switchyard/host:1', controlPlaneUrl: 'http://switchyard-control-plane.review.svc:7070' };
const probe = { initial_delay: 1, period: 5, timeout: 2, success_threshold: 1, failure_threshold: 3 };
const t: DeploymentTemplate = {
  endpoint: 'review-ep', deployment: 'green', revision: 'r1', instanceCount: 1,
  model: { dir: '/unused', kind: 'file', name: 'm.onnx', assetName: 'm', assetVersion: '2', digest: `sha256:${'c'.repeat(64)}` },
  code: { dir: '/unused', scoringScript: 'score.mjs', digest: `sha256:${'d'.repeat(64)}` },
  environment: { registered: false, image: 'example/base:1' }, env: { MODE: 'review' },
  liveness: probe, readiness: probe, requestTimeoutMs: 5000, maxConcurrentPerInstance: 1,
  instanceType: 'Standard_F4s_v2', memoryLimitBytes: 8 * 2 ** 30, resources: { requests: { cpu: '1500m' } },
};

let fake: FakeKubeApiServer;
let dir: string;

before(async () => {
  fake = await new FakeKubeApiServer().start();
  dir = await mkdtemp(join(tmpdir(), 'sy-k8s-applied-'));
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** The object as the API server stored it, less what the server itself adds. */
function asApplied(o: Record<string, any>): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { status: _status, ...rest } = structuredClone(o);
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields: _m, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}

test('the objects the backend applies are the ones `manifests` prints', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, fake.kubeconfig(NS));
  const backend = new KubernetesBackend({
    cluster: connectCluster({ kubeconfig, namespace: NS }), settings, credentials: new DeploymentCredentials(randomBytes(32)),
    events: { onInstancesChanged: () => {} }, drain: async () => {}, logger: silentLogger(),
    rolloutTimeoutMs: 60_000, removeTimeoutMs: 20_000, watchRetryMs: { min: 20, max: 200 },
  });
  try {
    const ensured = backend.ensure(t);
    const pod = await fake.waitFor(() => fake.list('pods', NS)[0], 'a pod of green');
    fake.markReady(NS, pod.metadata.name, '127.0.0.9');
    assert.equal((await ensured).ok, true);

    const printed = renderManifests(t, settings);
    assert.deepEqual(manifestList(printed).map((o) => o.kind), ['Secret', 'Service', 'Deployment']);
    for (const shown of manifestList(printed)) {
      const plural = `${shown.kind.toLowerCase()}s`;
      const stored = fake.get(plural, NS, shown.metadata!.name!);
      assert.ok(stored, `${shown.kind} ${shown.metadata!.name} was applied`);
      assert.deepEqual(kubernetesProblems(stored), [], `${shown.kind} as applied`);
      const applied = asApplied(stored);
      if (shown.kind === 'Secret') {
        // The values exist only in the cluster: both keys, a real secret, never the printed (absent) data.
        const values = applied.stringData ?? applied.data;
        assert.deepEqual(Object.keys(values).sort(), ['fetch-token', 'instance-secret']);
        assert.ok(values['instance-secret'].length >= 32);
        delete applied.stringData;
        delete applied.data;
      }
      assert.deepEqual(applied, shown, `${shown.kind}: applied and printed differ`);
    }
  } finally {
    await backend.shutdown();
  }
});
