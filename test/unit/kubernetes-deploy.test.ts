// deploy/kubernetes/ (Switchyard itself in a cluster) and deploy/host-image/: every object parses and is
// valid against Kubernetes' schemas; the pieces refer to each other correctly; the Role grants exactly
// what the Kubernetes backend uses (src/runtime/kubernetes/api-access.ts); the pods meet the
// "restricted" Pod Security Standard the namespace enforces; the host image has what the manifests run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_API_ACCESS } from '../../src/runtime/kubernetes/api-access.js';
import {
  HOST_HOME, POD_UID, STORAGE_INITIALIZER_SCRIPT, manifestList, renderManifests, selectorLabels,
} from '../../src/runtime/kubernetes/manifests.js';
import { CONTROL_PLANE_PORT, kubernetesSettings } from '../../src/runtime/kubernetes/settings.js';
import { kubernetesProblems } from './kubernetes-validate.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'deploy', 'kubernetes');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], `${file}: ${d.errors.join('; ')}`);
  return docs.map((d) => d.toJS()).filter((o) => o !== null);
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const objects = files.flatMap((f) => load(f).map((o) => ({ file: f, o })));
const find = (kind: string, name: string): Obj => {
  const hit = objects.find(({ o }) => o.kind === kind && o.metadata?.name === name);
  assert.ok(hit, `${kind} ${name} is missing from deploy/kubernetes`);
  return hit.o;
};
const container = (deployment: Obj) => deployment.spec.template.spec.containers[0];
const envValue = (c: Obj, name: string) => c.env.find((e: Obj) => e.name === name);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The "restricted" Pod Security Standard, as far as these pods could break it. */
function restrictedProblems(where: string, pod: Obj): string[] {
  const errors: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) errors.push(`${where} ${c.name}: runAsNonRoot`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) errors.push(`${where} ${c.name}: runAsUser 0`);
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${where} ${c.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) errors.push(`${where} ${c.name}: capabilities.drop ALL`);
    if ((sc.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE')) errors.push(`${where} ${c.name}: capabilities.add`);
    if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') errors.push(`${where} ${c.name}: seccompProfile`);
  }
  for (const v of pod.volumes ?? []) {
    const kinds = Object.keys(v).filter((k) => k !== 'name');
    if (!kinds.every((k) => ['emptyDir', 'secret', 'configMap', 'projected', 'persistentVolumeClaim', 'downwardAPI'].includes(k))) errors.push(`${where}: volume ${v.name}`);
  }
  return errors;
}

