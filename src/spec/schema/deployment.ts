// The deployment resource: what create and update take (REST body, YAML file, SDK input) and what `show`
// prints. One source: the REST validation, the OpenAPI document, the YAML key check, the SDK's types and
// spec/deployment-input.ts (defaults, cross-field rules and references only) all come from here. The
// bounds and defaults are Azure's (docs/compatibility.md, "Deployments").
import { Type, type Static, type TObject } from '@sinclair/typebox';
import {
  AnyMap, AssetVersion, Choice, Digest, Int, Literals, PROVISIONING_STATES, ReadOnly, ResourceName, SchemaHint, StringMap,
} from './fields.js';
import { InlineModel } from './model.js';
import { environmentFields } from './environment.js';

export const MAX_INSTANCES = 50;
export const MAX_REQUEST_TIMEOUT_MS = 180_000;

export const RequestSettings = Type.Object({
  request_timeout_ms: Type.Optional(Int(1, MAX_REQUEST_TIMEOUT_MS, { default: 5000, description: 'Milliseconds a scoring request may take' })),
  max_concurrent_requests_per_instance: Type.Optional(Int(1, 1000, { default: 1 })),
  max_queue_wait_ms: Type.Optional(Int(0, 3_600_000, { default: 500, description: 'Deprecated on Azure; kept' })),
}, { additionalProperties: false });

export const Probe = Type.Object({
  initial_delay: Type.Optional(Int(0, 3600, { default: 10, description: 'seconds' })),
  period: Type.Optional(Int(1, 3600, { default: 10, description: 'seconds' })),
  timeout: Type.Optional(Int(1, 3600, { default: 2, description: 'seconds' })),
  success_threshold: Type.Optional(Int(1, 1000, { default: 1 })),
  failure_threshold: Type.Optional(Int(1, 1000, { default: 30 })),
}, { additionalProperties: false });

export const SCALE_TYPES = ['default', 'target_utilization'] as const;
export const ScaleSettings = Type.Object({
  type: Type.Optional(Choice(SCALE_TYPES, { default: 'default' })),
  min_instances: Type.Optional(Int(0, MAX_INSTANCES, { default: 1, description: 'target_utilization only' })),
  max_instances: Type.Optional(Int(1, MAX_INSTANCES, { default: 1, description: 'target_utilization only' })),
  target_utilization_percentage: Type.Optional(Int(1, 100, { default: 70, description: 'target_utilization only' })),
  polling_interval: Type.Optional(Int(1, 3600, { default: 1, description: 'seconds; target_utilization only' })),
}, { additionalProperties: false });

export const CodeConfiguration = Type.Object({
  code: Digest({ description: 'Digest of the uploaded code folder' }),
  // Looked up inside the code folder; a path leaving it would run something else.
  scoring_script: Type.String({
    minLength: 1, pattern: '^(?![\\\\/])(?![A-Za-z]:[\\\\/])(?!(?:.*[\\\\/])?\\.\\.(?:[\\\\/]|$)).+$',
    description: 'Path relative to the code folder, without ..', 'x-expected': 'a path relative to the code folder, without ..',
  }),
}, { additionalProperties: false });

const InlineEnvironment = Type.Object({
  $schema: SchemaHint(),
  name: Type.Optional(Type.String()),
  version: Type.Optional(AssetVersion()),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap()),
  ...environmentFields,
}, { additionalProperties: false });

export const DEPLOYMENT_TYPES = ['managed', 'kubernetes'] as const;

const deploymentFields = {
  $schema: SchemaHint(),
  name: ResourceName('deployment', { examples: ['blue'] }),
  endpoint_name: Type.Optional(Type.String({ description: 'Must match the endpoint in the URL' })),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap()),
  model: Type.Optional(Type.Union([
    Type.String({ format: 'model-reference', description: 'azureml:<name>:<version>, azureml:<name>@latest, or an artifact digest' }),
    InlineModel,
  ], { 'x-expected': 'azureml:<name>:<version>, azureml:<name>@latest, an artifact digest, or an inline {path, name, version, type}' })),
  code_configuration: Type.Optional(CodeConfiguration),
  environment: Type.Union([
    Type.String({ format: 'environment-reference', description: 'azureml:<name>:<version> or azureml:<name>@latest' }),
    InlineEnvironment,
  ], { examples: ['azureml:sklearn-env:1'], 'x-expected': 'azureml:<name>:<version>, azureml:<name>@latest, or an inline {image, conda_file, ...}' }),
  environment_variables: Type.Optional(StringMap()),
  instance_type: Type.Optional(Type.String({ description: 'An Azure VM size (required for managed deployments)' })),
  instance_count: Int(1, MAX_INSTANCES, { examples: [1], description: 'Instances to run' }),
  request_settings: Type.Optional(RequestSettings),
  liveness_probe: Type.Optional(Probe),
  readiness_probe: Type.Optional(Probe),
  scale_settings: Type.Optional(ScaleSettings),
  // Accepted and kept as written (spec `extra`), shown at the top level.
  app_insights_enabled: Type.Optional(Type.Boolean()),
  egress_public_network_access: Type.Optional(Choice(['enabled', 'disabled'] as const)),
  data_collector: Type.Optional(AnyMap()),
  resources: Type.Optional(AnyMap({ description: 'Kubernetes-style requests/limits; limits.memory caps each instance' })),
  model_mount_path: Type.Optional(Type.String()),
  type: Type.Optional(Choice(DEPLOYMENT_TYPES, { description: 'managed (default) or kubernetes (default when the endpoint has compute)' })),
  // Printed by show; accepted and ignored so show output can be fed back.
  id: ReadOnly(), provisioning_state: ReadOnly(), creation_context: ReadOnly(), instances: ReadOnly(), conditions: ReadOnly(), error: ReadOnly(),
  memory_limit: ReadOnly(),
};

