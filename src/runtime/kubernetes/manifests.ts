// The Kubernetes objects of one deployment, rendered from its DeploymentTemplate: the one source for
// what the Kubernetes backend applies and for what `online-deployment manifests` prints. Pure: no I/O,
// no clock, no randomness; the same template and settings give the same objects.
//
// Per deployment (all named objectName(endpoint, deployment), e.g. my-endpoint-blue-3f2a9c01d4, in the
// backend's namespace):
//   Secret      `instance-secret` (what the gateway presents to the instances) and `fetch-token` (the
//               storage-initializer's short-lived, read-only credential for this deployment's artifacts)
//   Service     headless (clusterIP None): the pods' own IPs are the instances
//   Deployment  replicas = instance_count; RollingUpdate with maxSurge 20% (Azure reserves 20% extra
//               capacity for upgrades) and maxUnavailable 0 (no instance stops before its successor is
//               Ready); pods with an init container `storage-initializer` that fetches the model and code
//               from the control plane into a shared emptyDir laid out as the azureml images lay it out,
//               and the container `inference-server` running Switchyard's scoring host (Python or Node,
//               by the scoring script's extension) from the host image (deploy/host-image/Dockerfile), or
//               the environment's own image and command for a custom server.
// docs/kubernetes.md explains each choice; tests validate every object against Kubernetes' OpenAPI schemas.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { SwitchyardError } from '../../errors.js';
import { instanceType } from '../../spec/instance-types.js';
import type { ProbeSettings } from '../../spec/types.js';
import type { DeploymentTemplate } from '../backend.js';
import { hostKindOf, type HostKind } from '../local/launch-plan.js';
import { safeSegment } from '../local/staging.js';
import { bytesQuantity, parseQuantity, quantityText } from './quantities.js';

export interface KubernetesSettings {
  /** The namespace every object of every deployment lives in. */
  namespace: string;
  /** The Switchyard host image built from deploy/host-image/Dockerfile, `repository:tag` (no digest). */
  hostImage: string;
  /** The control plane's URL as pods reach it, e.g. http://switchyard-control-plane.switchyard.svc:8080. */
  controlPlaneUrl: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /**
   * A ConfigMap in the namespace whose key `ca.crt` holds the CA of an https:// control plane that the
   * system's CAs do not know; the storage-initializer trusts it (curl's CURL_CA_BUNDLE).
   */
  controlPlaneCaConfigMap?: string;
}

/** The values of a deployment's Secret. Absent: the Secret is rendered without data (for review). */
export interface DeploymentSecrets {
  /** Sent by the gateway in `x-switchyard-instance-secret`; at least 32 characters. */
  instanceSecret: string;
  /** Bearer token of the storage-initializer: read-only, this deployment's artifacts only, short-lived. */
  fetchToken: string;
}

export interface DeploymentManifests {
  secret: ISecret;
  service: IService;
  deployment: IDeployment;
}

export type KubernetesObject = ISecret | IService | IDeployment;

// Labels. The selector uses the first three; the revision is on the pod template only (a selector is
// immutable, and a rolling update is exactly a change of the pod template).
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_ENDPOINT = 'switchyard.io/endpoint';
export const LABEL_DEPLOYMENT = 'switchyard.io/deployment';
export const LABEL_REVISION = 'switchyard.io/revision';
/** On the Deployment and pod template when the inference-server image derives from `environment.image`. */
export const ANNOTATION_BASE_IMAGE = 'switchyard.io/base-image';

export const STORAGE_INITIALIZER = 'storage-initializer';
export const INFERENCE_SERVER = 'inference-server';
/** The port the scoring hosts listen on in a pod (the azureml inference server's default). */
export const SCORING_PORT = 5001;
/** Keys of the deployment's Secret. */
export const SECRET_KEY_INSTANCE = 'instance-secret';
export const SECRET_KEY_FETCH = 'fetch-token';

