import { Type } from '@sinclair/typebox';
import { StringMap } from './common.js';
import { Operation } from './operation.js';
import { environmentFields } from './asset.js';

const Probe = Type.Object({
  initial_delay: Type.Optional(Type.Integer({ description: 'seconds (default 10)' })),
  period: Type.Optional(Type.Integer({ description: 'seconds (default 10)' })),
  timeout: Type.Optional(Type.Integer({ description: 'seconds (default 2)' })),
  success_threshold: Type.Optional(Type.Integer({ description: 'default 1' })),
  failure_threshold: Type.Optional(Type.Integer({ description: 'default 30' })),
});

const RequestSettings = Type.Object({
  request_timeout_ms: Type.Optional(Type.Integer({ description: '1..180000 (default 5000)' })),
  max_concurrent_requests_per_instance: Type.Optional(Type.Integer({ description: 'default 1' })),
  max_queue_wait_ms: Type.Optional(Type.Integer({ description: 'deprecated, kept (default 500)' })),
});

const ScaleSettings = Type.Object({
  type: Type.Optional(Type.String({ description: 'default or target_utilization' })),
  min_instances: Type.Optional(Type.Integer()),
  max_instances: Type.Optional(Type.Integer()),
  target_utilization_percentage: Type.Optional(Type.Integer()),
  polling_interval: Type.Optional(Type.Integer()),
});

const InlineModel = Type.Object({
  path: Type.String({ description: 'Digest of the uploaded model folder or file' }),
  name: Type.Optional(Type.String()),
  version: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  type: Type.Optional(Type.String()),
});

const InlineEnvironment = Type.Object({
  name: Type.Optional(Type.String()),
  version: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  ...environmentFields,
});

const deploymentFields = {
  $schema: Type.Optional(Type.String()),
  endpoint_name: Type.Optional(Type.String({ description: 'Must match the endpoint in the URL' })),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap),
  model: Type.Optional(Type.Union([
    Type.String({ description: 'azureml:<name>:<version>, azureml:<name>@latest, or an artifact digest' }),
    InlineModel,
  ])),
  code_configuration: Type.Optional(Type.Object({
    code: Type.String({ description: 'Digest of the uploaded code folder' }),
    scoring_script: Type.String({ description: 'Path relative to the code folder' }),
  })),
  environment: Type.Optional(Type.Union([
    Type.String({ description: 'azureml:<name>:<version> or azureml:<name>@latest' }),
    InlineEnvironment,
  ])),
  environment_variables: Type.Optional(StringMap),
  instance_type: Type.Optional(Type.String()),
  instance_count: Type.Optional(Type.Integer({ description: '1..50; required at create' })),
  request_settings: Type.Optional(RequestSettings),
  liveness_probe: Type.Optional(Probe),
  readiness_probe: Type.Optional(Probe),
  scale_settings: Type.Optional(ScaleSettings),
  app_insights_enabled: Type.Optional(Type.Boolean()),
  egress_public_network_access: Type.Optional(Type.String()),
  data_collector: Type.Optional(Type.Unknown()),
  resources: Type.Optional(Type.Unknown()),
  model_mount_path: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ description: 'managed or kubernetes' })),
};

/** Unknown keys are refused by the normaliser (UnknownKey, naming the key); read-only `show` fields are ignored. */
export const DeploymentInput = Type.Object({
  name: Type.String({ description: "3-32 characters: letters, digits and '-', starting with a letter, not ending with '-'" }),
  ...deploymentFields,
});

export const DeploymentPatch = Type.Object({
  name: Type.Optional(Type.String({ description: 'Must match the URL' })),
  ...deploymentFields,
}, { description: 'Fields not named are kept; settings objects merge field by field; maps and references are replaced' });

const Instance = Type.Object({
  name: Type.String(),
  state: Type.String(),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  restarts: Type.Integer(),
  started_at: Type.String(),
  revision: Type.String(),
});

const Condition = Type.Object({
  type: Type.String(),
  status: Type.String(),
  reason: Type.String(),
  message: Type.String(),
  last_transition_time: Type.String(),
});

export const DeploymentView = Type.Object({
  name: Type.String(),
  endpoint_name: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap,
  model: Type.Optional(Type.String({ description: 'azureml:<name>:<version>' })),
  code_configuration: Type.Optional(Type.Object({ code: Type.String(), scoring_script: Type.String() })),
  environment: Type.Unknown({ description: 'azureml:<name>:<version> when registered, else the inline environment' }),
  environment_variables: StringMap,
  instance_type: Type.Optional(Type.String()),
  instance_count: Type.Integer(),
  request_settings: Type.Object({
    request_timeout_ms: Type.Integer(), max_concurrent_requests_per_instance: Type.Integer(), max_queue_wait_ms: Type.Integer(),
  }),
  liveness_probe: Probe,
  readiness_probe: Probe,
  scale_settings: ScaleSettings,
  id: Type.String(),
  type: Type.String({ description: 'managed or kubernetes' }),
  provisioning_state: Type.String({ description: 'Creating, Updating, Deleting, Succeeded, Failed' }),
  creation_context: Type.Object({ created_at: Type.String(), last_modified_at: Type.String() }),
  instances: Type.Array(Instance),
  conditions: Type.Array(Condition),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
}, { additionalProperties: true, description: 'Kept extra keys (app_insights_enabled, resources, ...) appear at the top level' });

export const DeploymentAccepted = Type.Object({ operation: Operation, deployment: DeploymentView });

export const LogsQuery = Type.Object({
  lines: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'default 5000' })),
  container: Type.Optional(Type.Union([Type.Literal('inference-server'), Type.Literal('storage-initializer')])),
});
