// What `show` prints for endpoints and deployments: the spec plus the read-only fields Azure ML shows
// (id, kind, location, provisioning_state, uris, properties, instances). The control plane builds
// these (control/views.ts) and the SDK reads them: one definition for both sides of the REST API.
import type { Condition, DeploymentSpec, EndpointSpec, InstanceView, ProvisioningState } from './types.js';

export type EndpointView = EndpointSpec & {
  id: string;
  kind: 'Managed' | 'K8S';
  location: 'local';
  provisioning_state: ProvisioningState;
  scoring_uri: string;
  openapi_uri: string;
  properties: { createdAt: string; lastModifiedAt: string; 'azureml.onlineendpointid': string };
};

export type DeploymentView = Omit<DeploymentSpec, 'model' | 'environment' | 'extra'> & {
  model?: string;
  environment: string | Record<string, unknown>;
  id: string;
  type: 'managed' | 'kubernetes';
  provisioning_state: ProvisioningState;
  creation_context: { created_at: string; last_modified_at: string };
  instances: InstanceView[];
  conditions: Condition[];
  error?: { code: string; message: string };
  [extra: string]: unknown;
};