describe('deploy/kubernetes', () => {
  it('every object is valid against the Kubernetes schemas and lives in the switchyard namespace', () => {
    assert.ok(objects.length >= 12, `only ${objects.length} objects`);
    for (const { file, o } of objects) {
      assert.deepEqual(kubernetesProblems(o), [], `${file}: ${o.kind} ${o.metadata?.name}`);
      if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'switchyard', `${file}: ${o.kind} ${o.metadata.name}`);
    }
  });

  it('kustomization.yaml lists every manifest file, and only those', () => {
    const k = load('kustomization.yaml')[0];
    assert.equal(k.kind, 'Kustomization');
    assert.equal(k.namespace, 'switchyard');
    assert.deepEqual([...k.resources].sort(), files);
  });

  it('the Role grants exactly what the Kubernetes backend uses, to the control plane\'s ServiceAccount', () => {
    const role = find('Role', 'switchyard-backend');
    const granted = role.rules.flatMap((r: Obj) => r.apiGroups.flatMap((g: string) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res}:${v}`)))).sort();
    const used = KUBERNETES_API_ACCESS.flatMap((a) => a.verbs.map((v) => `${a.apiGroup}/${a.resource}:${v}`)).sort();
    assert.deepEqual(granted, used);
    assert.equal(new Set(granted).size, granted.length, 'no rule repeats another');
    for (const r of role.rules) {
      for (const field of ['apiGroups', 'resources', 'verbs']) assert.ok(!r[field].includes('*'), `no wildcard in ${field}`);
      assert.equal(r.resourceNames, undefined);
    }
    assert.ok(!objects.some(({ o }) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'), 'no cluster-wide access');
    const binding = find('RoleBinding', 'switchyard-backend');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'switchyard-backend' });
    const cp = find('Deployment', 'switchyard-control-plane');
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: cp.spec.template.spec.serviceAccountName, namespace: 'switchyard' }]);
    find('ServiceAccount', cp.spec.template.spec.serviceAccountName);
  });

  it('runs two control-plane replicas on the PostgreSQL store with the Kubernetes backend, reachable where instances look for it', () => {
    const cp = find('Deployment', 'switchyard-control-plane');
    assert.equal(cp.spec.replicas, 2);
    const c = container(cp);
    const args: string[] = c.args;
    assert.deepEqual(args.slice(args.indexOf('--backend'), args.indexOf('--backend') + 2), ['--backend', 'kubernetes']);
    assert.equal(envValue(c, 'SWITCHYARD_STORE').valueFrom.secretKeyRef.name, 'switchyard-control-plane');
    // The master key and admin token come from the same Secret in every replica.
    const secretVolume = cp.spec.template.spec.volumes.find((v: Obj) => v.secret);
    assert.equal(secretVolume.secret.secretName, 'switchyard-control-plane');
    // Readable by the server (group 10001 through fsGroup), not by others.
    assert.equal(secretVolume.secret.defaultMode, 0o440);
    assert.equal(cp.spec.template.spec.securityContext.fsGroup, cp.spec.template.spec.securityContext.runAsGroup);
    for (const [env, key] of [['SWITCHYARD_MASTER_KEY_FILE', 'master-key'], ['SWITCHYARD_ADMIN_TOKEN_FILE', 'admin-token']]) {
      const mount = c.volumeMounts.find((m: Obj) => m.name === secretVolume.name);
      assert.equal(envValue(c, env!).value, `${mount.mountPath}/${key}`);
      assert.ok(secretVolume.secret.items.some((i: Obj) => i.key === key && i.path === key));
    }
    // The storage-initializers' URL is the settings' default for this namespace, and the Service serves it.
    const settings = kubernetesSettings({}, { SWITCHYARD_KUBERNETES_NAMESPACE: 'switchyard' }, '/nonexistent');
    assert.equal(envValue(c, 'SWITCHYARD_CONTROL_PLANE_URL').value, settings.controlPlaneUrl);
    const svc = find('Service', 'switchyard-control-plane');
    assert.ok(matches(svc.spec.selector, cp.spec.template.metadata.labels));
    assert.deepEqual(svc.spec.ports.map((p: Obj) => p.port), [CONTROL_PLANE_PORT]);
    assert.equal(c.ports.find((p: Obj) => p.name === svc.spec.ports[0].targetPort).containerPort, CONTROL_PLANE_PORT);
    assert.equal(envValue(c, 'SWITCHYARD_HOST_IMAGE').value.split(':')[0], 'switchyard/host');
    assert.ok(matches(find('PodDisruptionBudget', 'switchyard-control-plane').spec.selector.matchLabels, cp.spec.template.metadata.labels));
  });

  it('runs gateways behind a Service, scaled by a HorizontalPodAutoscaler, fed by the control plane', () => {
    const gw = find('Deployment', 'switchyard-gateway');
    assert.equal(gw.spec.replicas, undefined, 'the HPA owns the replica count');
    const c = container(gw);
    assert.equal(c.args[0], 'gateway');
    assert.equal(c.args[c.args.indexOf('--control-plane') + 1], envValue(container(find('Deployment', 'switchyard-control-plane')), 'SWITCHYARD_CONTROL_PLANE_URL').value);
    assert.equal(envValue(c, 'SWITCHYARD_TOKEN').valueFrom.secretKeyRef.name, 'switchyard-gateway');
    assert.ok(c.resources.requests.cpu, 'CPU utilisation needs a CPU request');
    const svc = find('Service', 'switchyard-gateway');
    assert.ok(matches(svc.spec.selector, gw.spec.template.metadata.labels));
    const scoring = c.ports.find((p: Obj) => p.name === svc.spec.ports[0].targetPort);
    assert.equal(String(scoring.containerPort), c.args[c.args.indexOf('--port') + 1]);
    const metrics = c.ports.find((p: Obj) => p.name === c.readinessProbe.httpGet.port);
    assert.equal(String(metrics.containerPort), c.args[c.args.indexOf('--metrics-port') + 1]);
    // $(VAR) in args expands only variables the container defines before use.
    for (const arg of c.args as string[]) {
      for (const [, name] of arg.matchAll(/\$\((\w+)\)/g)) assert.ok(envValue(c, name!), `${arg} uses $(${name}), which the container does not define`);
    }
    const hpa = find('HorizontalPodAutoscaler', 'switchyard-gateway');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'switchyard-gateway' });
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
  });

  it('every pod (theirs and deployments\') meets the restricted Pod Security Standard the namespace enforces', () => {
    assert.equal(find('Namespace', 'switchyard').metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    for (const { o } of objects.filter(({ o }) => o.kind === 'Deployment')) {
      assert.deepEqual(restrictedProblems(o.metadata.name, o.spec.template.spec), []);
    }
    const t = {
      endpoint: 'e-1', deployment: 'blue', revision: 'r', instanceCount: 1, environment: { registered: false },
      code: { dir: '/c', scoringScript: 'score.py', digest: 'sha256:' + '0'.repeat(64) }, env: {},
      liveness: { initial_delay: 1, period: 1, timeout: 1, success_threshold: 1, failure_threshold: 1 },
      readiness: { initial_delay: 1, period: 1, timeout: 1, success_threshold: 1, failure_threshold: 1 },
      requestTimeoutMs: 1, maxConcurrentPerInstance: 1,
    };
    const rendered = renderManifests(t, kubernetesSettings({}, {}, '/nonexistent'));
    assert.deepEqual(restrictedProblems('rendered', rendered.deployment.spec!.template.spec), []);
    // The NetworkPolicy selects deployments' pods by the renderer's own label, and lets in the gateways and control plane.
    const np = find('NetworkPolicy', 'switchyard-instances');
    assert.ok(matches(np.spec.podSelector.matchLabels, selectorLabels('e-1', 'blue')));
    assert.ok(matches(np.spec.podSelector.matchLabels, rendered.deployment.spec!.template.metadata!.labels));
    const sources = np.spec.ingress[0].from.map((f: Obj) => f.podSelector.matchLabels);
    for (const name of ['switchyard-gateway', 'switchyard-control-plane']) {
      assert.ok(sources.some((s: Record<string, string>) => matches(s, find('Deployment', name).spec.template.metadata.labels)), name);
    }
    for (const o of manifestList(rendered)) assert.deepEqual(kubernetesProblems(o), []);
  });
});

describe('deploy/host-image', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'host-image', 'Dockerfile'), 'utf8');
  const ignore = readFileSync(join(ROOT, 'deploy', 'host-image', 'Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('copies the hosts to where the manifests run them, as the user the pods run as', () => {
    // From the build context: each source exists and the .dockerignore lets it through.
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    for (const [src] of copies) {
      assert.ok(existsSync(join(ROOT, src)), `${src} is not in the repository`);
      assert.ok(ignore.includes(`!${src.split('/')[0]}`), `${src} is excluded by Dockerfile.dockerignore`);
    }
    assert.ok(copies.some(([src, dst]) => src === 'src/hosts/python' && dst === `${HOST_HOME}/src/hosts/python`));
    assert.ok(existsSync(join(ROOT, 'src/hosts/python/run_host.py')));
    assert.match(dockerfile, new RegExp(`^COPY --from=build /src/dist ${HOST_HOME}/dist$`, 'm'));
    assert.ok(existsSync(join(ROOT, 'src/hosts/node/main.ts')), 'tsc makes dist/hosts/node/main.js from it');
    assert.match(dockerfile, new RegExp(`^USER ${POD_UID}:${POD_UID}$`, 'm'));
    // The storage-initializer and the probes use curl and tar.
    assert.match(STORAGE_INITIALIZER_SCRIPT, /curl .*\n.*\n\s*tar -xzf/);
    assert.match(dockerfile, /apt-get install [^\n]*\bcurl\b[^\n]*\btar\b/);
    assert.match(dockerfile, /^ARG BASE_IMAGE=/m);
    assert.match(dockerfile, /^ARG PIP_PACKAGES=/m);
  });
});
