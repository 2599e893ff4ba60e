// The typed client of every route of docs/rest-api.md. One method per route; long-running changes
// return the 202 answer, and waitForOperation() long-polls until the operation ends.
import { SwitchyardError } from '../errors.js';
import type { ArtifactInfo, EnvironmentAsset, ModelAsset, Operation } from '../spec/types.js';
import { Transport, type TransportOptions } from './transport.js';
import { packArtifact } from './upload.js';
import type {
  AccessRole, AccessTokenInfo, GatewayInfo, AuditEntry, CreatedAccessToken, DeniedAttempt, DeploymentAccepted, DeploymentInput, DeploymentPatch, DeploymentView, EndpointAccepted, EndpointInput,
  EndpointComparison, EndpointKeys, EndpointPatch, EndpointToken, EndpointView, EnvironmentCreateInput, Health, InvokeAnswer, InvokeInput, KeyType, ListOf,
  LogContainer, ModelCreateInput, RolloutStartInput, RolloutView, WhoAmI,
} from './types.js';

export type ClientOptions = TransportOptions;

export interface WaitOptions {
  /** Seconds of each long poll (the server caps it at 60). */
  pollSeconds?: number;
  /** Give up after this long (milliseconds); default: no limit. */
  timeoutMs?: number;
  /** Called after every poll that found the operation still running. */
  onPoll?: (operation: Operation) => void | Promise<void>;
  signal?: AbortSignal;
}

const seg = (s: string): string => encodeURIComponent(s);

export class SwitchyardClient {
  private readonly http: Transport;

  constructor(options: ClientOptions) {
    this.http = new Transport(options);
  }

  get url(): string {
    return this.http.url;
  }

  // --- server -------------------------------------------------------------------------------------
  health(): Promise<Health> {
    return this.http.request('/api/v1/health');
  }

  openapi(): Promise<unknown> {
    return this.http.request('/api/v1/openapi.json');
  }

  /** Prometheus text of GET /metrics. */
  prometheusMetrics(): Promise<string> {
    return this.http.request('/metrics', { expect: 'text' });
  }

  /** Who the token belongs to and what its role allows. */
  whoami(): Promise<WhoAmI> {
    return this.http.request('/api/v1/whoami');
  }

  // --- artifacts ----------------------------------------------------------------------------------
  /** Packs a local folder (its contents) or file as tar.gz and uploads it; answers its digest. */
  async uploadArtifact(localPath: string): Promise<ArtifactInfo> {
    const packed = await packArtifact(localPath);
    return this.http.request('/api/v1/artifacts', {
      method: 'POST',
      query: { kind: packed.kind, name: packed.name },
      body: packed.stream,
      contentType: 'application/gzip',
    });
  }

  getArtifact(digest: string): Promise<ArtifactInfo> {
    return this.http.request(`/api/v1/artifacts/${seg(digest)}`);
  }

  // --- models -------------------------------------------------------------------------------------
  createModel(input: ModelCreateInput): Promise<ModelAsset> {
    return this.http.request('/api/v1/models', { method: 'POST', json: input });
  }

  async listModels(): Promise<ModelAsset[]> {
    return (await this.http.request<ListOf<ModelAsset>>('/api/v1/models')).value;
  }

  async listModelVersions(name: string): Promise<ModelAsset[]> {
    return (await this.http.request<ListOf<ModelAsset>>(`/api/v1/models/${seg(name)}/versions`)).value;
  }

  /** `version` may be 'latest'. */
  getModel(name: string, version: string): Promise<ModelAsset> {
    return this.http.request(`/api/v1/models/${seg(name)}/versions/${seg(version)}`);
  }

  // --- environments -------------------------------------------------------------------------------
  createEnvironment(input: EnvironmentCreateInput): Promise<EnvironmentAsset> {
    return this.http.request('/api/v1/environments', { method: 'POST', json: input });
  }

  async listEnvironments(): Promise<EnvironmentAsset[]> {
    return (await this.http.request<ListOf<EnvironmentAsset>>('/api/v1/environments')).value;
  }

