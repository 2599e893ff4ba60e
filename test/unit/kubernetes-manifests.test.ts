import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { create as tarCreate } from 'tar';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import {
  STORAGE_INITIALIZER_SCRIPT, artifactArchivePath, checkKubernetesSettings, hostImageFor, manifestList, objectName, renderManifests,
  resourcesOf, type KubernetesSettings,
} from '../../src/runtime/kubernetes/manifests.js';
import { INSTANCE_TYPES } from '../../src/spec/instance-types.js';
import { kubernetesSettings } from '../../src/runtime/kubernetes/settings.js';
import { SWITCHYARD_VERSION } from '../../src/control/version.js';
import { kubernetesProblems } from './kubernetes-validate.js';

const settings: KubernetesSettings = {
  namespace: 'switchyard', hostImage: 'registry.example/switchyard/host:0.1.0', controlPlaneUrl: 'http://switchyard-control-plane.switchyard.svc:8080/',
};
const probes = { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 };
const MODEL = 'sha256:' + 'a'.repeat(64);
const CODE = 'sha256:' + 'b'.repeat(64);

function template(over: Partial<DeploymentTemplate> = {}): DeploymentTemplate {
  return {
    endpoint: 'my-endpoint', deployment: 'blue', revision: '0123456789ab', instanceCount: 2,
    model: { dir: '/srv/a', kind: 'dir', name: 'model', assetName: 'sklearn-model', assetVersion: '1', digest: MODEL },
    code: { dir: '/srv/b', scoringScript: 'onlinescoring/score.py', digest: CODE },
    environment: { registered: false, image: undefined, conda_file: { dependencies: ['python=3.10'] } },
    env: { A: '1' },
    liveness: { ...probes }, readiness: { ...probes, initial_delay: 5, period: 3, timeout: 1, success_threshold: 2, failure_threshold: 4 },
    requestTimeoutMs: 5000, maxConcurrentPerInstance: 1,
    instanceType: 'Standard_DS3_v2', memoryLimitBytes: 14 * 2 ** 30,
    ...over,
  };
}

function assertValid(objects: unknown[]): void {
  for (const o of objects) assert.deepEqual(kubernetesProblems(o), [], JSON.stringify(o, null, 1));
}

