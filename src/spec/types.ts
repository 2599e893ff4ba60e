// Resource types: what the user asks for (spec), as stored by the control plane and shown by `show`.
// Keys use the snake_case of Azure ML's YAML so that `--query` expressions written for `az ml` work.
// What a schema declares (src/spec/schema/) is derived from it here, not written twice.
import type { Static } from '@sinclair/typebox';
import type { PROVISIONING_STATES } from './schema/fields.js';
import type { EndpointSpec as EndpointSpecSchema } from './schema/endpoint.js';
import type {
  Condition as ConditionSchema, Instance, Probe, RequestSettings as RequestSettingsSchema,
} from './schema/deployment.js';
import type {
  EnvironmentAsset as EnvironmentAssetSchema, EnvironmentFields as EnvironmentFieldsSchema, InferenceConfig as InferenceConfigSchema,
} from './schema/environment.js';
import type { ModelAsset as ModelAssetSchema, ModelType } from './schema/model.js';

/** A content-addressed artifact uploaded by the CLI: `sha256:<64 hex>`. */
export type ArtifactDigest = string;

export interface ArtifactInfo {
  digest: ArtifactDigest;
  /** 'dir': the archive holds a folder's contents; 'file': it holds one file. */
  kind: 'dir' | 'file';
  /** The original base name (a registered folder keeps its name under AZUREML_MODEL_DIR). */
  name: string;
  size: number;
  files: number;
  created_at: string;
}

export type AuthMode = EndpointSpec['auth_mode'];
export type ProvisioningState = (typeof PROVISIONING_STATES)[number];

/** The endpoint as stored (schema/endpoint.ts): zero traffic entries dropped, defaults applied. */
export type EndpointSpec = Static<typeof EndpointSpecSchema>;

/** Probe and request settings with every default applied (bounds and defaults: schema/deployment.ts). */
export type ProbeSettings = Required<Static<typeof Probe>>;
export type RequestSettings = Required<Static<typeof RequestSettingsSchema>>;

export type ScaleSettings =
  | { type: 'default' }
  | {
      type: 'target_utilization';
      min_instances: number;
      max_instances: number;
      target_utilization_percentage: number;
      polling_interval: number;
    };

/** A model as bound to a deployment, after the server resolved any `azureml:` reference. */
export interface ModelBinding {
  /** Registered asset name and version; anonymous inline models get `<endpoint>-<deployment>-model`. */
  name: string;
  version: string;
  type: ModelType;
  artifact: ArtifactDigest;
  /** True when the deployment named a registered asset (`azureml:name:version` or `@latest`). */
  registered: boolean;
}

export type InferenceConfig = Static<typeof InferenceConfigSchema>;

/** The fields an environment has, registered or inline (schema/environment.ts). */
export type EnvironmentFields = Static<typeof EnvironmentFieldsSchema>;

/** An environment as bound to a deployment (registered asset resolved, or inline). */
export interface EnvironmentBinding extends EnvironmentFields {
  name?: string;
  version?: string;
  registered: boolean;
  /** A curated environment's registry reference as written (its conda_file is the packages it implies). */
  curated?: string;
}

export interface CodeConfiguration {
  code: ArtifactDigest;
  scoring_script: string;
}

export interface DeploymentSpec {
  name: string;
  endpoint_name: string;
  description?: string;
  tags: Record<string, string>;
  model?: ModelBinding;
  code_configuration?: CodeConfiguration;
  environment: EnvironmentBinding;
  environment_variables: Record<string, string>;
  instance_type?: string;
  instance_count: number;
  request_settings: RequestSettings;
  liveness_probe: ProbeSettings;
  readiness_probe: ProbeSettings;
  scale_settings: ScaleSettings;
  /** Accepted and kept: app_insights_enabled, egress_public_network_access, data_collector, resources, model_mount_path. */
  extra: Record<string, unknown>;
}

export type ModelAsset = Static<typeof ModelAssetSchema>;
export type EnvironmentAsset = Static<typeof EnvironmentAssetSchema>;
export type InstanceState = InstanceView['state'];
/** One instance as `show` lists it; `revision` changes on a rolling update. */
export type InstanceView = Static<typeof Instance>;
export type Condition = Static<typeof ConditionSchema>;

export type OperationStatus = 'Running' | 'Succeeded' | 'Failed';

export interface Operation {
  id: string;
  kind:
    | 'endpoint.create' | 'endpoint.update' | 'endpoint.delete'
    | 'deployment.create' | 'deployment.update' | 'deployment.delete';
  endpoint: string;
  deployment?: string;
  status: OperationStatus;
  error?: { code: string; message: string };
  created_at: string;
  ended_at?: string;
}

/** One line of the audit log: who did (or tried) what to which resource, when, and how it ended. */
export interface AuditEntry {
  id: number;
  at: string;
  /** The principal's name; `anonymous` when the request had no valid token. */
  principal: string;
  role: string | null;
  /** The route's action (permissions.ts), or `METHOD /path` for a request that matched no route. */
  action: string;
  /** The resource, e.g. `endpoints/my-ep/deployments/blue` or `tokens/ci`. */
  target: string;
  /** HTTP status of the answer. */
  status: number;
  outcome: 'Succeeded' | 'Denied' | 'Failed';
  /** The error code of a refusal or failure. */
  code: string | null;
}

/**
 * Denied attempts (401/403/429), counted per minute, source address, principal, action and reason;
 * kept apart from AuditEntry (real actions) so that they cannot push real actions out.
 */
export interface DeniedAttempt {
  /** Start of the minute counted (ISO 8601). */
  window: string;
  /** Source address (IPv6 by /64), or `(other)` when too many sources failed at once. */
  source: string;
  /** The principal's name for a 403; `anonymous` without a valid token. */
  principal: string;
  /** The route's action (permissions.ts), or `-` for a path that matched no route. */
  action: string;
  reason: 'missing-token' | 'invalid-token' | 'expired-token' | 'forbidden' | 'rate-limited';
  /** HTTP status of the last answer counted. */
  status: number;
  count: number;
  first_at: string;
  last_at: string;
}