  async listEnvironmentVersions(name: string): Promise<EnvironmentAsset[]> {
    return (await this.http.request<ListOf<EnvironmentAsset>>(`/api/v1/environments/${seg(name)}/versions`)).value;
  }

  getEnvironment(name: string, version: string): Promise<EnvironmentAsset> {
    return this.http.request(`/api/v1/environments/${seg(name)}/versions/${seg(version)}`);
  }

  // --- endpoints ----------------------------------------------------------------------------------
  createEndpoint(input: EndpointInput): Promise<EndpointAccepted> {
    return this.http.request('/api/v1/endpoints', { method: 'POST', json: input });
  }

  async listEndpoints(): Promise<EndpointView[]> {
    return (await this.http.request<ListOf<EndpointView>>('/api/v1/endpoints')).value;
  }

  getEndpoint(name: string): Promise<EndpointView> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}`);
  }

  updateEndpoint(name: string, patch: EndpointPatch): Promise<EndpointAccepted> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}`, { method: 'PATCH', json: patch });
  }

  /** Mirrored answers compared with the live ones, per shadow deployment (samples need Contributor). */
  getComparison(name: string, options: { deployment?: string; since?: string } = {}): Promise<EndpointComparison> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}/comparison`, { query: { deployment: options.deployment, since: options.since } });
  }

  deleteEndpoint(name: string): Promise<EndpointAccepted> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}`, { method: 'DELETE' });
  }

  listKeys(name: string): Promise<EndpointKeys> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}/list-keys`, { method: 'POST' });
  }

  /**
   * Key endpoints: replaces that key and answers both keys. aml_token endpoints: replaces the signing
   * secret (every token issued so far stops working) and answers a new token.
   */
  regenerateKeys(name: string, keyType: KeyType): Promise<EndpointKeys | EndpointToken> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}/regenerate-keys`, { method: 'POST', json: { keyType } });
  }

  getToken(name: string): Promise<EndpointToken> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}/token`, { method: 'POST' });
  }

  /** Extension: the control plane sends `input.body` to the scoring URI with the endpoint's credential. */
  invokeEndpoint(name: string, input: InvokeInput): Promise<InvokeAnswer> {
    return this.http.request(`/api/v1/endpoints/${seg(name)}/invoke`, { method: 'POST', json: input });
  }

  // --- deployments --------------------------------------------------------------------------------
  createDeployment(endpoint: string, input: DeploymentInput): Promise<DeploymentAccepted> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments`, { method: 'POST', json: input });
  }

  async listDeployments(endpoint: string): Promise<DeploymentView[]> {
    return (await this.http.request<ListOf<DeploymentView>>(`/api/v1/endpoints/${seg(endpoint)}/deployments`)).value;
  }

  getDeployment(endpoint: string, name: string): Promise<DeploymentView> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}`);
  }

  updateDeployment(endpoint: string, name: string, patch: DeploymentPatch): Promise<DeploymentAccepted> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}`, { method: 'PATCH', json: patch });
  }

  deleteDeployment(endpoint: string, name: string): Promise<DeploymentAccepted> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}`, { method: 'DELETE' });
  }

  getLogs(endpoint: string, name: string, options: { lines?: number; container?: LogContainer } = {}): Promise<string> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}/logs`, {
      query: { lines: options.lines, container: options.container },
      expect: 'text',
    });
  }

  /** Extension: the Kubernetes objects of a deployment, as a v1 List (Secret values left out). */
  getDeploymentManifests(endpoint: string, name: string): Promise<{ apiVersion: 'v1'; kind: 'List'; items: Array<Record<string, unknown>> }> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}/manifests`);
  }

  getDeploymentMetrics(endpoint: string, name: string): Promise<unknown> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/deployments/${seg(name)}/metrics`);
  }

  // --- rollouts (a Switchyard extension: docs/rollout.md) ------------------------------------------
  /** Starts a progressive rollout; answers once its first step is in force. */
  startRollout(endpoint: string, input: RolloutStartInput): Promise<RolloutView> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/rollout`, { method: 'POST', json: input });
  }

  /** The endpoint's newest rollout. */
  getRollout(endpoint: string): Promise<RolloutView> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/rollout`);
  }

  /** pause, resume, abort or promote the endpoint's rollout. */
  rolloutAction(endpoint: string, action: 'pause' | 'resume' | 'abort' | 'promote'): Promise<RolloutView> {
    return this.http.request(`/api/v1/endpoints/${seg(endpoint)}/rollout/${action}`, { method: 'POST' });
  }

  /** Every rollout, newest first. */
  async listRollouts(): Promise<RolloutView[]> {
    return (await this.http.request<ListOf<RolloutView>>('/api/v1/rollouts')).value;
  }

  /**
   * Polls the rollout until it is no longer Progressing (Paused counts as an end: it waits for a
   * person); calls `onUpdate` with every view read. Answers the last view.
   */
  async waitForRollout(endpoint: string, options: { pollMs?: number; timeoutMs?: number; onUpdate?: (r: RolloutView) => void; signal?: AbortSignal } = {}): Promise<RolloutView> {
    const started = Date.now();
    for (;;) {
      const r = await this.getRollout(endpoint);
      options.onUpdate?.(r);
      if (r.status.state !== 'Progressing') return r;
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new SwitchyardError('Timeout', `the rollout of ${r.spec.candidate} on ${endpoint} is still Progressing after ${Math.round((Date.now() - started) / 1000)}s`);
      }
      if (options.signal?.aborted) throw options.signal.reason;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  }

  // --- control-plane tokens and audit (Owner) ---------------------------------------------------
  /** The answer holds the token: the only time the server shows it. */
  /** `expiresInSeconds`: the token's lifetime (60 s to 10 years); without it, it lasts until revoked. */
  createAccessToken(name: string, role: AccessRole | string, expiresInSeconds?: number): Promise<CreatedAccessToken> {
    return this.http.request('/api/v1/tokens', {
      method: 'POST', json: { name, role, ...(expiresInSeconds === undefined ? {} : { expires_in_seconds: expiresInSeconds }) },
    });
  }

  async listAccessTokens(): Promise<AccessTokenInfo[]> {
    return (await this.http.request<ListOf<AccessTokenInfo>>('/api/v1/tokens')).value;
  }

  revokeAccessToken(id: string): Promise<AccessTokenInfo> {
    return this.http.request(`/api/v1/tokens/${seg(id)}`, { method: 'DELETE' });
  }

  /** Registered standalone gateways and whether each serves the newest routing (an extension, docs/gateway.md). */
  async listGateways(): Promise<GatewayInfo[]> {
    return (await this.http.request<ListOf<GatewayInfo>>('/api/v1/gateways')).value;
  }

  /** The newest entries, newest first. */
  async listAudit(limit?: number): Promise<AuditEntry[]> {
    return (await this.http.request<ListOf<AuditEntry>>('/api/v1/audit', { query: { limit } })).value;
  }

  /** Denied attempts (401/403/429), counted per minute, source, principal, action and reason; newest first. */
  async listDeniedAttempts(limit?: number): Promise<DeniedAttempt[]> {
    return (await this.http.request<ListOf<DeniedAttempt>>('/api/v1/audit/denied', { query: { limit } })).value;
  }

  // --- operations ---------------------------------------------------------------------------------
  /** With `waitSeconds`, the server answers when the operation ends or after that long. */
  getOperation(id: string, waitSeconds?: number, signal?: AbortSignal): Promise<Operation> {
    return this.http.request(`/api/v1/operations/${seg(id)}`, { query: { wait: waitSeconds }, signal });
  }

  /** Long-polls an operation until it is no longer Running; answers the ended operation. */
  async waitForOperation(id: string, options: WaitOptions = {}): Promise<Operation> {
    const started = Date.now();
    const poll = Math.max(1, Math.min(60, options.pollSeconds ?? 10));
    for (;;) {
      const op = await this.getOperation(id, poll, options.signal);
      if (op.status !== 'Running') return op;
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new SwitchyardError('Timeout', `operation ${id} (${op.kind}) still running after ${Math.round((Date.now() - started) / 1000)}s`);
      }
      await options.onPoll?.(op);
    }
  }
}