// Paths in the pod.
export const APP_ROOT = '/var/azureml-app';
const SECRET_DIR = '/var/run/switchyard';
const INSTANCE_SECRET_FILE = `${SECRET_DIR}/${SECRET_KEY_INSTANCE}`;
const FETCH_TOKEN_FILE = `${SECRET_DIR}/${SECRET_KEY_FETCH}`;
/** Where the control plane's CA (settings.controlPlaneCaConfigMap) is mounted in the storage-initializer. */
const CA_DIR = '/etc/switchyard/control-plane-ca';
/** Where the host image keeps Switchyard (deploy/host-image/Dockerfile). */
export const HOST_HOME = '/opt/switchyard';
/** The unprivileged user and group of every container (the host image's `switchyard` user). */
export const POD_UID = 10001;
/** The hosts drain for SWITCHYARD_DRAIN_SECONDS (30) on SIGTERM; the pod gets that and a margin. */
const DRAIN_SECONDS = 30;

/** The path of an artifact's archive on the control plane (GET, `Authorization: Bearer <fetch-token>`). */
export const artifactArchivePath = (digest: string): string => `/api/v1/artifacts/${encodeURIComponent(digest)}/archive`;

const MAX_NAME = 63;

/**
 * The name of a deployment's objects: `<endpoint>-<deployment>` in lower case (cut to fit), then a hash
 * of the exact pair, so that no two deployments share a name: not `ab-c`/`def` and `ab`/`c-def`, nor
 * names that differ only in case. A valid DNS label of at most 63 characters.
 */
