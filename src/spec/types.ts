// Resource types: what the user asks for (spec), as stored by the control plane and shown by `show`.
// Keys use the snake_case of Azure ML's YAML so that `--query` expressions written for `az ml` work.

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

export type AuthMode = 'key' | 'aml_token';
export type ProvisioningState = 'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed';

export interface EndpointSpec {
  name: string;
  description?: string;
  tags: Record<string, string>;
  auth_mode: AuthMode;
  /** Zero entries are dropped when stored. */
  traffic: Record<string, number>;
  mirror_traffic: Record<string, number>;
  /** Extension: shadows {deployment: 0..100}, any number, live deployments allowed (docs/shadow-evaluation.md). */
  shadow_traffic?: Record<string, number>;
  /** Extension: requests carrying this header stick to one deployment (consistent assignment). */
  sticky_header?: string;
  /** Extension: tolerances of the answer comparison (spec/compare.ts). */
  shadow_compare?: { abs_tolerance?: number; rel_tolerance?: number };
  /** Present for Kubernetes endpoints (kind K8S); kept, not used by the local runtime. */
  compute?: string;
  identity?: unknown;
  public_network_access: 'enabled' | 'disabled';
}

export interface ProbeSettings {
  initial_delay: number;
  period: number;
  timeout: number;
  success_threshold: number;
  failure_threshold: number;
}

export interface RequestSettings {
  request_timeout_ms: number;
  max_concurrent_requests_per_instance: number;
  max_queue_wait_ms: number;
}

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
  type: 'custom_model' | 'mlflow_model' | 'triton_model';
  artifact: ArtifactDigest;
  /** True when the deployment named a registered asset (`azureml:name:version` or `@latest`). */
  registered: boolean;
}

export interface InferenceConfig {
  liveness_route?: { port?: number; path: string };
  readiness_route?: { port?: number; path: string };
  scoring_route?: { port?: number; path: string };
}

/**
 * The fields an environment has, whether registered as an asset or written inline in a deployment.
 * `interpreter` and `command` are Switchyard extensions: the Python interpreter for this environment
 * (default: the server's), and a command that starts a custom scoring server (a "custom container").
 */
export interface EnvironmentFields {
  image?: string;
  /** The conda file's parsed content (the CLI reads the file; a map is accepted inline). */
  conda_file?: Record<string, unknown>;
  build?: { path?: string; dockerfile_path?: string };
  inference_config?: InferenceConfig;
  os_type?: string;
  interpreter?: string;
  command?: string[];
}

/** An environment as bound to a deployment (registered asset resolved, or inline). */
export interface EnvironmentBinding extends EnvironmentFields {
  name?: string;
  version?: string;
  registered: boolean;
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

export interface ModelAsset {
  name: string;
  version: string;
  type: 'custom_model' | 'mlflow_model' | 'triton_model';
  path: ArtifactDigest;
  description?: string;
  tags: Record<string, string>;
  created_at: string;
}

export interface EnvironmentAsset extends EnvironmentFields {
  name: string;
  version: string;
  description?: string;
  tags: Record<string, string>;
  created_at: string;
}

export type InstanceState = 'Starting' | 'Ready' | 'Unhealthy' | 'Stopping' | 'Failed';

export interface InstanceView {
  name: string;
  state: InstanceState;
  pid: number | null;
  url: string | null;
  restarts: number;
  started_at: string;
  /** The deployment revision this instance runs (changes on a rolling update). */
  revision: string;
}

export interface Condition {
  type: 'Ready' | 'Progressing' | 'Degraded';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  last_transition_time: string;
}

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
