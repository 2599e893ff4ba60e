// Where the Kubernetes settings come from: `serve` flags when the Kubernetes backend runs, else the
// environment, else defaults that match deploy/kubernetes/ (namespace `switchyard`, the control plane's
// Service `switchyard-control-plane` on port 7070, the host image tagged with this version). One source
// for the backend and for `online-deployment manifests`, so that what is printed is what is applied.
import { readFileSync } from 'node:fs';
import { SwitchyardError } from '../../errors.js';
import { SWITCHYARD_VERSION } from '../../control/version.js';
import { checkKubernetesSettings, type KubernetesSettings } from './manifests.js';

/** The namespace file Kubernetes mounts into every pod that has a service account token. */
export const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export const DEFAULT_NAMESPACE = 'switchyard';
export const DEFAULT_HOST_IMAGE_REPOSITORY = 'switchyard/host';
export const CONTROL_PLANE_SERVICE = 'switchyard-control-plane';
export const CONTROL_PLANE_PORT = 7070;

export interface KubernetesSettingsInput {
  namespace?: string;
  hostImage?: string;
  controlPlaneUrl?: string;
  imagePullPolicy?: KubernetesSettings['imagePullPolicy'];
  controlPlaneCaConfigMap?: string;
}

function inClusterNamespace(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/**
 * Flags first, then SWITCHYARD_KUBERNETES_NAMESPACE, SWITCHYARD_HOST_IMAGE, SWITCHYARD_CONTROL_PLANE_URL,
 * SWITCHYARD_IMAGE_PULL_POLICY and SWITCHYARD_CONTROL_PLANE_CA_CONFIGMAP, then the pod's own namespace (in a cluster), then the defaults.
 * Throws InvalidValue for a setting Kubernetes would refuse.
 */
export function kubernetesSettings(input: KubernetesSettingsInput = {}, env: NodeJS.ProcessEnv = process.env,
  namespaceFile = IN_CLUSTER_NAMESPACE_FILE): KubernetesSettings {
  const namespace = input.namespace ?? (env.SWITCHYARD_KUBERNETES_NAMESPACE || undefined) ?? inClusterNamespace(namespaceFile) ?? DEFAULT_NAMESPACE;
  const pull = input.imagePullPolicy ?? (env.SWITCHYARD_IMAGE_PULL_POLICY || undefined);
  if (pull !== undefined && !(PULL_POLICIES as readonly string[]).includes(pull)) {
    throw new SwitchyardError('InvalidValue', `SWITCHYARD_IMAGE_PULL_POLICY must be one of ${PULL_POLICIES.join(', ')}, got ${JSON.stringify(pull)}.`);
  }
  const settings: KubernetesSettings = {
    namespace,
    hostImage: input.hostImage ?? (env.SWITCHYARD_HOST_IMAGE || undefined) ?? `${DEFAULT_HOST_IMAGE_REPOSITORY}:${SWITCHYARD_VERSION}`,
    controlPlaneUrl: input.controlPlaneUrl ?? (env.SWITCHYARD_CONTROL_PLANE_URL || undefined)
      ?? `http://${CONTROL_PLANE_SERVICE}.${namespace}.svc:${CONTROL_PLANE_PORT}`,
    ...(pull ? { imagePullPolicy: pull as KubernetesSettings['imagePullPolicy'] } : {}),
  };
  const ca = input.controlPlaneCaConfigMap ?? (env.SWITCHYARD_CONTROL_PLANE_CA_CONFIGMAP || undefined);
  if (ca) settings.controlPlaneCaConfigMap = ca;
  checkKubernetesSettings(settings);
  return settings;
}
