// The Kubernetes runtime backend: every instance is a pod of a Kubernetes Deployment in one namespace.
//
// ensure() applies the deployment's objects (renderManifests: a Secret, a headless Service, a
// Deployment) with server-side apply (idempotent: the same template applies the same objects), then
// waits, on the informers' events, until Kubernetes reports the rollout complete for what was applied
// (the `kubectl rollout status` rule: observedGeneration caught up, every replica updated and available,
// no old replica left) or a pod of the new template cannot come up (podProblem). Kubernetes does the
// rolling itself (maxSurge 20%, maxUnavailable 0: old pods serve until new ones are Ready); a failed
// rollout leaves the old pods serving while Kubernetes keeps retrying the new ones.
// Pods become instances from the watch, not by polling: the pod IPs of Ready pods are what the routing
// snapshots hold, with the deployment's instance secret for the gateway.
// remove() takes the pods out of routing, lets the gateway drain them, deletes the objects and waits
// until the pods are gone. recover() (on start) lists the cluster again: pods keep serving across a
// control-plane restart, and the reconciler's ensure() of every stored deployment finds them in place.
// shutdown() stops watching and leaves the cluster as it is.
import { KubernetesObjectApi, PatchStrategy, CoreV1Api, type KubernetesObject, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../logger.js';
import type { InstanceView } from '../../spec/types.js';
import type { BackendEvents, DeploymentTemplate, Drainer, EnsureResult, ReadLogsOptions, RoutableInstance, RuntimeBackend } from '../backend.js';
import { KeyedSerial } from '../local/keyed-serial.js';
import { mergeTails } from '../local/log-files.js';
import { ClusterWatch, describe } from './cluster-watch.js';
import type { ClusterConnection } from './cluster-connection.js';
import {
  INFERENCE_SERVER, LABEL_DEPLOYMENT, LABEL_ENDPOINT, LABEL_MANAGED_BY, LABEL_REVISION, SCORING_PORT,
  manifestList, objectName, renderManifests, type KubernetesSettings,
} from './manifests.js';
import { podInstance, podProblem, type PodProblem } from './pod-instances.js';
import type { DeploymentCredentials } from '../../control/deployment-credentials.js';

export interface KubernetesBackendOptions {
  cluster: ClusterConnection;
  /** Namespace, host image, control-plane URL as pods reach it (settings.ts). */
  settings: KubernetesSettings;
  credentials: DeploymentCredentials;
  events: BackendEvents;
  drain: Drainer;
  logger: Logger;
  /** A rollout that is not complete after this long fails (Kubernetes keeps trying). Default 10 min. */
  rolloutTimeoutMs?: number;
  /** Restarts of a container before its rollout is reported failed. Default 5, as the local runtime. */
  maxRestarts?: number;
  /** How long remove() waits for the pods to be gone. Default 2 min. */
  removeTimeoutMs?: number;
  /** Re-mint the storage-initializer's credential this often. Default: half its lifetime. */
  credentialRefreshMs?: number;
  /** Backoff of a failed watch (tests). */
  watchRetryMs?: { min: number; max: number };
}

const FIELD_MANAGER = 'switchyard';

interface DeploymentState {
  endpoint: string;
  deployment: string;
  /** The latest template applied by this process (for the credential refresh and drains). */
  template?: DeploymentTemplate;
  /** Artifact digests of the templates applied, newest last (old pods may still need the previous ones). */
  digests: string[][];
  removing: boolean;
  refresh?: NodeJS.Timeout;
}

interface Waiter {
  check(): boolean;
}

const failure = (reason: string, message: string): EnsureResult => ({ ok: false, reason, message });

export class KubernetesBackend implements RuntimeBackend {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly watch: ClusterWatch;
  private readonly serial = new KeyedSerial();
  private readonly states = new Map<string, DeploymentState>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly namespace: string;
  private watching: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: KubernetesBackendOptions) {
    this.namespace = o.settings.namespace;
    this.objects = KubernetesObjectApi.makeApiClient(o.cluster.kubeConfig);
    this.core = o.cluster.kubeConfig.makeApiClient(CoreV1Api);
    this.watch = new ClusterWatch({
      kubeConfig: o.cluster.kubeConfig, namespace: this.namespace,
      selector: `${LABEL_MANAGED_BY}=switchyard`, endpointLabel: LABEL_ENDPOINT, deploymentLabel: LABEL_DEPLOYMENT,
      onChange: (endpoint, deployment) => this.changed(endpoint, deployment),
      logger: o.logger,
      ...(o.watchRetryMs ? { retryMs: o.watchRetryMs } : {}),
    });
  }

  ensure(t: DeploymentTemplate): Promise<EnsureResult> {
    return this.serial.run(keyOf(t.endpoint, t.deployment), () => this.converge(t)).catch((e: unknown) => {
      this.o.logger.error({ err: e, endpoint: t.endpoint, deployment: t.deployment }, 'ensure failed unexpectedly');
      return failure('InstanceFailed', `The Kubernetes runtime failed: ${describe(e)}`);
    });
  }

  instances(endpoint: string, deployment: string): InstanceView[] {
    const removing = this.states.get(keyOf(endpoint, deployment))?.removing === true;
    return this.watch.podsOf(endpoint, deployment).map((pod) => {
      const view = podInstance(pod, portOf(pod), LABEL_REVISION);
      return removing ? { ...view, state: 'Stopping' as const } : view;
    });
  }

  routable(endpoint: string, deployment: string): RoutableInstance[] {
    const secret = this.o.credentials.instanceSecret(endpoint, deployment);
    return this.instances(endpoint, deployment).map((i) => ({ ...i, secret }));
  }

  remove(endpoint: string, deployment: string): Promise<void> {
    const key = keyOf(endpoint, deployment);
    const pending = this.states.get(key);
    if (pending) pending.removing = true;
    this.notify(endpoint, deployment);
    this.wake(key);
    return this.serial.run(key, async () => {
      await this.started();
      const state = this.stateOf(endpoint, deployment);
      state.removing = true;
      if (state.refresh) clearInterval(state.refresh);
      this.notify(endpoint, deployment);
      const urls = this.instances(endpoint, deployment).map((i) => i.url).filter((u): u is string => !!u);
      if (urls.length && !this.closed) {
        try {
          await this.o.drain(urls, state.template?.requestTimeoutMs ?? 5000);
        } catch (e) {
          this.o.logger.warn({ err: e, urls }, 'drain failed; deleting the pods anyway');
        }
      }
      const name = objectName(endpoint, deployment);
      // The Deployment first (its pods go with it), then what its pods used.
      for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'Secret']] as const) {
        try {
          await this.objects.delete({ apiVersion, kind, metadata: { name, namespace: this.namespace } }, undefined, undefined, undefined, undefined, 'Background');
        } catch (e) {
          if (statusOf(e) !== 404) throw new Error(`deleting ${kind} ${name}: ${describe(e)}`);
        }
      }
      const gone = await this.waitUntil(key, () => this.watch.podsOf(endpoint, deployment).length === 0, this.o.removeTimeoutMs ?? 120_000);
      if (!gone) this.o.logger.warn({ endpoint, deployment }, 'pods still terminating after the Deployment was deleted; Kubernetes removes them');
      this.states.delete(key);
      this.o.logger.info({ endpoint, deployment, object: name }, 'Kubernetes objects deleted');
    });
  }

  async readLogs(endpoint: string, deployment: string, options: ReadLogsOptions): Promise<string> {
    await this.started();
    const lines = Math.max(0, Math.floor(options.lines));
    if (lines === 0) return '';
    const pods = this.watch.podsOf(endpoint, deployment);
    const sources = await Promise.all(pods.map(async (pod) => {
      const name = pod.metadata?.name ?? '';
      try {
        const text = await this.core.readNamespacedPodLog({ name, namespace: this.namespace, container: options.container, tailLines: lines, timestamps: true });
        return { source: name, lines: String(text ?? '').split('\n').filter((l) => l !== '') };
      } catch (e) {
        // A container that has not started (or was never created) has no log yet.
        return { source: name, lines: [`${new Date().toISOString()} (no ${options.container} log: ${describe(e)})`] };
      }
    }));
    const out = mergeTails(sources.map((s) => ({ source: s.source, lines: s.lines.map(stampFirst) })), lines);
    return out.length ? `${out.join('\n')}\n` : '';
  }

  /** Lists the cluster (pods and Deployments Switchyard manages) before the reconciler ensures each deployment. */
  async recover(): Promise<void> {
    await this.started();
    const found = this.watch.keys();
    this.o.logger.info({ namespace: this.namespace, deployments: found.length, pods: found.reduce((n, k) => n + this.watch.podsOf(k.endpoint, k.deployment).length, 0) },
      'Kubernetes backend: found the cluster state');
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const s of this.states.values()) if (s.refresh) clearInterval(s.refresh);
    for (const key of this.waiters.keys()) this.wake(key);
    await this.watch.stop();
  }

  // ---------------------------------------------------------------------------------------------

  private started(): Promise<void> {
    this.watching ??= this.watch.start().catch((e: unknown) => {
      this.watching = null;
      throw new Error(`cannot list pods and Deployments in namespace ${this.namespace} at ${this.o.cluster.server}: ${describe(e)}`);
    });
    return this.watching;
  }

  private async converge(t: DeploymentTemplate): Promise<EnsureResult> {
    if (this.closed) return failure('InstanceFailed', 'The server is shutting down.');
    await this.started();
    const key = keyOf(t.endpoint, t.deployment);
    const state = this.stateOf(t.endpoint, t.deployment);
    if (state.removing) return failure('InstanceFailed', 'The deployment is being deleted.');

    let objects: KubernetesObject[];
    const digests = [t.model?.digest, t.code?.digest].filter((d): d is string => !!d);
    if (JSON.stringify(state.digests.at(-1)) !== JSON.stringify(digests)) state.digests = [...state.digests.slice(-1), digests];
    try {
      objects = this.render(t, state) as KubernetesObject[];
    } catch (e) {
      return failure('InstanceFailed', (e as Error).message);
    }
    let applied: V1Deployment | undefined;
    for (const obj of objects) {
      try {
        const result = await this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
        if (obj.kind === 'Deployment') applied = result as V1Deployment;
      } catch (e) {
        return failure('InstanceFailed', `Kubernetes refused the ${obj.kind} ${obj.metadata?.name}: ${describe(e)}`);
      }
    }
    state.template = t;
    this.scheduleRefresh(state);
    const generation = applied?.metadata?.generation ?? 0;
    this.o.logger.info({ endpoint: t.endpoint, deployment: t.deployment, revision: t.revision, replicas: t.instanceCount, generation, namespace: this.namespace },
      'Kubernetes objects applied');

    let outcome: EnsureResult | null = null;
    const done = await this.waitUntil(key, () => {
      if (this.closed) outcome = failure('InstanceFailed', 'The server is shutting down.');
      else if (state.removing) outcome = failure('InstanceFailed', 'The deployment is being deleted.');
      else outcome = this.rolloutOutcome(t, generation);
      return outcome !== null;
    }, this.o.rolloutTimeoutMs ?? 600_000);
    if (!done || !outcome) {
      return failure('InstanceFailed', `The rollout of revision ${t.revision} did not complete in ${Math.round((this.o.rolloutTimeoutMs ?? 600_000) / 1000)} s: ` +
        `${this.summary(t)}. Kubernetes keeps trying; \`kubectl describe pods -l ${LABEL_DEPLOYMENT}=${t.deployment}\` says why.`);
    }
    return outcome;
  }

  /** The objects for this template, with the deployment's instance secret and a fresh storage credential. */
  private render(t: DeploymentTemplate, state: DeploymentState): KubernetesObject[] {
    const fetch = this.o.credentials.mintFetchToken(t.endpoint, t.deployment, [...new Set(state.digests.flat())]);
    return manifestList(renderManifests(t, this.o.settings, {
      instanceSecret: this.o.credentials.instanceSecret(t.endpoint, t.deployment),
      fetchToken: fetch,
    })) as KubernetesObject[];
  }

  /** Complete (ok), failed, or null while Kubernetes is still rolling. */
  private rolloutOutcome(t: DeploymentTemplate, generation: number): EnsureResult | null {
    const dep = this.watch.deploymentOf(t.endpoint, t.deployment);
    const pods = this.watch.podsOf(t.endpoint, t.deployment);
    const fresh = pods.filter((p) => p.metadata?.labels?.[LABEL_REVISION] === t.revision && !p.metadata?.deletionTimestamp);
    let problem: PodProblem | null = null;
    for (const p of fresh) if ((problem = podProblem(p, this.o.maxRestarts ?? 5))) break;
    if (problem) return failure(problem.reason, problem.message);
    if (!dep) return null;
    const progressing = dep.status?.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return failure('InstanceFailed', `Kubernetes gave up on the rollout: ${progressing.message ?? 'progress deadline exceeded'}.`);
    }
    const status = dep.status ?? {};
    if ((status.observedGeneration ?? 0) < generation || (dep.metadata?.generation ?? 0) < generation) return null;
    const want = dep.spec?.replicas ?? t.instanceCount;
    if ((status.updatedReplicas ?? 0) < want) return null;
    if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) return null;
    if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) return null;
    // The informers deliver Deployment and pod events separately: wait until the pods agree too, and
    // until the pods scaled away or replaced are gone (as the local runtime's ensure waits for them to stop).
    const readyFresh = fresh.filter((p) => podInstance(p, portOf(p), LABEL_REVISION).state === 'Ready');
    if (readyFresh.length < want || pods.length > want) return null;
    return { ok: true };
  }

  private summary(t: DeploymentTemplate): string {
    const pods = this.watch.podsOf(t.endpoint, t.deployment);
    if (!pods.length) return 'no pod was created (quota, admission or scheduling: see the Deployment\'s events)';
    return pods.map((p) => {
      const v = podInstance(p, portOf(p), LABEL_REVISION);
      const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].map((s) => s.state?.waiting?.reason).filter(Boolean);
      const unscheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      return `${v.name} ${v.state}${waiting.length ? ` (${waiting.join(', ')})` : ''}${unscheduled ? ` (unschedulable: ${unscheduled.message ?? unscheduled.reason})` : ''}`;
    }).join('; ');
  }

  /** The storage-initializer's credential is short-lived: re-applied with a fresh one while the deployment lives. */
  private scheduleRefresh(state: DeploymentState): void {
    if (state.refresh) return;
    const every = this.o.credentialRefreshMs ?? this.o.credentials.fetchTokenTtlSeconds * 500;
    state.refresh = setInterval(() => {
      const t = state.template;
      if (!t || state.removing || this.closed) return;
      void this.serial.run(keyOf(t.endpoint, t.deployment), async () => {
        if (state.removing || this.closed) return;
        const secret = this.render(t, state).find((o) => o.kind === 'Secret');
        if (!secret) return;
        try {
          await this.objects.patch(secret, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
          this.o.logger.debug({ endpoint: t.endpoint, deployment: t.deployment }, 'storage-initializer credential renewed');
        } catch (e) {
          this.o.logger.warn({ endpoint: t.endpoint, deployment: t.deployment, err: describe(e) }, 'renewing the storage-initializer credential failed; retrying at the next interval');
        }
      });
    }, every);
    state.refresh.unref();
  }

  /** Resolves true once check() holds (re-checked on every change of the deployment), false after timeoutMs. */
  private waitUntil(key: string, check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const waiter: Waiter = {
        check: () => {
          if (!check()) return false;
          finish(true);
          return true;
        },
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        if (!waiters.size && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      waiters.add(waiter);
    });
  }

  private changed(endpoint: string, deployment: string): void {
    this.wake(keyOf(endpoint, deployment));
    this.notify(endpoint, deployment);
  }

  private wake(key: string): void {
    for (const w of [...(this.waiters.get(key) ?? [])]) w.check();
  }

  private stateOf(endpoint: string, deployment: string): DeploymentState {
    const key = keyOf(endpoint, deployment);
    let s = this.states.get(key);
    if (!s) this.states.set(key, (s = { endpoint, deployment, digests: [], removing: false }));
    return s;
  }

  private notify(endpoint: string, deployment: string): void {
    try {
      this.o.events.onInstancesChanged(endpoint, deployment);
    } catch (e) {
      this.o.logger.error({ err: e }, 'onInstancesChanged failed');
    }
  }
}

const keyOf = (endpoint: string, deployment: string): string => `${endpoint}\u0000${deployment}`;

/** The inference-server's `http` port in the pod spec (a custom server's own port), else the hosts' default. */
function portOf(pod: V1Pod): number {
  const c = pod.spec?.containers?.find((x) => x.name === INFERENCE_SERVER);
  return c?.ports?.find((p) => p.name === 'http')?.containerPort ?? c?.ports?.[0]?.containerPort ?? SCORING_PORT;
}

function statusOf(e: unknown): number | undefined {
  const x = e as { code?: unknown; statusCode?: unknown };
  return typeof x?.code === 'number' ? x.code : typeof x?.statusCode === 'number' ? x.statusCode : undefined;
}

/** `2026-01-01T00:00:00.123456789Z text` (kubelet's RFC 3339 timestamps) → the millisecond stamp mergeTails sorts by. */
export function stampFirst(line: string): string {
  const space = line.indexOf(' ');
  const stamp = space > 0 ? line.slice(0, space) : line;
  if (stamp[10] !== 'T') return line;
  const at = new Date(stamp);
  return Number.isNaN(at.getTime()) ? line : `${at.toISOString()} ${space > 0 ? line.slice(space + 1) : ''}`;
}