const envOf = (c: { env?: { name: string; value?: string }[] }) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('Kubernetes manifests of a deployment', () => {
  it('renders a valid Secret, headless Service and Deployment for a Python deployment', () => {
    const m = renderManifests(template(), settings, { instanceSecret: 's'.repeat(40), fetchToken: 'tok' });
    assertValid(manifestList(m));
    assert.deepEqual(manifestList(m).map((o) => o.kind), ['Secret', 'Service', 'Deployment']);
    const name = objectName('my-endpoint', 'blue');
    assert.match(name, /^my-endpoint-blue-[0-9a-f]{10}$/);
    for (const o of manifestList(m)) {
      assert.equal(o.metadata?.name, name);
      assert.equal(o.metadata?.namespace, 'switchyard');
      assert.equal(o.metadata?.labels?.['app.kubernetes.io/managed-by'], 'switchyard');
    }
    assert.deepEqual(m.secret.stringData, { 'instance-secret': 's'.repeat(40), 'fetch-token': 'tok' });
    assert.equal(m.service.spec?.clusterIP, 'None');
    const d = m.deployment.spec!;
    assert.equal(d.replicas, 2);
    assert.deepEqual(d.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '20%', maxUnavailable: 0 } });
    // The Service selects exactly the Deployment's pods; the revision is not part of any selector.
    assert.deepEqual(m.service.spec?.selector, d.selector.matchLabels);
    assert.equal(d.template.metadata?.labels?.['switchyard.io/revision'], '0123456789ab');
    assert.equal(d.selector.matchLabels?.['switchyard.io/revision'], undefined);
    const pod = d.template.spec!;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(pod.topologySpreadConstraints?.[0]?.labelSelector?.matchLabels, d.selector.matchLabels);
    assert.deepEqual(pod.initContainers!.map((c) => c.name), ['storage-initializer']);
    assert.deepEqual(pod.containers.map((c) => c.name), ['inference-server']);

    const init = pod.initContainers![0]!;
    assert.equal(init.image, settings.hostImage);
    assert.deepEqual(envOf(init), {
      SWITCHYARD_STAGING_DIR: '/var/azureml-app',
      SWITCHYARD_FETCH_TOKEN_FILE: '/var/run/switchyard/fetch-token',
      SWITCHYARD_MODEL_URL: `http://switchyard-control-plane.switchyard.svc:8080${artifactArchivePath(MODEL)}`,
      SWITCHYARD_MODEL_TARGET: '/var/azureml-app/azureml-models/sklearn-model/1/model',
      SWITCHYARD_CODE_URL: `http://switchyard-control-plane.switchyard.svc:8080${artifactArchivePath(CODE)}`,
      SWITCHYARD_CODE_TARGET: '/var/azureml-app/app',
    });

    const server = pod.containers[0]!;
    assert.equal(server.image, settings.hostImage);
    assert.deepEqual(server.command, ['python3', '-u', '/opt/switchyard/src/hosts/python/run_host.py']);
    const env = envOf(server);
    assert.equal(env.AZUREML_MODEL_DIR, '/var/azureml-app/azureml-models/sklearn-model/1');
    assert.equal(env.AML_APP_ROOT, '/var/azureml-app/app');
    assert.equal(env.AZUREML_ENTRY_SCRIPT, 'onlinescoring/score.py');
    assert.equal(env.A, '1');
    assert.equal(env.PORT, '5001');
    assert.equal(env.SWITCHYARD_BIND_HOST, '0.0.0.0');
    assert.equal(env.SWITCHYARD_INSTANCE_SECRET_FILE, '/var/run/switchyard/instance-secret');
    assert.deepEqual(server.ports, [{ name: 'http', containerPort: 5001, protocol: 'TCP' }]);
    // Probes: the YAML's settings; our hosts want the instance secret, so kubelet runs curl in the container.
    assert.deepEqual({ ...server.readinessProbe, exec: undefined }, {
      exec: undefined, initialDelaySeconds: 5, periodSeconds: 3, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 4,
    });
    assert.match(server.readinessProbe!.exec!.command!.join(' '), /curl .*--max-time 1 .*x-switchyard-instance-secret.*http:\/\/127\.0\.0\.1:5001\/ready$/);
    assert.match(server.livenessProbe!.exec!.command!.join(' '), /http:\/\/127\.0\.0\.1:5001\/$/);
    assert.equal(server.livenessProbe!.periodSeconds, 10);
    assert.equal(server.livenessProbe!.failureThreshold, 30);
    // Standard_DS3_v2: 4 vCPUs, 14 GiB.
    assert.deepEqual(server.resources, { requests: { cpu: '4', memory: '14Gi' }, limits: { memory: '14Gi' } });
    for (const c of [init, server]) {
      assert.equal(c.securityContext?.runAsNonRoot, true);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
      assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] });
    }
  });

  it('the validation refuses what the API server would: a wrong type, an unknown field, a bad label', () => {
    const d = structuredClone(renderManifests(template(), settings).deployment) as never as Record<string, any>;
    assert.deepEqual(kubernetesProblems(d), []);
    d.spec.replica = 2;
    d.spec.template.spec.containers[0].imagePullPolcy = 'Always';
    d.spec.template.spec.containers[0].ports[0].containerPort = '5001';
    d.metadata.labels['switchyard.io/endpoint'] = 'bad value!';
    const problems = kubernetesProblems(d).join('\n');
    assert.match(problems, /unknown field spec\.replica$/m);
    assert.match(problems, /unknown field spec\.template\.spec\.containers\[0\]\.imagePullPolcy/);
    assert.match(problems, /containerPort must be integer/);
    assert.match(problems, /label value switchyard\.io\/endpoint/);
  });

  it('is pure: the same input renders the same objects, and a new revision changes only the pod template', () => {
    const a = renderManifests(template(), settings);
    assert.deepEqual(renderManifests(template(), settings), a);
    assert.equal(a.secret.stringData, undefined, 'without secrets the Secret carries no data');
    assertValid(manifestList(a));
    const b = renderManifests(template({ revision: 'ffffffffffff', instanceCount: 5 }), settings);
    assert.equal(b.deployment.spec?.replicas, 5);
    assert.deepEqual(b.service, a.service);
    assert.deepEqual(b.deployment.spec?.selector, a.deployment.spec?.selector);
    assert.notDeepEqual(b.deployment.spec?.template.metadata, a.deployment.spec?.template.metadata);
  });

  it('runs a Node scoring script; a one-file model lands directly under AZUREML_MODEL_DIR', () => {
    const m = renderManifests(template({
      code: { dir: '/x', scoringScript: 'score.mjs', digest: CODE },
      model: { dir: '/y', kind: 'file', name: 'model.onnx', assetName: 'onnx', assetVersion: '3', digest: MODEL },
    }), settings);
    assertValid(manifestList(m));
    const pod = m.deployment.spec!.template.spec!;
    assert.deepEqual(pod.containers[0]!.command, ['node', '/opt/switchyard/dist/hosts/node/main.js']);
    assert.equal(envOf(pod.initContainers![0]!).SWITCHYARD_MODEL_TARGET, '/var/azureml-app/azureml-models/onnx/3');
    assert.equal(envOf(pod.containers[0]!).AZUREML_MODEL_DIR, '/var/azureml-app/azureml-models/onnx/3');
  });

  it('uses environment.image as the base of a derived host image, named from it and annotated', () => {
    const base = 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest';
    const m = renderManifests(template({ environment: { registered: false, image: base } }), settings);
    assertValid(manifestList(m));
    const image = m.deployment.spec!.template.spec!.containers[0]!.image!;
    assert.match(image, /^registry\.example\/switchyard\/host:0\.1\.0-base-[0-9a-f]{12}$/);
    assert.equal(image, hostImageFor(settings.hostImage, base));
    assert.notEqual(hostImageFor(settings.hostImage, `${base}x`), image);
    assert.equal(m.deployment.spec!.template.metadata?.annotations?.['switchyard.io/base-image'], base);
    // The storage-initializer always runs from the host image itself.
    assert.equal(m.deployment.spec!.template.spec!.initContainers![0]!.image, settings.hostImage);
    assert.match(hostImageFor('localhost:5000/host', base), /^localhost:5000\/host:latest-base-/);
  });

  it('runs a custom server in its own image, with HTTP probes on its inference_config routes', () => {
    const m = renderManifests(template({
      code: undefined,
      environment: {
        registered: false, image: 'example/tfserving:2', command: ['serve', '--port=$PORT', '--other=${PORT}'],
        inference_config: { liveness_route: { port: 8501, path: '/v1/models/m' }, readiness_route: { port: 8501, path: '/v1/models/m/ready' }, scoring_route: { port: 8501, path: '/v1/models/m:predict' } },
      },
    }), settings);
    assertValid(manifestList(m));
    const c = m.deployment.spec!.template.spec!.containers[0]!;
    assert.equal(c.image, 'example/tfserving:2');
    assert.deepEqual(c.command, ['serve', '--port=8501', '--other=8501']);
    assert.deepEqual(c.readinessProbe?.httpGet, { path: '/v1/models/m/ready', port: 8501 });
    assert.deepEqual(c.livenessProbe?.httpGet, { path: '/v1/models/m', port: 8501 });
    assert.equal(c.securityContext?.readOnlyRootFilesystem, false);
    assert.equal(envOf(c).SWITCHYARD_INSTANCE_SECRET_FILE, undefined);
    assert.deepEqual(m.service.spec?.ports, [{ name: 'http', port: 8501, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('maps instance types and `resources` to requests and limits', () => {
    // Every size of the table renders valid objects; GPUs become nvidia.com/gpu limits.
    for (const size of INSTANCE_TYPES) {
      const m = renderManifests(template({ instanceType: size.name, memoryLimitBytes: Math.round(size.memoryGiB * 2 ** 30) }), settings);
      assertValid([m.deployment]);
      const r = m.deployment.spec!.template.spec!.containers[0]!.resources!;
      assert.equal(r.requests?.cpu, String(size.vcpus));
      assert.equal(r.limits?.['nvidia.com/gpu'], size.gpus ? String(size.gpus) : undefined);
    }
    // resources.limits.memory below the size's memory: the derived request follows it down.
    assert.deepEqual(resourcesOf(template({ memoryLimitBytes: 2 * 2 ** 30, resources: { limits: { memory: '2Gi', cpu: '1500m' } } })), {
      requests: { cpu: '1500m', memory: '2Gi' }, limits: { memory: '2Gi', cpu: '1500m' },
    });
    // A cluster's own instance type (not an Azure size) and no resources: no requests or limits.
    assert.deepEqual(resourcesOf(template({ instanceType: 'gpu-large', memoryLimitBytes: undefined })), {});
    assert.deepEqual(resourcesOf(template({ instanceType: 'gpu-large', memoryLimitBytes: 512 * 2 ** 20, resources: { requests: { cpu: 0.5, memory: '256Mi' }, limits: { memory: '512Mi' } } })), {
      requests: { cpu: '0.5', memory: '256Mi' }, limits: { memory: '512Mi' },
    });
    assert.equal(resourcesOf(template({ memoryLimitBytes: 1536 * 2 ** 20 + 1, instanceType: undefined })).limits?.memory, String(1536 * 2 ** 20 + 1));
  });

  it('refuses what cannot run, naming the field', () => {
    const refused = (t: DeploymentTemplate, pattern: RegExp) =>
      assert.throws(() => renderManifests(t, settings), (e: Error & { code?: string }) => e.code === 'InvalidValue' && pattern.test(e.message));
    refused(template({ code: undefined }), /nothing to run/);
    refused(template({ code: { dir: '/x', scoringScript: 'score.R', digest: CODE } }), /score\.R/);
    refused(template({ code: undefined, environment: { registered: false, command: ['serve'] } }), /environment\.image/);
    refused(template({ resources: { requests: { cpu: 'lots' } } }), /resources\.requests\.cpu/);
    refused(template({ resources: { limits: { 'example.com/fpga': 1 } } }), /example\.com\/fpga/);
    refused(template({ resources: { request: {} } }), /resources\.request /);
    refused(template({ memoryLimitBytes: 2 ** 30, resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } }), /requests\.memory \(2Gi\) is more than/);
    assert.throws(() => checkKubernetesSettings({ ...settings, namespace: 'Bad_NS' }), /namespace/);
    assert.throws(() => checkKubernetesSettings({ ...settings, hostImage: 'host@sha256:abc' }), /no digest/);
    assert.throws(() => checkKubernetesSettings({ ...settings, controlPlaneUrl: 'ftp://x' }), /http/);
    checkKubernetesSettings(settings);
  });

  it('names objects as valid, distinct DNS labels even for long or mixed-case names', () => {
    const long = objectName('e'.repeat(32), 'd'.repeat(32));
    assert.ok(long.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
    assert.notEqual(objectName('Ep-One', 'blue'), objectName('ep-one', 'blue'));
    assert.notEqual(objectName('ab-c', 'def'), objectName('ab', 'c-def'));
    const m = renderManifests(template({ endpoint: 'A'.repeat(32), deployment: 'Blue-' + 'x'.repeat(27) }), settings);
    assertValid(manifestList(m));
  });
});

describe('the storage-initializer script', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-k8s-init-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('fetches the model and code archives with the bearer token and lays them out', async () => {
    const src = join(root, 'src');
    mkdirSync(join(src, 'model', 'sub'), { recursive: true });
    writeFileSync(join(src, 'model', 'weights.pkl'), 'weights');
    writeFileSync(join(src, 'model', 'sub', 'vocab.txt'), 'vocab');
    mkdirSync(join(src, 'code', 'onlinescoring'), { recursive: true });
    writeFileSync(join(src, 'code', 'onlinescoring', 'score.py'), 'def run(d): return d');
    const archives: Record<string, Buffer> = {};
    for (const [digest, dir] of [[MODEL, 'model'], [CODE, 'code']] as const) {
      const file = join(root, `${dir}.tar.gz`);
      await tarCreate({ gzip: true, file, cwd: join(src, dir) }, readdirSync(join(src, dir)));
      archives[artifactArchivePath(digest)] = readFileSync(file);
    }
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const body = archives[req.url ?? ''];
      if (req.headers.authorization !== 'Bearer tok-123') return void res.writeHead(401).end();
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const staging = join(root, 'azureml-app');
      mkdirSync(staging);
      writeFileSync(join(root, 'token'), 'tok-123\n');
      const m = renderManifests(template(), { ...settings, controlPlaneUrl: `http://127.0.0.1:${port}` });
      const init = m.deployment.spec!.template.spec!.initContainers![0]!;
      // The container's environment with its pod paths moved under this test's folder.
      const env = Object.fromEntries(Object.entries(envOf(init)).map(([k, v]) => [k, v!.replace('/var/azureml-app', staging)]));
      env.SWITCHYARD_FETCH_TOKEN_FILE = join(root, 'token');
      assert.deepEqual(init.command!.slice(0, 2), ['/bin/sh', '-c']);
      const { code, output } = await run(init.command![0]!, [init.command![1]!, STORAGE_INITIALIZER_SCRIPT], { PATH: process.env.PATH!, ...env });
      assert.equal(code, 0, output);
      assert.equal(readFileSync(join(staging, 'azureml-models/sklearn-model/1/model/weights.pkl'), 'utf8'), 'weights');
      assert.equal(readFileSync(join(staging, 'azureml-models/sklearn-model/1/model/sub/vocab.txt'), 'utf8'), 'vocab');
      assert.equal(readFileSync(join(staging, 'app/onlinescoring/score.py'), 'utf8'), 'def run(d): return d');
      assert.deepEqual(readdirSync(staging).sort(), ['app', 'azureml-models'], 'the download is removed');
      assert.deepEqual(seen, [`${artifactArchivePath(MODEL)} Bearer tok-123`, `${artifactArchivePath(CODE)} Bearer tok-123`]);

      // A refused token fails the init container (non-zero exit), so Kubernetes retries the pod.
      writeFileSync(join(root, 'token'), 'wrong\n');
      const refused = await run('/bin/sh', ['-c', STORAGE_INITIALIZER_SCRIPT], { PATH: process.env.PATH!, ...env });
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /401/);
    } finally {
      server.close();
    }
  });

  it('trusts the control plane\'s own CA from a ConfigMap for an https:// control plane', async () => {
    const cert = join(root, 'cp.pem');
    const key = join(root, 'cp.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const code = await (async () => {
      const file = join(root, 'tiny.tar.gz');
      mkdirSync(join(root, 'tiny'), { recursive: true });
      writeFileSync(join(root, 'tiny', 'score.py'), 'x');
      await tarCreate({ gzip: true, file, cwd: join(root, 'tiny') }, ['score.py']);
      return readFileSync(file);
    })();
    const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      if (req.url !== artifactArchivePath(CODE) || req.headers.authorization !== 'Bearer tok') return void res.writeHead(404).end();
      res.writeHead(200).end(code);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
      const m = renderManifests(template({ model: undefined }), { ...settings, controlPlaneUrl: url, controlPlaneCaConfigMap: 'switchyard-ca' });
      assertValid(manifestList(m));
      const pod = m.deployment.spec!.template.spec!;
      const init = pod.initContainers![0]!;
      assert.deepEqual(pod.volumes!.find((v) => v.name === 'control-plane-ca')?.configMap, { name: 'switchyard-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
      const caPath = envOf(init).CURL_CA_BUNDLE!;
      assert.ok(init.volumeMounts!.some((v) => v.name === 'control-plane-ca' && caPath.startsWith(`${v.mountPath}/`)));
      assert.equal(pod.containers[0]!.volumeMounts!.some((v) => v.name === 'control-plane-ca'), false, 'only the storage-initializer needs it');
      const staging = join(root, 'https-app');
      mkdirSync(staging);
      writeFileSync(join(root, 'https-token'), 'tok');
      const env = {
        ...Object.fromEntries(Object.entries(envOf(init)).map(([k, v]) => [k, v!.replace('/var/azureml-app', staging)])),
        SWITCHYARD_FETCH_TOKEN_FILE: join(root, 'https-token'), PATH: process.env.PATH!,
      };
      const trusted = await run('/bin/sh', ['-c', STORAGE_INITIALIZER_SCRIPT], { ...env, CURL_CA_BUNDLE: cert });
      assert.equal(trusted.code, 0, trusted.output);
      assert.equal(readFileSync(join(staging, 'app', 'score.py'), 'utf8'), 'x');
      const { CURL_CA_BUNDLE: _ca, ...untrusting } = env;
      const refused = await run('/bin/sh', ['-c', STORAGE_INITIALIZER_SCRIPT], untrusting);
      assert.notEqual(refused.code, 0, 'without the CA the download is refused');
    } finally {
      server.close();
    }
  });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('Kubernetes settings', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-k8s-settings-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const noFile = join(root, 'absent');

  it('take flags, then the environment, then the pod namespace, then the defaults', () => {
    assert.deepEqual(kubernetesSettings({}, {}, noFile), {
      namespace: 'switchyard', hostImage: `switchyard/host:${SWITCHYARD_VERSION}`,
      controlPlaneUrl: 'http://switchyard-control-plane.switchyard.svc:7070',
    });
    const nsFile = join(root, 'namespace');
    writeFileSync(nsFile, 'ml-serving\n');
    assert.equal(kubernetesSettings({}, {}, nsFile).controlPlaneUrl, 'http://switchyard-control-plane.ml-serving.svc:7070');
    const env = { SWITCHYARD_KUBERNETES_NAMESPACE: 'from-env', SWITCHYARD_HOST_IMAGE: 'r/h:1', SWITCHYARD_CONTROL_PLANE_URL: 'https://cp:1', SWITCHYARD_IMAGE_PULL_POLICY: 'Always' };
    assert.deepEqual(kubernetesSettings({}, env, nsFile), { namespace: 'from-env', hostImage: 'r/h:1', controlPlaneUrl: 'https://cp:1', imagePullPolicy: 'Always' });
    assert.equal(kubernetesSettings({ namespace: 'flag' }, env, nsFile).namespace, 'flag');
    assert.equal(kubernetesSettings({}, { SWITCHYARD_CONTROL_PLANE_CA_CONFIGMAP: 'cp-ca' }, noFile).controlPlaneCaConfigMap, 'cp-ca');
    assert.throws(() => kubernetesSettings({}, { SWITCHYARD_CONTROL_PLANE_CA_CONFIGMAP: 'Bad CA' }, noFile), /CA ConfigMap/);
    assert.throws(() => kubernetesSettings({}, { SWITCHYARD_IMAGE_PULL_POLICY: 'Sometimes' }, noFile), /SWITCHYARD_IMAGE_PULL_POLICY/);
    assert.throws(() => kubernetesSettings({ namespace: 'No' }, {}, noFile), /namespace/);
  });
});
