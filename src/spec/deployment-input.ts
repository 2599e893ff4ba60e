// DeploymentInput (REST body: the deployment YAML as JSON after the CLI uploaded local paths) →
// DeploymentSpec with every default of SPEC §1.2. With `base`, the input is a partial update: fields it
// does not name are kept (settings objects merge field by field; maps and references are replaced).
import { SwitchyardError } from '../errors.js';
import type {
  ArtifactInfo, CodeConfiguration, DeploymentSpec, EnvironmentAsset, EnvironmentBinding, ModelAsset, ModelBinding,
  ProbeSettings, RequestSettings, ScaleSettings,
} from './types.js';
import { validateName } from './names.js';
import {
  expectBoolean, expectChoice, expectInteger, expectObject, expectString, expectStringMap, invalid, isPlainObject,
  optionalString, refuseUnknownKeys, type InputObject,
} from './input-fields.js';
import { expectDigest, isDigest, parseAssetRef, type AssetRef } from './references.js';
import { ENVIRONMENT_FIELD_KEYS, readEnvironmentFields } from './environment-fields.js';
import { readModelType, validateAssetVersion } from './asset-input.js';
import { memoryLimitOf } from './memory-quantity.js';

export const MAX_INSTANCES = 50;
export const MAX_REQUEST_TIMEOUT_MS = 180_000;

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
  request_timeout_ms: 5000,
  max_concurrent_requests_per_instance: 1,
  max_queue_wait_ms: 500,
};
export const DEFAULT_PROBE: ProbeSettings = {
  initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30,
};
export const DEFAULT_TARGET_UTILIZATION = {
  min_instances: 1, max_instances: 1, target_utilization_percentage: 70, polling_interval: 1,
};

/** What normalising needs from the store: registered assets and uploaded artifacts. */
export interface AssetResolver {
  model(name: string, version: string): ModelAsset | undefined;
  environment(name: string, version: string): EnvironmentAsset | undefined;
  artifact(digest: string): ArtifactInfo | undefined;
}

export interface DeploymentContext {
  /** The endpoint the deployment belongs to (from the URL). */
  endpoint: string;
  /** The deployment name from the URL (PATCH), when there is one. */
  name?: string;
  /** The stored spec, for a partial update. */
  base?: DeploymentSpec;
  resolve: AssetResolver;
}

/** Kept in `extra` as given (SPEC §1.2: accepted and kept). */
const EXTRA_KEYS = ['app_insights_enabled', 'egress_public_network_access', 'data_collector', 'resources', 'model_mount_path', 'type'] as const;
/** Printed by `show`; ignored on input so `show` output can be fed back. */
const READ_ONLY = ['id', 'provisioning_state', 'creation_context', 'instances', 'conditions', 'error'];
const KEYS = new Set([
  '$schema', 'name', 'endpoint_name', 'description', 'tags', 'model', 'code_configuration', 'environment',
  'environment_variables', 'instance_type', 'instance_count', 'request_settings', 'liveness_probe', 'readiness_probe',
  'scale_settings', ...EXTRA_KEYS, ...READ_ONLY,
]);

