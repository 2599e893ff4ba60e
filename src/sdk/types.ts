// Shapes of the REST API of docs/rest-api.md as the SDK sees them: inputs it sends and views it gets.
// Views are the server's own types (src/spec/views.ts); servers may add fields, which pass through.
import type { ArtifactDigest, AuthMode, EnvironmentFields, Operation } from '../spec/types.js';
import type { DeploymentView, EndpointView } from '../spec/views.js';

export type { ArtifactInfo, AuditEntry, DeniedAttempt, EnvironmentAsset, ModelAsset, Operation } from '../spec/types.js';
export type { DeploymentView, EndpointView };
export type { RolloutView, RolloutStartInput, RolloutState, GateResult, RolloutHistoryEntry } from '../spec/rollout.js';
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

export interface EndpointInput {
  name: string;
  auth_mode?: AuthMode | string;
  description?: string;
  tags?: Record<string, string>;
  traffic?: Record<string, number>;
  mirror_traffic?: Record<string, number>;
  compute?: string;
  identity?: unknown;
  public_network_access?: string;
}

export interface EndpointPatch {
  traffic?: Record<string, number>;
  mirror_traffic?: Record<string, number>;
  description?: string;
  tags?: Record<string, string>;
  auth_mode?: AuthMode | string;
  public_network_access?: string;
}


/** A model in a deployment: a reference, or an uploaded artifact with optional asset fields. */
export type ModelInput = string | { path: ArtifactDigest; name?: string; version?: string; type?: string };

export type InlineEnvironmentInput = EnvironmentFields;

/** The deployment YAML as JSON after the CLI uploaded local paths (digests in place of paths). */
export interface DeploymentInput {
  name: string;
  endpoint_name?: string;
  model?: ModelInput;
  code_configuration?: { code: ArtifactDigest; scoring_script: string };
  environment?: string | InlineEnvironmentInput;
  environment_variables?: Record<string, string>;
  instance_type?: string;
  instance_count?: number;
  [key: string]: unknown;
}

export type DeploymentPatch = Partial<DeploymentInput>;


export interface ModelCreateInput {
  name: string;
  version?: string;
  path: ArtifactDigest;
  type?: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface EnvironmentCreateInput extends InlineEnvironmentInput {
  name: string;
  version?: string;
  description?: string;
  tags?: Record<string, string>;
}

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


export type AccessRole = 'Owner' | 'Contributor' | 'Reader';

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
