// The control plane's store: desired specs, observed status, assets, operations and artifact metadata.
// Synchronous on purpose: a change is committed (and durable) when the call returns, so a route can
// answer 202 knowing a restart will find it. Implementations: sqlite-store.ts (PostgreSQL later).
import type {
  AuditEntry, ArtifactInfo, Condition, DeploymentSpec, EndpointSpec, EnvironmentAsset, ModelAsset, Operation, OperationStatus,
  ProvisioningState,
} from '../spec/types.js';
import type { EndpointKeys } from './credentials.js';
import type { RolloutRecord, RolloutStatus } from '../spec/rollout.js';
import type { EnvironmentContent, ModelContent } from '../spec/asset-input.js';

export interface EndpointRecord {
  spec: EndpointSpec;
  provisioning_state: ProvisioningState;
  keys: EndpointKeys;
  /** Hex secret that signs this endpoint's aml_tokens. */
  token_secret: string;
  /** Bumped on every spec change, so a reconcile can tell it acted on a stale spec. */
  generation: number;
  created_at: string;
  updated_at: string;
}

export interface DeploymentRecord {
  spec: DeploymentSpec;
  provisioning_state: ProvisioningState;
  conditions: Condition[];
  /** Why the last reconcile failed, shown by `show` as `error`. */
  error: { code: string; message: string } | null;
  generation: number;
  created_at: string;
  updated_at: string;
}

export interface EndpointChanges {
  spec?: EndpointSpec;
  provisioning_state?: ProvisioningState;
  keys?: EndpointKeys;
  /** A new aml_token signing secret: tokens signed with the old one stop working. */
  token_secret?: string;
}

export interface DeploymentChanges {
  spec?: DeploymentSpec;
  provisioning_state?: ProvisioningState;
  conditions?: Condition[];
  error?: { code: string; message: string } | null;
}

/** A control-plane access token, as stored: never the token itself, only its sha256. */
export interface AccessTokenRecord {
  id: string;
  /** The principal the token authenticates. */
  name: string;
  role: 'Owner' | 'Contributor' | 'Reader' | 'Switchyard Gateway';
  token_hash: string;
  created_at: string;
  /** Who created it. */
  created_by: string;
  revoked_at: string | null;
  /** When it stops working (ISO 8601); null: never. */
  expires_at?: string | null;
}

/** What a standalone gateway reports when it registers, heartbeats or acknowledges a snapshot. */
export interface GatewayReport {
  /** Chosen by the gateway (`switchyard gateway --id`), unique among the gateways of a store. */
  id: string;
  /** Its scoring URL, as clients reach it. */
  address: string;
  /** The Switchyard version it runs. */
  software_version: string;
  /** The routing snapshot version it serves (0: none yet). */
  acked_version: number;
  /** The principal whose token it used. */
  principal: string;
}

/** A registered standalone gateway, as stored (times ISO 8601, from the replica that heard it). */
export interface GatewayRecord extends GatewayReport {
  registered_at: string;
  last_seen_at: string;
}

export type { AuditEntry, DeniedAttempt } from '../spec/types.js';
import type { DeniedAttempt } from '../spec/types.js';

/** Result of registering an asset: `created` is false when the same content already existed. */
export interface AssetWrite<T> {
  asset: T;
  created: boolean;
}

export interface Store {
  /** Runs `fn` in one transaction: every write in it is committed together, or none is. */
  transaction<T>(fn: () => T): T;

  getEndpoint(name: string): EndpointRecord | undefined;
  listEndpoints(): EndpointRecord[];
  insertEndpoint(name: string, record: Omit<EndpointRecord, 'generation' | 'created_at' | 'updated_at'>): EndpointRecord;
  updateEndpoint(name: string, changes: EndpointChanges): EndpointRecord;
  /** Deletes the endpoint and its deployments. */
  deleteEndpoint(name: string): void;

  getDeployment(endpoint: string, name: string): DeploymentRecord | undefined;
  listDeployments(endpoint?: string): DeploymentRecord[];
  insertDeployment(record: Pick<DeploymentRecord, 'spec' | 'provisioning_state'>): DeploymentRecord;
  updateDeployment(endpoint: string, name: string, changes: DeploymentChanges): DeploymentRecord;
  deleteDeployment(endpoint: string, name: string): void;

