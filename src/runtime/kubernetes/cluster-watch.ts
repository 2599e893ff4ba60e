// The backend's view of the cluster: the pods and Deployments Switchyard manages in its namespace, kept
// current by the client library's informers (a list, then a watch resumed from the last
// resourceVersion; a 410 Gone makes it list again). One watch per kind for the whole namespace, with the
// label selector of Switchyard's objects; objects are grouped by their endpoint and deployment labels.
// A watch that fails (API server unreachable, 403) is started again after a backoff; until then the last
// known state stands. Every change calls onChange(endpoint, deployment).
import { AppsV1Api, CoreV1Api, ListWatch, Watch, type KubeConfig, type KubernetesObject, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../logger.js';

export interface ClusterWatchOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Selects every object Switchyard manages (`key=value`). */
  selector: string;
  /** The labels naming an object's endpoint and deployment. */
  endpointLabel: string;
  deploymentLabel: string;
  onChange(endpoint: string, deployment: string): void;
  logger: Logger;
  /** First and longest wait before a failed watch is started again. */
  retryMs?: { min: number; max: number };
}

type Watched<T extends KubernetesObject> = ListWatch<T>;

export class ClusterWatch {
  private readonly pods: Watched<V1Pod>;
  private readonly deployments: Watched<V1Deployment>;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly lastError = new Map<string, unknown>();

  constructor(private readonly o: ClusterWatchOptions) {
    const core = o.kubeConfig.makeApiClient(CoreV1Api);
    const apps = o.kubeConfig.makeApiClient(AppsV1Api);
    const ns = encodeURIComponent(o.namespace);
    const watch = new Watch(o.kubeConfig);
    // autoStart false: start() lists and watches.
    this.pods = new ListWatch(`/api/v1/namespaces/${ns}/pods`, watch,
      () => core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.selector }), false, o.selector);
    this.deployments = new ListWatch(`/apis/apps/v1/namespaces/${ns}/deployments`, watch,
      () => apps.listNamespacedDeployment({ namespace: o.namespace, labelSelector: o.selector }), false, o.selector);
    this.wire('pods', this.pods);
    this.wire('deployments', this.deployments);
  }

  private wire<T extends KubernetesObject>(what: string, informer: Watched<T>): void {
    const o = this.o;
    const changed = (obj: T) => this.changed(obj);
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    let failures = 0;
    informer.on('connect', () => { if (failures) o.logger.info({ watch: what }, 'Kubernetes watch reconnecting'); });
    informer.on('error', (err) => {
      if (this.stopped) return;
      this.lastError.set(what, err);
      failures += 1;
      const retry = o.retryMs ?? { min: 500, max: 30_000 };
      const delay = Math.min(retry.max, retry.min * 2 ** Math.min(failures - 1, 10));
      o.logger.warn({ watch: what, err: describe(err), retryInMs: delay }, 'Kubernetes watch failed; starting it again');
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped) void informer.start().then(() => { failures = 0; }, () => undefined);
      }, delay);
      this.timers.add(timer);
    });
  }

  /** Lists both kinds (the first state) and starts watching. Rejects when the first list fails. */
  async start(): Promise<void> {
    this.stopped = false;
    this.lastError.clear();
    await Promise.all([this.pods.start(), this.deployments.start()]);
    // The informer reports a failed list to its error listeners (which retry), not to start()'s caller.
    for (const [what, informer] of [['pods', this.pods], ['deployments', this.deployments]] as const) {
      if (!informer.latestResourceVersion()) {
        await this.stop();
        throw new Error(`listing ${what} failed: ${describe(this.lastError.get(what))}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([this.pods.stop(), this.deployments.stop()]);
  }

  podsOf(endpoint: string, deployment: string): V1Pod[] {
    return this.pods.list(this.o.namespace).filter((p) => this.owns(p, endpoint, deployment))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  deploymentOf(endpoint: string, deployment: string): V1Deployment | undefined {
    return this.deployments.list(this.o.namespace).find((d) => this.owns(d, endpoint, deployment));
  }

  /** Every (endpoint, deployment) with a Deployment or pods in the cluster. */
  keys(): Array<{ endpoint: string; deployment: string }> {
    const seen = new Map<string, { endpoint: string; deployment: string }>();
    for (const obj of [...this.deployments.list(this.o.namespace), ...this.pods.list(this.o.namespace)]) {
      const k = this.keyOf(obj);
      if (k) seen.set(`${k.endpoint}\u0000${k.deployment}`, k);
    }
    return [...seen.values()];
  }

  private owns(obj: KubernetesObject, endpoint: string, deployment: string): boolean {
    const labels = obj.metadata?.labels ?? {};
    return labels[this.o.endpointLabel] === endpoint && labels[this.o.deploymentLabel] === deployment;
  }

  private keyOf(obj: KubernetesObject): { endpoint: string; deployment: string } | null {
    const labels = obj.metadata?.labels ?? {};
    const endpoint = labels[this.o.endpointLabel];
    const deployment = labels[this.o.deploymentLabel];
    return endpoint && deployment ? { endpoint, deployment } : null;
  }

  private changed(obj: KubernetesObject): void {
    const k = this.keyOf(obj);
    if (!k) return;
    try {
      this.o.onChange(k.endpoint, k.deployment);
    } catch (e) {
      this.o.logger.error({ err: e }, 'cluster watch: onChange failed');
    }
  }
}

/** An API error without its request/response dump. */
export function describe(err: unknown): string {
  const e = err as { code?: number; statusCode?: number; body?: unknown; message?: string } | undefined;
  const status = e?.code ?? e?.statusCode;
  let detail = e?.message ?? String(err);
  const body = typeof e?.body === 'string' ? safeParse(e.body) : e?.body;
  if (body && typeof body === 'object' && 'message' in body) detail = String((body as { message: unknown }).message);
  return status && typeof status === 'number' ? `HTTP ${status}: ${detail}` : detail;
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}
