// What `show` prints: stored records → EndpointView / DeploymentView of docs/rest-api.md, with the
// read-only fields Azure ML shows (id, kind, location, provisioning_state, uris, properties).
import type { DeploymentSpec, InstanceView } from '../spec/types.js';
import type { DeploymentView, EndpointView } from '../spec/views.js';
import type { DeploymentRecord, EndpointRecord } from '../store/store.js';
import { trafficView } from '../spec/traffic.js';
import { formatAssetRef } from '../spec/references.js';
import { deploymentMemoryLimit } from '../spec/memory-quantity.js';

const ARM_PREFIX = '/subscriptions/local/resourceGroups/local/providers/Microsoft.MachineLearningServices/workspaces/local';

export type { DeploymentView, EndpointView } from '../spec/views.js';

export function endpointView(rec: EndpointRecord, deploymentNames: readonly string[], gatewayUrl: string): EndpointView {
  const spec = rec.spec;
  const id = `${ARM_PREFIX}/onlineEndpoints/${spec.name}`;
  const base = `${gatewayUrl}/endpoints/${encodeURIComponent(spec.name)}`;
  return {
    ...spec,
    traffic: trafficView(spec.traffic, spec.mirror_traffic, deploymentNames),
    id,
    kind: spec.compute ? 'K8S' : 'Managed',
    location: 'local',
    provisioning_state: rec.provisioning_state,
    scoring_uri: `${base}/score`,
    openapi_uri: `${base}/swagger.json`,
    properties: { createdAt: rec.created_at, lastModifiedAt: rec.updated_at, 'azureml.onlineendpointid': id },
  };
}

/**
 * The deployment as `show` prints it: a registered model or environment as `azureml:name:version`
 * (an inline model too, by its bound name, so the output can be fed back), extra keys at the top level
 * as the user wrote them, plus status.
 */
export function deploymentView(rec: DeploymentRecord, instances: readonly InstanceView[], endpointCompute?: string): DeploymentView {
  const { model, environment, extra, ...rest } = rec.spec;
  const env = environment.curated ?? (environment.registered && environment.name && environment.version
    ? formatAssetRef(environment.name, environment.version)
    : withoutRegistered(environment));
  const type = extra.type === 'kubernetes' || (extra.type === undefined && endpointCompute) ? 'kubernetes' : 'managed';
  const view: DeploymentView = {
    ...extra,
    ...rest,
    environment: env,
    id: `${ARM_PREFIX}/onlineEndpoints/${rec.spec.endpoint_name}/deployments/${rec.spec.name}`,
    type,
    provisioning_state: rec.provisioning_state,
    creation_context: { created_at: rec.created_at, last_modified_at: rec.updated_at },
    instances: [...instances],
    conditions: rec.conditions,
  };
  if (model) view.model = formatAssetRef(model.name, model.version);
  const memory = deploymentMemoryLimit(rec.spec);
  if (memory) view.memory_limit = memory.quantity;
  if (rec.error) view.error = rec.error;
  return view;
}

function withoutRegistered(environment: DeploymentSpec['environment']): Record<string, unknown> {
  const { registered: _registered, ...rest } = environment;
  return rest;
}