export function objectName(endpoint: string, deployment: string): string {
  const hash = createHash('sha256').update(`${endpoint}\0${deployment}`).digest('hex').slice(0, 10);
  const prefix = `${endpoint}-${deployment}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, '');
  return `${/^[a-z]/.test(prefix) ? prefix : `d-${prefix}`.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

/** The labels that select a deployment's pods (and its Service's endpoints). */
export function selectorLabels(endpoint: string, deployment: string): Record<string, string> {
  return { [LABEL_NAME]: 'switchyard-instance', [LABEL_ENDPOINT]: endpoint, [LABEL_DEPLOYMENT]: deployment };
}

function objectLabels(t: DeploymentTemplate): Record<string, string> {
  return { ...selectorLabels(t.endpoint, t.deployment), [LABEL_MANAGED_BY]: 'switchyard' };
}

/** Checks the backend's settings once, when it starts; the renderer assumes they passed. */
export function checkKubernetesSettings(settings: KubernetesSettings): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(settings.namespace)) {
    throw new SwitchyardError('InvalidValue', `The namespace ${JSON.stringify(settings.namespace)} is not a valid Kubernetes namespace name (lower-case letters, digits and '-', at most 63).`);
  }
  if (!/^[^\s@]+$/.test(settings.hostImage) || settings.hostImage.endsWith(':')) {
    throw new SwitchyardError('InvalidValue', `The host image ${JSON.stringify(settings.hostImage)} must be repository[:tag] (no digest: derived images get tags).`);
  }
  let url: URL;
  try {
    url = new URL(settings.controlPlaneUrl);
  } catch {
    throw new SwitchyardError('InvalidValue', `The control-plane URL ${JSON.stringify(settings.controlPlaneUrl)} is not a URL.`);
  }
  if (settings.controlPlaneCaConfigMap !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(settings.controlPlaneCaConfigMap)) {
    throw new SwitchyardError('InvalidValue', `The CA ConfigMap name ${JSON.stringify(settings.controlPlaneCaConfigMap)} is not a valid Kubernetes name.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SwitchyardError('InvalidValue', `The control-plane URL ${JSON.stringify(settings.controlPlaneUrl)} must be http:// or https://.`);
  }
}

/**
 * The image of the inference-server container: the host image itself, or, for an environment with an
 * `image`, the host image built on that image as its base (`docker build --build-arg
 * BASE_IMAGE=<image> -t <this name>`): the host image's tag with `-base-` and a hash of the base.
 */
export function hostImageFor(hostImage: string, baseImage: string | undefined): string {
  if (!baseImage) return hostImage;
  const slash = hostImage.lastIndexOf('/');
  const colon = hostImage.lastIndexOf(':');
  const [repository, tag] = colon > slash ? [hostImage.slice(0, colon), hostImage.slice(colon + 1)] : [hostImage, 'latest'];
  const hash = createHash('sha256').update(baseImage).digest('hex').slice(0, 12);
  return `${repository}:${tag}-base-${hash}`;
}

function routePath(route: { path: string } | undefined, fallback: string): string {
  const p = route?.path?.trim();
  return p ? (p.startsWith('/') ? p : `/${p}`) : fallback;
}

/** What runs in the inference-server container. */
interface ServerCommand {
  kind: HostKind;
  image: string;
  command: string[];
  port: number;
  livenessPath: string;
  readinessPath: string;
}

function serverCommand(t: DeploymentTemplate, settings: KubernetesSettings): ServerCommand {
  const kind = hostKindOf(t);
  const env = t.environment;
  if (kind === 'custom') {
    // A custom server runs in its own image, as it would on Azure; `$PORT` in its command is the port.
    if (!env.image) {
      throw new SwitchyardError('InvalidValue',
        'A custom server (environment command) on Kubernetes needs environment.image: the image that has the server.');
    }
    const ic = env.inference_config;
    const port = ic?.scoring_route?.port ?? ic?.readiness_route?.port ?? ic?.liveness_route?.port ?? SCORING_PORT;
    const liveness = routePath(ic?.liveness_route, '/');
    return {
      kind, image: env.image, port,
      command: env.command!.map((a) => a.replace(/\$\{PORT\}|\$PORT\b/g, String(port))),
      livenessPath: liveness,
      readinessPath: routePath(ic?.readiness_route, liveness),
    };
  }
  if (!kind) {
    throw new SwitchyardError('InvalidValue', t.code
      ? `Kubernetes instances cannot run the scoring script ${t.code.scoringScript}: use a .py file (Python) or .js/.mjs/.cjs/.ts (Node).`
      : 'The deployment has no code_configuration and its environment has no command, so there is nothing to run. Add code_configuration {code, scoring_script}, or a command for a custom server.');
  }
  const image = hostImageFor(settings.hostImage, env.image);
  const command = kind === 'python'
    ? [env.interpreter ?? 'python3', '-u', `${HOST_HOME}/src/hosts/python/run_host.py`]
    : ['node', `${HOST_HOME}/dist/hosts/node/main.js`];
  return { kind, image, command, port: SCORING_PORT, livenessPath: '/', readinessPath: '/ready' };
}

/** Where the model lands in the pod: AZUREML_MODEL_DIR, and the folder the archive is unpacked into. */
function modelPaths(model: NonNullable<DeploymentTemplate['model']>): { modelDir: string; target: string } {
  const modelDir = posix.join(APP_ROOT, 'azureml-models', safeSegment(model.assetName), safeSegment(model.assetVersion));
  return { modelDir, target: model.kind === 'dir' ? posix.join(modelDir, safeSegment(model.name)) : modelDir };
}

const CODE_DIR = posix.join(APP_ROOT, 'app');

/**
 * The storage-initializer's script (POSIX sh, curl and tar from the host image): fetch each archive
 * with the bearer token from the mounted Secret and unpack it into its folder. Retries cover a control
 * plane that is restarting; any failure exits non-zero, so the pod shows Init:Error and Kubernetes
 * retries it.
 */
export const STORAGE_INITIALIZER_SCRIPT = [
  'set -eu',
  'fetch() {',
  '  mkdir -p "$2"',
  '  archive="$SWITCHYARD_STAGING_DIR/.download.tar.gz"',
  '  curl --fail --silent --show-error --retry 5 --retry-connrefused --retry-delay 2 --connect-timeout 10 --max-time 1800 \\',
  '    -H "Authorization: Bearer $(cat "$SWITCHYARD_FETCH_TOKEN_FILE")" -o "$archive" "$1"',
  '  tar -xzf "$archive" -C "$2" --no-same-owner --no-same-permissions',
  '  rm -f "$archive"',
  '  echo "storage-initializer: unpacked $1 into $2"',
  '}',
  'if [ -n "${SWITCHYARD_MODEL_URL:-}" ]; then fetch "$SWITCHYARD_MODEL_URL" "$SWITCHYARD_MODEL_TARGET"; fi',
  'if [ -n "${SWITCHYARD_CODE_URL:-}" ]; then fetch "$SWITCHYARD_CODE_URL" "$SWITCHYARD_CODE_TARGET"; fi',
  'echo "storage-initializer: done"',
].join('\n');

/** A probe of our hosts: they answer only requests carrying the instance secret, so kubelet runs curl in the container. */
const PROBE_SCRIPT = (port: number, path: string, timeout: number) =>
  `exec curl --fail --silent --output /dev/null --max-time ${timeout} -H "x-switchyard-instance-secret: $(cat ${INSTANCE_SECRET_FILE})" http://127.0.0.1:${port}${path}`;

function probe(settings: ProbeSettings, action: Pick<IProbe, 'exec' | 'httpGet'>, liveness: boolean): IProbe {
  return {
    ...action,
    initialDelaySeconds: settings.initial_delay,
    periodSeconds: settings.period,
    timeoutSeconds: settings.timeout,
    // Kubernetes requires 1 for a liveness probe.
    successThreshold: liveness ? 1 : settings.success_threshold,
    failureThreshold: settings.failure_threshold,
  };
}

function probeAction(server: ServerCommand, path: string, timeout: number): Pick<IProbe, 'exec' | 'httpGet'> {
  if (server.kind === 'custom') return { httpGet: { path, port: server.port } };
  return { exec: { command: ['/bin/sh', '-c', PROBE_SCRIPT(server.port, path, timeout)] } };
}

const RESOURCE_KEYS = new Set(['cpu', 'memory', 'nvidia.com/gpu', 'ephemeral-storage']);

function resourceMap(field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SwitchyardError('InvalidValue', `${field} must be a map of resource names (cpu, memory, nvidia.com/gpu, ephemeral-storage) to quantities.`);
  }
  const out: Record<string, string> = {};
  for (const [key, quantity] of Object.entries(value)) {
    if (!RESOURCE_KEYS.has(key)) {
      throw new SwitchyardError('InvalidValue', `${field}.${key} is not a resource Switchyard maps: use cpu, memory, nvidia.com/gpu or ephemeral-storage.`);
    }
    out[key] = quantityText(`${field}.${key}`, quantity);
  }
  return out;
}