  /** `version` may be 'latest' (the most recently registered version). */
  getModel(name: string, version: string): ModelAsset | undefined;
  /** The latest version of each model. */
  listModels(): ModelAsset[];
  listModelVersions(name: string): ModelAsset[];
  /** Registers a model; throws AssetImmutable when name+version exists with other content. */
  createModel(content: ModelContent): AssetWrite<ModelAsset>;

  getEnvironment(name: string, version: string): EnvironmentAsset | undefined;
  listEnvironments(): EnvironmentAsset[];
  listEnvironmentVersions(name: string): EnvironmentAsset[];
  createEnvironment(content: EnvironmentContent): AssetWrite<EnvironmentAsset>;

  insertOperation(op: Operation): void;
  getOperation(id: string): Operation | undefined;
  /** Running operations, of one endpoint or of all. */
  runningOperations(endpoint?: string): Operation[];
  finishOperation(id: string, status: Exclude<OperationStatus, 'Running'>, error?: { code: string; message: string }): Operation;

  getArtifact(digest: string): ArtifactInfo | undefined;
  /** Records an artifact; a second insert of the same digest keeps the first record. */
  insertArtifact(info: ArtifactInfo): ArtifactInfo;

  insertAccessToken(record: Omit<AccessTokenRecord, 'revoked_at'>): AccessTokenRecord;
  /** The token with this hash, revoked or not. */
  findAccessTokenByHash(tokenHash: string): AccessTokenRecord | undefined;
  getAccessToken(id: string): AccessTokenRecord | undefined;
  /** Tokens not revoked, oldest first. */
  listAccessTokens(): AccessTokenRecord[];
  /** Marks it revoked (once); answers the record, or undefined when there is no such token. */
  revokeAccessToken(id: string): AccessTokenRecord | undefined;

  /** Records a rollout (its endpoint must exist); deleting the endpoint deletes its rollouts. */
  insertRollout(record: Omit<RolloutRecord, 'created_at' | 'updated_at'>): RolloutRecord;
  getRolloutById(id: string): RolloutRecord | undefined;
  /** The endpoint's newest rollout, whatever its state. */
  latestRollout(endpoint: string): RolloutRecord | undefined;
  /** Newest first; `active`: only Progressing and Paused ones. */
  listRollouts(options?: { active?: boolean }): RolloutRecord[];
  updateRolloutStatus(id: string, status: RolloutStatus): RolloutRecord;

  insertAudit(entry: Omit<AuditEntry, 'id' | 'at'>): void;
  /** The newest `limit` entries, newest first. */
  listAudit(limit: number): AuditEntry[];
  /** Deletes audit entries older than `before` (ISO 8601); answers how many. */
  pruneAudit(before: string): number;
  /** Adds counts to the denied-attempt aggregates (same key: counts add up). */
  addDeniedAttempts(rows: DeniedAttempt[]): void;
  /** Denied-attempt aggregates, the most recently seen first. */
  listDeniedAttempts(limit: number): DeniedAttempt[];
  /** Deletes aggregates of windows before `before`, then the oldest beyond `maxRows`. */
  pruneDeniedAttempts(before: string, maxRows: number): void;

  /**
   * The next routing snapshot version, shared by every replica of the store: strictly increasing, and at
   * least the clock in milliseconds. A snapshot built after taking version V reflects every change
   * committed before V was taken, so "a gateway acknowledged >= V" means the change is in force there.
   */
  nextRoutingVersion(): number;
  /** Registers a standalone gateway or refreshes it (heartbeat, acknowledgement): last_seen_at is now. */
  recordGateway(gateway: GatewayReport): GatewayRecord;
  /** Every registered standalone gateway, live or not, by id. */
  listGateways(): GatewayRecord[];
  /** Forgets a gateway (it stopped); false when there was none. */
  deleteGateway(id: string): boolean;

  close(): void;
}
