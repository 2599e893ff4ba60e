// Shapes of the REST API of docs/rest-api.md as the SDK sees them: inputs it sends and views it gets.
// Views are the server's own types (src/spec/views.ts); servers may add fields, which pass through.
import type { EnvironmentFields, Operation } from '../spec/types.js';
import type { DeploymentView, EndpointView } from '../spec/views.js';
import type { EndpointInput, EndpointPatch } from '../spec/schema/endpoint.js';
import type { DeploymentInput, DeploymentPatch } from '../spec/schema/deployment.js';
import type { ModelInput as ModelAssetInput } from '../spec/schema/model.js';
import type { EnvironmentInput as EnvironmentAssetInput } from '../spec/schema/environment.js';

export type { ArtifactInfo, AuditEntry, DeniedAttempt, EnvironmentAsset, ModelAsset, Operation } from '../spec/types.js';
export type { DeploymentView, EndpointView };
export type { RolloutView, RolloutStartInput, RolloutPolicyInput, RolloutState, GateResult, RolloutHistoryEntry } from '../spec/rollout.js';
export type { ShadowComparison, ComparisonSample } from '../control/comparer.js';

/** GET /api/v1/endpoints/:name/comparison. */
export interface EndpointComparison {
  endpoint: string;
  shadows: import('../control/comparer.js').ShadowComparison[];
}

export interface Health {
  status: 'ok';
  version: string;
}

export interface ListOf<T> {
  value: T[];
}

// The inputs are the resource schemas' types (src/spec/schema/): what the server validates is what
// the SDK's types say.
export type { EndpointInput, EndpointPatch, DeploymentInput, DeploymentPatch };

/** A model in a deployment: a reference, or an uploaded artifact with optional asset fields. */
export type ModelInput = DeploymentInput['model'] & {};

export type InlineEnvironmentInput = EnvironmentFields;

export type ModelCreateInput = ModelAssetInput;
export type EnvironmentCreateInput = EnvironmentAssetInput;

export interface EndpointKeys {
  primaryKey: string;
  secondaryKey: string;
}

export interface EndpointToken {
  accessToken: string;
  expiryTimeUtc: number | string;
  refreshAfterTimeUtc: number | string;
  tokenType: 'Bearer';
}

export type KeyType = 'primary' | 'secondary';

export type LogContainer = 'inference-server' | 'storage-initializer';

/** The 202 answer of a long-running change: the operation and the resource as committed. */
export type EndpointAccepted = { operation: Operation; endpoint?: EndpointView };
export type DeploymentAccepted = { operation: Operation; deployment?: DeploymentView };


export type AccessRole = 'Owner' | 'Contributor' | 'Reader' | 'Switchyard Gateway';

/** A control-plane token without its secret (list, revoke). */
export interface AccessTokenInfo {
  id: string;
  name: string;
  role: AccessRole;
  created_at: string;
  created_by: string;
  revoked_at?: string;
  /** When it stops working; absent: never. */
  expires_at?: string;
}

/** A registered standalone gateway (GET /api/v1/gateways; docs/gateway.md). */
export interface GatewayInfo {
  id: string;
  address: string;
  software_version: string;
  /** The routing snapshot version it serves. */
  acked_version: number;
  /** The newest routing snapshot version published. */
  routing_version: number;
  status: 'InForce' | 'Lagging' | 'Disconnected';
  principal: string;
  registered_at: string;
  last_seen_at: string;
}

/** The answer to token create: the only time the token is shown. */
export type CreatedAccessToken = AccessTokenInfo & { token: string };


/** GET /api/v1/whoami: the caller and what its role allows. */
export interface WhoAmI {
  principal: string;
  role: AccessRole;
  actions: string[];
}

/** POST /api/v1/endpoints/:name/invoke (extension): a request the control plane sends to the scoring URI. */
export interface InvokeInput {
  /** The request body (ignored for swagger.json). */
  body?: string;
  deployment?: string;
  content_type?: string;
  /** `score` (default): POST to the scoring URI; `swagger.json`: GET the deployment's OpenAPI document. */
  path?: 'score' | 'swagger.json';
}

/** What the gateway answered to an invoke, with the latency the control plane measured. */
export interface InvokeAnswer {
  status: number;
  latency_ms: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
}