export function normaliseDeploymentInput(input: unknown, ctx: DeploymentContext): DeploymentSpec {
  const body = expectObject('deployment', input);
  refuseUnknownKeys(body, KEYS, '', 'deployment');
  const base = ctx.base;

  const name = readDeploymentName(body, ctx);
  if (body.endpoint_name !== undefined && body.endpoint_name !== ctx.endpoint) {
    throw new SwitchyardError('InvalidValue',
      `endpoint_name ${JSON.stringify(body.endpoint_name)} does not match the endpoint in the request (${JSON.stringify(ctx.endpoint)}).`);
  }

  const instanceCount = body.instance_count !== undefined
    ? expectInteger('instance_count', body.instance_count, 1, MAX_INSTANCES)
    : base?.instance_count ?? missing('instance_count', 'instance_count: 1');

  let environment: EnvironmentBinding;
  if (body.environment !== undefined && body.environment !== null) environment = readEnvironment(body.environment, ctx.resolve);
  else if (base && body.environment === undefined) environment = base.environment;
  else missing('environment', 'environment: azureml:<name>:<version>, or an inline {image, conda_file}');

  const spec: DeploymentSpec = {
    name,
    endpoint_name: ctx.endpoint,
    tags: 'tags' in body ? expectStringMap('tags', body.tags) : { ...(base?.tags ?? {}) },
    environment,
    environment_variables: 'environment_variables' in body
      ? expectStringMap('environment_variables', body.environment_variables)
      : { ...(base?.environment_variables ?? {}) },
    instance_count: instanceCount,
    request_settings: readRequestSettings(body.request_settings, base?.request_settings ?? DEFAULT_REQUEST_SETTINGS),
    liveness_probe: readProbe('liveness_probe', body.liveness_probe, base?.liveness_probe ?? DEFAULT_PROBE),
    readiness_probe: readProbe('readiness_probe', body.readiness_probe, base?.readiness_probe ?? DEFAULT_PROBE),
    scale_settings: readScaleSettings(body.scale_settings, base?.scale_settings ?? { type: 'default' }),
    extra: readExtra(body, base?.extra ?? {}),
  };

  const description = 'description' in body ? optionalString('description', body.description) : base?.description;
  if (description !== undefined) spec.description = description;
  const instanceType = 'instance_type' in body ? optionalString('instance_type', body.instance_type) : base?.instance_type;
  if (instanceType !== undefined) spec.instance_type = instanceType;

  const model = 'model' in body
    ? (body.model === null ? undefined : readModel(body.model, ctx, name))
    : base?.model;
  if (model) spec.model = model;

  const code = 'code_configuration' in body
    ? (body.code_configuration === null ? undefined : readCodeConfiguration(body.code_configuration, ctx.resolve))
    : base?.code_configuration;
  if (code) spec.code_configuration = code;

  return spec;
}

function readDeploymentName(body: InputObject, ctx: DeploymentContext): string {
  const fromUrl = ctx.name ?? ctx.base?.name;
  if (fromUrl !== undefined) {
    if (body.name !== undefined && body.name !== fromUrl) {
      throw new SwitchyardError('InvalidValue',
        `name ${JSON.stringify(body.name)} does not match the deployment in the request (${JSON.stringify(fromUrl)}); a deployment cannot be renamed.`);
    }
    return validateName('deployment', fromUrl);
  }
  if (body.name === undefined) missing('name', 'name: blue');
  return validateName('deployment', body.name);
}

function missing(field: string, example: string): never {
  throw new SwitchyardError('MissingField', `The deployment needs ${field} (for example ${example}).`);
}

function lookupModel(ref: AssetRef, field: string, resolve: AssetResolver): ModelAsset {
  const asset = resolve.model(ref.name, ref.version);
  if (!asset) {
    throw new SwitchyardError('ModelNotFound',
      `${field} refers to model ${ref.name}${ref.version === 'latest' ? '@latest' : `:${ref.version}`}, which is not registered. Register it with \`model create\` or give the model inline ({path: ...}).`);
  }
  return asset;
}

function requireArtifact(field: string, digest: string, resolve: AssetResolver): ArtifactInfo {
  const info = resolve.artifact(digest);
  if (!info) {
    throw new SwitchyardError('ArtifactNotFound',
      `${field} refers to artifact ${digest}, which has not been uploaded. Upload it first (POST /api/v1/artifacts).`);
  }
  return info;
}

const INLINE_MODEL_KEYS = new Set(['path', 'name', 'version', 'type', 'description', 'tags', '$schema']);