/**
 * Requests and limits: the instance type's size (vCPUs requested, memory requested and limited, GPUs
 * limited), then the deployment's `resources` field by field; limits.memory is the template's memory
 * limit (resources.limits.memory, else the size's memory), so the pod's cgroup enforces what the local
 * runtime enforces with rlimits. A request derived from the size never exceeds a limit the user set.
 */
export function resourcesOf(t: DeploymentTemplate): IResourceRequirements {
  const given = (t.resources ?? {}) as { requests?: unknown; limits?: unknown };
  for (const key of Object.keys(given)) {
    if (key !== 'requests' && key !== 'limits') {
      throw new SwitchyardError('InvalidValue', `resources.${key} is not known: resources has requests and limits.`);
    }
  }
  const requests = resourceMap('resources.requests', given.requests);
  const limits = resourceMap('resources.limits', given.limits);
  const size = t.instanceType ? instanceType(t.instanceType) : undefined;
  const derived = new Set<string>();
  const fill = (map: Record<string, string>, key: string, value: string) => {
    if (map[key] === undefined) {
      map[key] = value;
      derived.add(key);
    }
  };
  if (t.memoryLimitBytes !== undefined && limits.memory === undefined) limits.memory = bytesQuantity(t.memoryLimitBytes);
  if (size) {
    fill(requests, 'cpu', String(size.vcpus));
    fill(requests, 'memory', limits.memory ?? bytesQuantity(Math.round(size.memoryGiB * 2 ** 30)));
    if (size.gpus > 0 && limits['nvidia.com/gpu'] === undefined) limits['nvidia.com/gpu'] = String(size.gpus);
  }
  for (const key of Object.keys(requests)) {
    const limit = limits[key];
    if (limit === undefined || parseQuantity(key, requests[key]) <= parseQuantity(key, limit)) continue;
    if (derived.has(key)) {
      requests[key] = limit;
    } else {
      throw new SwitchyardError('InvalidValue', `resources.requests.${key} (${requests[key]}) is more than resources.limits.${key} (${limit}).`);
    }
  }
  const out: IResourceRequirements = {};
  if (Object.keys(requests).length) out.requests = requests;
  if (Object.keys(limits).length) out.limits = limits;
  return out;
}

