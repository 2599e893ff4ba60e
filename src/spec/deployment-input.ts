// DeploymentInput (REST body: the deployment YAML as JSON after the CLI uploaded local paths) →
// DeploymentSpec. The shape, types, bounds and defaults are schema/deployment.ts; here are only the
// defaults applied, the cross-field rules and the resolution of references (models, environments,
// artifacts). With `base`, the input is a partial update: fields it does not name are kept (settings
// objects merge field by field; maps and references are replaced).
import { SwitchyardError } from '../errors.js';
import type {
  ArtifactInfo, CodeConfiguration, DeploymentSpec, EnvironmentAsset, EnvironmentBinding, ModelAsset, ModelBinding,
  ProbeSettings, RequestSettings, ScaleSettings,
} from './types.js';
import { checkInput } from './schema/check.js';
import { canonicalChoice, defaultsOf } from './schema/fields.js';
import {
  DEPLOYMENT_TYPES, DeploymentInput, DeploymentPatch, EXTRA_KEYS, Probe, RequestSettings as RequestSettingsSchema,
  SCALE_TYPES, ScaleSettings as ScaleSettingsSchema,
} from './schema/deployment.js';
import { MODEL_TYPES } from './schema/model.js';
import { ENVIRONMENT_FIELD_KEYS } from './schema/environment.js';
import { isDigest, parseAssetRef, type AssetRef } from './references.js';
import { memoryLimitOf } from './memory-quantity.js';
import { curatedCondaFile, curatedFamily, parseRegistryEnvironmentRef } from './curated-environments.js';
import { closestInstanceTypes, instanceType } from './instance-types.js';

export { MAX_INSTANCES, MAX_REQUEST_TIMEOUT_MS } from './schema/deployment.js';

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = defaultsOf(RequestSettingsSchema);
export const DEFAULT_PROBE: ProbeSettings = defaultsOf(Probe);
const { type: _scaleType, ...DEFAULT_TARGET_UTILIZATION } = defaultsOf<Required<Extract<ScaleSettings, { type: 'target_utilization' }>>>(ScaleSettingsSchema);
export { DEFAULT_TARGET_UTILIZATION };

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
  /** The endpoint has `compute` (a Kubernetes endpoint): its deployments default to type kubernetes. */
  kubernetes?: boolean;
  resolve: AssetResolver;
}

type Body = DeploymentPatch;

export function normaliseDeploymentInput(input: unknown, ctx: DeploymentContext): DeploymentSpec {
  // A create without a name in the URL is checked as a create (name, instance_count and environment required).
  const patch = ctx.base !== undefined || ctx.name !== undefined;
  if (patch) checkInput(DeploymentPatch, input);
  else checkInput(DeploymentInput, input);
  const body: Body = input;
  const base = ctx.base;

  const name = readDeploymentName(body, ctx);
  if (body.endpoint_name !== undefined && body.endpoint_name !== ctx.endpoint) {
    throw new SwitchyardError('InvalidValue',
      `endpoint_name ${JSON.stringify(body.endpoint_name)} does not match the endpoint in the request (${JSON.stringify(ctx.endpoint)}).`);
  }
  const instanceCount = body.instance_count ?? base?.instance_count ?? missing('instance_count', 'instance_count: 1');
  const environment = body.environment !== undefined ? readEnvironment(body.environment, ctx.resolve)
    : base?.environment ?? missing('environment', 'environment: azureml:<name>:<version>, or an inline {image, conda_file}');

  const spec: DeploymentSpec = {
    name,
    endpoint_name: ctx.endpoint,
    tags: { ...(body.tags ?? base?.tags) },
    environment,
    environment_variables: { ...(body.environment_variables ?? base?.environment_variables) },
    instance_count: instanceCount,
    request_settings: { ...(base?.request_settings ?? DEFAULT_REQUEST_SETTINGS), ...body.request_settings },
    liveness_probe: { ...(base?.liveness_probe ?? DEFAULT_PROBE), ...body.liveness_probe },
    readiness_probe: { ...(base?.readiness_probe ?? DEFAULT_PROBE), ...body.readiness_probe },
    scale_settings: readScaleSettings(body.scale_settings, base?.scale_settings ?? { type: 'default' }),
    extra: readExtra(body, base?.extra ?? {}),
  };

  const description = body.description ?? base?.description;
  if (description !== undefined) spec.description = description;
  const instanceType = readInstanceType(body.instance_type, spec, ctx) ?? base?.instance_type;
  if (instanceType !== undefined) spec.instance_type = instanceType;
  const model = body.model !== undefined ? readModel(body.model, ctx, name) : base?.model;
  if (model) spec.model = model;
  const code = body.code_configuration !== undefined ? readCodeConfiguration(body.code_configuration, ctx.resolve) : base?.code_configuration;
  if (code) spec.code_configuration = code;
  return spec;
}