/** Keys kept in the spec's `extra` as given. */
export const EXTRA_KEYS = ['app_insights_enabled', 'egress_public_network_access', 'data_collector', 'resources', 'model_mount_path', 'type'] as const;

/** POST /api/v1/endpoints/:endpoint/deployments, `online-deployment create -f`. */
export const DeploymentInput = Type.Object(deploymentFields, {
  title: 'deployment', additionalProperties: false,
});
export type DeploymentInput = Static<typeof DeploymentInput>;

/** PATCH .../deployments/:name, `online-deployment update`. */
export const DeploymentPatch = Type.Object({
  ...deploymentFields,
  name: Type.Optional(Type.String({ description: 'Must match the URL' })),
  instance_count: Type.Optional(deploymentFields.instance_count),
  environment: Type.Optional(deploymentFields.environment),
}, {
  title: 'deployment update', additionalProperties: false,
  description: 'Fields not named are kept; settings objects merge field by field; maps and references are replaced',
});
export type DeploymentPatch = Static<typeof DeploymentPatch>;

export const Instance = Type.Object({
  name: Type.String(),
  state: Literals(['Starting', 'Ready', 'Unhealthy', 'Stopping', 'Failed'] as const),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  restarts: Type.Integer(),
  started_at: Type.String(),
  revision: Type.String({ description: 'The deployment revision this instance runs (changes on a rolling update)' }),
  node: Type.Optional(Type.String({ description: 'Kubernetes backend: the node the pod runs on (extension)' })),
});

export const Condition = Type.Object({
  type: Literals(['Ready', 'Progressing', 'Degraded'] as const),
  status: Literals(['True', 'False', 'Unknown'] as const),
  reason: Type.String(),
  message: Type.String(),
  last_transition_time: Type.String(),
});

/** Every field of a settings object, as a view has them (no `default`s: the response serialiser would fill them in). */
const allIntegers = <T extends TObject>(settings: T) =>
  Type.Unsafe<Required<Static<T>>>(Type.Object(Object.fromEntries(Object.keys(settings.properties).map((k) => [k, Type.Integer()]))));
const RequiredProbe = allIntegers(Probe);
const RequiredRequestSettings = allIntegers(RequestSettings);

/** What `show` prints; kept extra keys (app_insights_enabled, resources, ...) appear at the top level too. */
export const DeploymentView = Type.Object({
  name: Type.String(),
  endpoint_name: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap(),
  model: Type.Optional(Type.String({ description: 'azureml:<name>:<version>' })),
  code_configuration: Type.Optional(Type.Object({ code: Type.String(), scoring_script: Type.String() })),
  environment: Type.Union([Type.String(), AnyMap()], { description: 'azureml:<name>:<version> when registered, else the inline environment' }),
  environment_variables: StringMap(),
  instance_type: Type.Optional(Type.String()),
  instance_count: Type.Integer(),
  request_settings: RequiredRequestSettings,
  liveness_probe: RequiredProbe,
  readiness_probe: RequiredProbe,
  // No `default`s in a view: the response serialiser would fill them in.
  scale_settings: Type.Object({
    type: Literals(SCALE_TYPES),
    min_instances: Type.Optional(Type.Integer()),
    max_instances: Type.Optional(Type.Integer()),
    target_utilization_percentage: Type.Optional(Type.Integer()),
    polling_interval: Type.Optional(Type.Integer()),
  }),
  id: Type.String(),
  type: Literals(DEPLOYMENT_TYPES),
  provisioning_state: Literals(PROVISIONING_STATES),
  creation_context: Type.Object({ created_at: Type.String(), last_modified_at: Type.String() }),
  instances: Type.Array(Instance),
  conditions: Type.Array(Condition),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  memory_limit: Type.Optional(Type.String({
    description: 'Extension: the per-instance memory limit in force: resources.limits.memory, else the instance type\'s memory',
  })),
}, { additionalProperties: true });