function readModel(value: unknown, ctx: DeploymentContext, deployment: string): ModelBinding {
  if (typeof value === 'string') {
    const ref = parseAssetRef('model', value);
    if (ref) {
      // `show` prints an inline model as azureml:<name>:<version>; fed back unchanged it means "keep".
      const kept = ctx.base?.model;
      if (kept && !kept.registered && kept.name === ref.name && kept.version === ref.version) return kept;
      const asset = lookupModel(ref, 'model', ctx.resolve);
      return { name: asset.name, version: asset.version, type: asset.type, artifact: asset.path, registered: true };
    }
    if (isDigest(value)) {
      requireArtifact('model', value, ctx.resolve);
      return { name: `${ctx.endpoint}-${deployment}-model`, version: '1', type: 'custom_model', artifact: value, registered: false };
    }
    throw new SwitchyardError('InvalidReference',
      `model ${JSON.stringify(value)} is neither azureml:<name>:<version>, azureml:<name>@latest, nor an uploaded artifact digest. A local path must be uploaded by the CLI first.`);
  }
  if (!isPlainObject(value)) throw invalid('model', 'an azureml: reference or an inline {path, name?, version?, type?}', value);
  refuseUnknownKeys(value, INLINE_MODEL_KEYS, 'model', 'deployment');
  if (value.path === undefined) throw new SwitchyardError('MissingField', 'An inline model needs path (the uploaded folder or file).');
  const artifact = expectDigest('model.path', value.path);
  requireArtifact('model.path', artifact, ctx.resolve);
  const name = value.name === undefined || value.name === null ? `${ctx.endpoint}-${deployment}-model` : expectString('model.name', value.name, { nonEmpty: true });
  return {
    name,
    version: validateAssetVersion('model', value.version) ?? '1',
    type: readModelType('model.type', value.type),
    artifact,
    registered: false,
  };
}

const INLINE_ENVIRONMENT_KEYS = new Set(['$schema', 'name', 'version', 'description', 'tags', ...ENVIRONMENT_FIELD_KEYS]);

function readEnvironment(value: unknown, resolve: AssetResolver): EnvironmentBinding {
  if (typeof value === 'string') {
    const ref = parseAssetRef('environment', value);
    if (!ref) {
      throw new SwitchyardError('InvalidReference',
        `environment ${JSON.stringify(value)} must be azureml:<name>:<version>, azureml:<name>@latest, or an inline {image, conda_file, ...}.`);
    }
    const asset = resolve.environment(ref.name, ref.version);
    if (!asset) {
      throw new SwitchyardError('EnvironmentNotFound',
        `environment refers to ${ref.name}${ref.version === 'latest' ? '@latest' : `:${ref.version}`}, which is not registered. Register it with \`environment create\` or write it inline.`);
    }
    const binding: EnvironmentBinding = { name: asset.name, version: asset.version, registered: true };
    for (const key of ENVIRONMENT_FIELD_KEYS) {
      if (asset[key] !== undefined) (binding as unknown as Record<string, unknown>)[key] = asset[key];
    }
    return binding;
  }
  const body = expectObject('environment', value);
  refuseUnknownKeys(body, INLINE_ENVIRONMENT_KEYS, 'environment', 'deployment');
  const binding: EnvironmentBinding = { registered: false, ...readEnvironmentFields(body, 'environment') };
  const name = optionalString('environment.name', body.name);
  if (name !== undefined) binding.name = name;
  const version = validateAssetVersion('environment', body.version);
  if (version !== undefined) binding.version = version;
  return binding;
}

const CODE_KEYS = new Set(['code', 'scoring_script']);

function readCodeConfiguration(value: unknown, resolve: AssetResolver): CodeConfiguration {
  const body = expectObject('code_configuration', value);
  refuseUnknownKeys(body, CODE_KEYS, 'code_configuration', 'deployment');
  if (body.code === undefined) throw new SwitchyardError('MissingField', 'code_configuration needs code (the folder of the scoring script).');
  if (body.scoring_script === undefined) throw new SwitchyardError('MissingField', 'code_configuration needs scoring_script (for example score.py).');
  const code = expectDigest('code_configuration.code', body.code);
  requireArtifact('code_configuration.code', code, resolve);
  const script = expectString('code_configuration.scoring_script', body.scoring_script, { nonEmpty: true });
  // The script is looked up inside the code folder; a path leaving it would run something else.
  if (script.startsWith('/') || /^[A-Za-z]:[\\/]/.test(script) || script.split(/[\\/]/).includes('..')) {
    throw invalid('code_configuration.scoring_script', 'a path relative to the code folder, without ..', script);
  }
  return { code, scoring_script: script };
}

const REQUEST_KEYS = new Set(['request_timeout_ms', 'max_concurrent_requests_per_instance', 'max_queue_wait_ms']);