function readDeploymentName(body: Body, ctx: DeploymentContext): string {
  const fromUrl = ctx.name ?? ctx.base?.name;
  if (fromUrl !== undefined) {
    if (body.name !== undefined && body.name !== fromUrl) {
      throw new SwitchyardError('InvalidValue',
        `name ${JSON.stringify(body.name)} does not match the deployment in the request (${JSON.stringify(fromUrl)}); a deployment cannot be renamed.`);
    }
    return fromUrl;
  }
  return body.name ?? missing('name', 'name: blue');
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

function readModel(value: NonNullable<Body['model']>, ctx: DeploymentContext, deployment: string): ModelBinding {
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
  requireArtifact('model.path', value.path, ctx.resolve);
  return {
    name: value.name ?? `${ctx.endpoint}-${deployment}-model`,
    version: value.version === undefined ? '1' : String(value.version),
    type: canonicalChoice(MODEL_TYPES, value.type ?? 'custom_model'),
    artifact: value.path,
    registered: false,
  };
}

function readEnvironment(value: NonNullable<Body['environment']>, resolve: AssetResolver): EnvironmentBinding {
  if (typeof value === 'string') {
    const curated = parseRegistryEnvironmentRef(value);
    if (curated) {
      const family = curatedFamily(curated);
      return { name: curated.name, version: curated.version, registered: false, curated: value, conda_file: curatedCondaFile(curated, family) };
    }
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
  const binding: EnvironmentBinding = { registered: false };
  for (const key of ENVIRONMENT_FIELD_KEYS) {
    if (value[key] !== undefined) (binding as unknown as Record<string, unknown>)[key] = value[key];
  }
  if (value.name !== undefined) binding.name = value.name;
  if (value.version !== undefined) binding.version = String(value.version);
  return binding;
}

function readCodeConfiguration(value: NonNullable<Body['code_configuration']>, resolve: AssetResolver): CodeConfiguration {
  requireArtifact('code_configuration.code', value.code, resolve);
  return { code: value.code, scoring_script: value.scoring_script };
}

/**
 * A managed deployment runs on an Azure VM size: required at create, one of spec/instance-types.ts
 * (stored in Azure's spelling). A Kubernetes deployment names one of its cluster's instance types: any name.
 */
function readInstanceType(value: string | undefined, spec: DeploymentSpec, ctx: DeploymentContext): string | undefined {
  const type = spec.extra.type ?? (ctx.kubernetes ? 'kubernetes' : 'managed');
  if (type !== 'managed') return value;
  if (value === undefined) {
    if (ctx.base === undefined) {
      throw new SwitchyardError('MissingField',
        'A managed deployment needs instance_type, an Azure VM size (for example instance_type: Standard_DS3_v2; the sizes are listed in docs/compatibility.md, "Instance types").');
    }
    return undefined;
  }
  const known = instanceType(value);
  if (!known) {
    throw new SwitchyardError('InvalidValue',
      `instance_type ${JSON.stringify(value)} is not an Azure VM size Switchyard knows; the closest known are ${closestInstanceTypes(value).join(', ')} (all sizes: docs/compatibility.md, "Instance types").`);
  }
  return known.name;
}

function readScaleSettings(value: Body['scale_settings'], base: ScaleSettings): ScaleSettings {
  if (value === undefined) return { ...base };
  const type = value.type === undefined ? base.type : canonicalChoice(SCALE_TYPES, value.type);
  if (type === 'default') {
    const stray = Object.keys(value).find((k) => k !== 'type');
    if (stray) throw new SwitchyardError('UnknownKey', `scale_settings.${stray} applies only to scale_settings.type target_utilization.`);
    return { type: 'default' };
  }
  const prior = base.type === 'target_utilization' ? base : { type: 'target_utilization' as const, ...DEFAULT_TARGET_UTILIZATION };
  const out: ScaleSettings = {
    type: 'target_utilization',
    min_instances: value.min_instances ?? prior.min_instances,
    max_instances: value.max_instances ?? prior.max_instances,
    target_utilization_percentage: value.target_utilization_percentage ?? prior.target_utilization_percentage,
    polling_interval: value.polling_interval ?? prior.polling_interval,
  };
  if (out.min_instances > out.max_instances) {
    throw new SwitchyardError('InvalidValue',
      `scale_settings.min_instances (${out.min_instances}) must not exceed scale_settings.max_instances (${out.max_instances}).`);
  }
  return out;
}

/** Kept as written (docs/compatibility.md: accepted and kept), canonical spelling for the choices. */
function readExtra(body: Body, base: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const key of EXTRA_KEYS) {
    const value = body[key];
    if (value === undefined) continue;
    if (key === 'type') out[key] = canonicalChoice(DEPLOYMENT_TYPES, value as string);
    else if (key === 'egress_public_network_access') out[key] = canonicalChoice(['enabled', 'disabled'] as const, value as string);
    else out[key] = value;
  }
  // resources.limits.memory is applied to each instance process (see docs/server-settings.md).
  memoryLimitOf(out);
  return out;
}