/** A container's security context (fresh objects each time: rendered objects share nothing). */
const restricted = (readOnlyRootFilesystem: boolean): ISecurityContext => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  runAsUser: POD_UID,
  runAsGroup: POD_UID,
  readOnlyRootFilesystem,
  seccompProfile: { type: 'RuntimeDefault' },
});

function storageInitializer(t: DeploymentTemplate, settings: KubernetesSettings): IContainer {
  const base = settings.controlPlaneUrl.replace(/\/+$/, '');
  const env = [
    { name: 'SWITCHYARD_STAGING_DIR', value: APP_ROOT },
    { name: 'SWITCHYARD_FETCH_TOKEN_FILE', value: FETCH_TOKEN_FILE },
  ];
  if (t.model) {
    env.push({ name: 'SWITCHYARD_MODEL_URL', value: `${base}${artifactArchivePath(t.model.digest)}` });
    env.push({ name: 'SWITCHYARD_MODEL_TARGET', value: modelPaths(t.model).target });
  }
  if (t.code) {
    env.push({ name: 'SWITCHYARD_CODE_URL', value: `${base}${artifactArchivePath(t.code.digest)}` });
    env.push({ name: 'SWITCHYARD_CODE_TARGET', value: CODE_DIR });
  }
  if (settings.controlPlaneCaConfigMap) env.push({ name: 'CURL_CA_BUNDLE', value: `${CA_DIR}/ca.crt` });
  return {
    name: STORAGE_INITIALIZER,
    image: settings.hostImage,
    ...(settings.imagePullPolicy ? { imagePullPolicy: settings.imagePullPolicy } : {}),
    command: ['/bin/sh', '-c', STORAGE_INITIALIZER_SCRIPT],
    env,
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: restricted(true),
    volumeMounts: [
      { name: 'azureml-app', mountPath: APP_ROOT },
      { name: 'switchyard-secret', mountPath: SECRET_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      ...(settings.controlPlaneCaConfigMap ? [{ name: 'control-plane-ca', mountPath: CA_DIR, readOnly: true }] : []),
    ],
  };
}

function inferenceServer(t: DeploymentTemplate, settings: KubernetesSettings, server: ServerCommand): IContainer {
  const custom = server.kind === 'custom';
  // As the local runtime: the azureml variables, then the deployment's own, then what the host needs.
  const env: Record<string, string> = { WORKER_COUNT: '1', HOME: '/tmp' };
  if (t.model) env.AZUREML_MODEL_DIR = modelPaths(t.model).modelDir;
  if (t.code) {
    env.AML_APP_ROOT = CODE_DIR;
    env.AZUREML_ENTRY_SCRIPT = t.code.scoringScript;
  }
  Object.assign(env, t.env);
  env.PORT = String(server.port);
  if (!custom) {
    Object.assign(env, {
      SWITCHYARD_BIND_HOST: '0.0.0.0',
      SWITCHYARD_INSTANCE_SECRET_FILE: INSTANCE_SECRET_FILE,
      SWITCHYARD_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });
    if (server.kind === 'python') env.PYTHONUNBUFFERED = '1';
  }
  const resources = resourcesOf(t);
  return {
    name: INFERENCE_SERVER,
    image: server.image,
    ...(settings.imagePullPolicy ? { imagePullPolicy: settings.imagePullPolicy } : {}),
    command: server.command,
    workingDir: t.code ? CODE_DIR : APP_ROOT,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    ports: [{ name: 'http', containerPort: server.port, protocol: 'TCP' }],
    ...(Object.keys(resources).length ? { resources } : {}),
    readinessProbe: probe(t.readiness, probeAction(server, server.readinessPath, t.readiness.timeout), false),
    livenessProbe: probe(t.liveness, probeAction(server, server.livenessPath, t.liveness.timeout), true),
    // The gateway drops a terminating pod from its routes; give that a moment before SIGTERM.
    lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } } },
    // A custom image may write anywhere; our hosts write only to /tmp and the app folder.
    securityContext: restricted(!custom),
    volumeMounts: [
      { name: 'azureml-app', mountPath: APP_ROOT },
      { name: 'switchyard-secret', mountPath: SECRET_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

/** Every object of one deployment. Throws InvalidValue for what cannot run on Kubernetes. */
export function renderManifests(t: DeploymentTemplate, settings: KubernetesSettings, secrets?: DeploymentSecrets): DeploymentManifests {
  const name = objectName(t.endpoint, t.deployment);
  const metadata = () => ({ name, namespace: settings.namespace, labels: objectLabels(t) });
  const server = serverCommand(t, settings);
  const annotations: Record<string, string> = {};
  if (server.kind !== 'custom' && t.environment.image) annotations[ANNOTATION_BASE_IMAGE] = t.environment.image;

  if (secrets && secrets.instanceSecret.length < 32) {
    throw new SwitchyardError('Internal', 'The instance secret must be at least 32 characters.');
  }
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(),
    type: 'Opaque',
    ...(secrets ? { stringData: { [SECRET_KEY_INSTANCE]: secrets.instanceSecret, [SECRET_KEY_FETCH]: secrets.fetchToken } } : {}),
  };

  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(),
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(t.endpoint, t.deployment),
      ports: [{ name: 'http', port: server.port, targetPort: 'http', protocol: 'TCP' }],
      publishNotReadyAddresses: false,
    },
  };

  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...metadata(), annotations: { ...annotations, [LABEL_REVISION]: t.revision } },
    spec: {
      replicas: t.instanceCount,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorLabels(t.endpoint, t.deployment) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '20%', maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...objectLabels(t), [LABEL_REVISION]: t.revision },
          ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: DRAIN_SECONDS + 15,
          securityContext: {
            runAsNonRoot: true, runAsUser: POD_UID, runAsGroup: POD_UID, fsGroup: POD_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          // Instances on different nodes where the cluster can (Azure puts each on its own VM).
          topologySpreadConstraints: [{
            maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: selectorLabels(t.endpoint, t.deployment) },
          }],
          initContainers: [storageInitializer(t, settings)],
          containers: [inferenceServer(t, settings, server)],
          volumes: [
            { name: 'azureml-app', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            { name: 'switchyard-secret', secret: { secretName: name, defaultMode: 0o440 } },
            ...(settings.controlPlaneCaConfigMap
              ? [{ name: 'control-plane-ca', configMap: { name: settings.controlPlaneCaConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }]
              : []),
          ],
        },
      },
    },
  };
  return { secret, service, deployment };
}

/** The objects in the order they are applied (the Secret before the pods that mount it). */
export function manifestList(m: DeploymentManifests): KubernetesObject[] {
  return [m.secret, m.service, m.deployment];
}
