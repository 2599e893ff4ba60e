// Validates Kubernetes objects against the API's OpenAPI schemas, as shipped (compiled) in the
// `kubernetes-models` package: no download at test time. The schemas do not check names and labels
// (the API server does, in code), so those rules are checked here too, as the API server states them.
// Nor do they refuse unknown fields (a typo such as `replica:` would pass, and the API server would drop
// it, or refuse it under strict field validation): the field lists of @kubernetes/client-node's models
// (attributeTypeMap, generated from the same OpenAPI document) catch those.
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import * as clientModels from '@kubernetes/client-node';

type AttributeMap = Array<{ baseName: string; type: string }>;
const modelClasses = clientModels as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

/** Fields the OpenAPI document does not define, as paths (`spec.template.spec.containers[0].imagePullPolcy`). */
export function unknownFields(value: unknown, type: string, path = '', out: string[] = []): string[] {
  if (value === null || value === undefined || typeof value !== 'object') return out;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`, out));
    return out;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}.${k}`, out);
    return out;
  }
  const attributes = modelClasses[type]?.getAttributeTypeMap?.();
  if (!attributes) return out; // a primitive, IntOrString, or free-form (any/object)
  const fields = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const field = fields.get(k);
    if (field === undefined) out.push(path ? `${path}.${k}` : k);
    else unknownFields(v, field, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/** The client library's model of a kind: V1Deployment for apps/v1 Deployment, V2HorizontalPodAutoscaler for autoscaling/v2 ... */
function modelTypeOf(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').pop()!;
  return `${version[0]!.toUpperCase()}${version.slice(1)}${kind}`;
}

type ModelClass = new (data: never) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkLabels(where: string, labels: Record<string, string> | undefined, errors: string[]): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) as [string, string] : [undefined, key];
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) errors.push(`${where}: label key prefix ${key}`);
    if (name.length > 63 || !LABEL_NAME.test(name)) errors.push(`${where}: label key ${key}`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`${where}: label value ${key}=${value}`);
  }
}

interface AnyObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** Every problem of one object: schema errors, then name and label rules. Empty when it is valid. */
export function kubernetesProblems(object: unknown): string[] {
  const o = object as AnyObject;
  const key = `${o?.apiVersion}/${o?.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`no schema for ${key} in this test's table`];
  const errors: string[] = [];
  try {
    new Model(structuredClone(object) as never).validate();
  } catch (e) {
    errors.push(`${key}: ${(e as Error).message}`);
  }
  const modelType = modelTypeOf(o.apiVersion!, o.kind!);
  if (!modelClasses[modelType]?.getAttributeTypeMap) errors.push(`${key}: no client model ${modelType}`);
  for (const field of unknownFields(object, modelType)) errors.push(`${key}: unknown field ${field}`);
  const name = o.metadata?.name ?? '';
  const where = `${key} ${name}`;
  // Services need a DNS-1035 label; the other kinds here a DNS-1123 subdomain.
  if (o.kind === 'Service' ? name.length > 63 || !DNS_LABEL.test(name) : name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    errors.push(`${where}: invalid name`);
  }
  checkLabels(where, o.metadata?.labels, errors);
  const template = (o.spec?.template as { metadata?: { labels?: Record<string, string> }; spec?: PodSpecLike } | undefined);
  if (template) {
    checkLabels(`${where} pod template`, template.metadata?.labels, errors);
    const selector = (o.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
    for (const [k, v] of Object.entries(selector)) {
      if (template.metadata?.labels?.[k] !== v) errors.push(`${where}: selector ${k}=${v} does not match the pod template`);
    }
    errors.push(...podSpecProblems(where, template.spec ?? {}));
  }
  return errors;
}

interface ContainerLike {
  name: string;
  livenessProbe?: { successThreshold?: number };
  startupProbe?: { successThreshold?: number };
  volumeMounts?: { name: string }[];
  ports?: { name?: string }[];
}
interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: { name: string }[];
}

// Rules the API server checks in code for pods (validation.go), which the schema cannot express.
function podSpecProblems(where: string, spec: PodSpecLike): string[] {
  const errors: string[] = [];
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  if (volumes.size !== (spec.volumes ?? []).length) errors.push(`${where}: duplicate volume names`);
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const names = new Set(all.map((c) => c.name));
  if (names.size !== all.length) errors.push(`${where}: duplicate container names`);
  for (const c of all) {
    if (!DNS_LABEL.test(c.name)) errors.push(`${where}: container name ${c.name}`);
    if ((c.livenessProbe?.successThreshold ?? 1) !== 1) errors.push(`${where}: ${c.name} liveness successThreshold must be 1`);
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) errors.push(`${where}: ${c.name} mounts unknown volume ${m.name}`);
    for (const p of c.ports ?? []) if (p.name !== undefined && (p.name.length > 15 || !/^[a-z0-9-]*[a-z][a-z0-9-]*$/.test(p.name))) errors.push(`${where}: port name ${p.name}`);
  }
  return errors;
}