function readRequestSettings(value: unknown, base: RequestSettings): RequestSettings {
  if (value === undefined || value === null) return { ...base };
  const body = expectObject('request_settings', value);
  refuseUnknownKeys(body, REQUEST_KEYS, 'request_settings', 'deployment');
  const f = 'request_settings.';
  return {
    request_timeout_ms: body.request_timeout_ms === undefined ? base.request_timeout_ms
      : expectInteger(`${f}request_timeout_ms`, body.request_timeout_ms, 1, MAX_REQUEST_TIMEOUT_MS),
    max_concurrent_requests_per_instance: body.max_concurrent_requests_per_instance === undefined ? base.max_concurrent_requests_per_instance
      : expectInteger(`${f}max_concurrent_requests_per_instance`, body.max_concurrent_requests_per_instance, 1, 1000),
    max_queue_wait_ms: body.max_queue_wait_ms === undefined ? base.max_queue_wait_ms
      : expectInteger(`${f}max_queue_wait_ms`, body.max_queue_wait_ms, 0, 3_600_000),
  };
}

const PROBE_LIMITS: Record<keyof ProbeSettings, [number, number]> = {
  initial_delay: [0, 3600], period: [1, 3600], timeout: [1, 3600], success_threshold: [1, 1000], failure_threshold: [1, 1000],
};

function readProbe(field: 'liveness_probe' | 'readiness_probe', value: unknown, base: ProbeSettings): ProbeSettings {
  if (value === undefined || value === null) return { ...base };
  const body = expectObject(field, value);
  refuseUnknownKeys(body, new Set(Object.keys(PROBE_LIMITS)), field, 'deployment');
  const out = { ...base };
  for (const key of Object.keys(PROBE_LIMITS) as Array<keyof ProbeSettings>) {
    if (body[key] !== undefined) out[key] = expectInteger(`${field}.${key}`, body[key], ...PROBE_LIMITS[key]);
  }
  return out;
}

const SCALE_KEYS = new Set(['type', 'min_instances', 'max_instances', 'target_utilization_percentage', 'polling_interval']);

function readScaleSettings(value: unknown, base: ScaleSettings): ScaleSettings {
  if (value === undefined || value === null) return { ...base };
  const body = expectObject('scale_settings', value);
  refuseUnknownKeys(body, SCALE_KEYS, 'scale_settings', 'deployment');
  const type = body.type === undefined ? base.type : expectChoice('scale_settings.type', body.type, ['default', 'target_utilization'] as const);
  if (type === 'default') {
    const stray = Object.keys(body).find((k) => k !== 'type');
    if (stray) throw new SwitchyardError('UnknownKey', `scale_settings.${stray} applies only to scale_settings.type target_utilization.`);
    return { type: 'default' };
  }
  const prior = base.type === 'target_utilization' ? base : { type: 'target_utilization' as const, ...DEFAULT_TARGET_UTILIZATION };
  const read = (key: 'min_instances' | 'max_instances' | 'target_utilization_percentage' | 'polling_interval', min: number, max: number) =>
    body[key] === undefined ? prior[key] : expectInteger(`scale_settings.${key}`, body[key], min, max);
  const out: ScaleSettings = {
    type: 'target_utilization',
    min_instances: read('min_instances', 0, MAX_INSTANCES),
    max_instances: read('max_instances', 1, MAX_INSTANCES),
    target_utilization_percentage: read('target_utilization_percentage', 1, 100),
    polling_interval: read('polling_interval', 1, 3600),
  };
  if (out.min_instances > out.max_instances) {
    throw new SwitchyardError('InvalidValue',
      `scale_settings.min_instances (${out.min_instances}) must not exceed scale_settings.max_instances (${out.max_instances}).`);
  }
  return out;
}

function readExtra(body: InputObject, base: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const key of EXTRA_KEYS) {
    if (!(key in body)) continue;
    const value = body[key];
    if (value === null || value === undefined) { delete out[key]; continue; }
    switch (key) {
      case 'app_insights_enabled': out[key] = expectBoolean(key, value); break;
      case 'egress_public_network_access': out[key] = expectChoice(key, value, ['enabled', 'disabled'] as const); break;
      case 'model_mount_path': out[key] = expectString(key, value); break;
      case 'type': out[key] = expectChoice(key, value, ['managed', 'kubernetes'] as const); break;
      default: out[key] = expectObject(key, value);
    }
  }
  // resources.limits.memory is applied to each instance process (see docs/server-settings.md).
  memoryLimitOf(out);
  return out;
}
