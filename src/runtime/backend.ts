// The runtime backend interface. The local backend runs instances as child processes; a Kubernetes
// backend will implement the same interface with Deployments and Services. Nothing above this
// interface knows which backend runs the instances.
import type { InstanceView, ProbeSettings, EnvironmentBinding } from '../spec/types.js';

/** Everything a backend needs to run one deployment's instances. Paths are absolute, on the server. */
export interface DeploymentTemplate {
  endpoint: string;
  deployment: string;
  /** Hash of model, code, environment and variables: a change means a rolling update. */
  revision: string;
  instanceCount: number;
  /** Extracted artifact folder of the model and how to lay it out under AZUREML_MODEL_DIR. */
  model?: { dir: string; kind: 'dir' | 'file'; name: string; assetName: string; assetVersion: string; digest: string };
  code?: { dir: string; scoringScript: string; digest: string };
  environment: EnvironmentBinding;
  env: Record<string, string>;
  liveness: ProbeSettings;
  readiness: ProbeSettings;
  requestTimeoutMs: number;
  maxConcurrentPerInstance: number;
  /** Per-process memory limit in bytes (`resources.limits.memory`): RLIMIT_AS for Python, V8's heap for Node. */
  memoryLimitBytes?: number;
  /** `instance_type` as stored (a Kubernetes backend maps a known size to requests and limits). */
  instanceType?: string;
  /** `resources` as written (Kubernetes-style requests/limits), for a backend that applies them. */
  resources?: Record<string, unknown>;
}

/** An instance as the gateway needs it: its view and the secret it must present (never shown by the API). */
export interface RoutableInstance extends InstanceView {
  /** Sent in `x-switchyard-instance-secret`; the instance refuses requests without it. */
  secret?: string;
}

export interface EnsureResult {
  ok: boolean;
  /** On failure: a stable reason code (EnvironmentUnsatisfied, InitFailed, InstanceFailed) and message. */
  reason?: string;
  message?: string;
}

export interface ReadLogsOptions {
  container: 'inference-server' | 'storage-initializer';
  lines: number;
}

export interface BackendEvents {
  /** An instance of this deployment changed state (ready, unhealthy, stopped ...). */
  onInstancesChanged(endpoint: string, deployment: string): void;
}

/**
 * Waits until the gateway no longer routes to these instance URLs (the snapshot that drops them is in
 * force) and has no request in flight on them; the backend calls it before stopping an instance.
 */
export type Drainer = (urls: string[], timeoutMs: number) => Promise<void>;

export type CpuPriority = 'normal' | 'idle';

export interface RuntimeBackend {
  /**
   * Drive the deployment's instance set towards the template: start, scale, or roll to a new revision
   * (new instances first, old ones drained then stopped). Idempotent. Resolves when every instance of
   * the template's revision is Ready (ok) or the new revision failed (old instances keep serving).
   */
  ensure(template: DeploymentTemplate): Promise<EnsureResult>;
  /** The live instances of a deployment (all revisions), for `show` and routing snapshots. */
  instances(endpoint: string, deployment: string): InstanceView[];
  /** The same instances with their gateway secrets, for routing snapshots only (a backend without secrets omits it). */
  routable?(endpoint: string, deployment: string): RoutableInstance[];
  /** Drain and stop every instance of the deployment and forget it. Idempotent. */
  remove(endpoint: string, deployment: string): Promise<void>;
  readLogs(endpoint: string, deployment: string, options: ReadLogsOptions): Promise<string>;
  /**
   * Optional: the CPU priority of a deployment's instances, current and future. 'idle' for deployments
   * that only receive mirror/shadow copies, so they yield to live work when the machine is saturated.
   */
  setCpuPriority?(endpoint: string, deployment: string, priority: CpuPriority): void;
  /** On server start: stop or adopt processes left by an earlier server (after kill -9). */
  recover(): Promise<void>;
  /** Stop everything (server shutdown). */
  shutdown(): Promise<void>;
}
