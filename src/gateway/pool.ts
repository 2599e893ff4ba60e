// A deployment's pool of ready instances: per-instance concurrency limit, least-outstanding choice
// (pick.ts), a FIFO queue when every instance is at its limit, and the 429 bound
// 2 × maxConcurrentPerInstance × instanceCount on admitted requests (running + queued).
// Pools are keyed by endpoint/deployment and survive snapshot swaps (update() swaps the instance list);
// a pool whose deployment left the snapshot retires and lets go of its instances once idle.
import type { DeploymentRoute } from './snapshot.js';
import { pickInstance, hasUntried } from './pick.js';
import type { DeploymentStats } from './stats.js';
import type { Upstream, UpstreamRegistry } from './upstream.js';

/** A request waiting for an instance. */
export interface Waiter {
  /** Instances this request already tried (connection refused); null on first try. */
  tried: Upstream[] | null;
  /** Called with an instance whose outstanding count has been taken for this request. */
  grant(upstream: Upstream): void;
  /** Called when the pool has no instance left for this request (424). */
  noInstance(): void;
}

export const QUEUED = 'queued' as const;
export const NO_INSTANCE = 'none' as const;

export class DeploymentPool {
  route: DeploymentRoute;
  /** "azureml-model-deployment: <name>\r\n", serialised once (every answer of this deployment carries it). */
  deploymentLine = '';
  instances: Upstream[] = [];
  limit = 1;
  maxInFlight = 2;
  /** Admitted requests of this deployment: reading body, queued or running. */
  inFlight = 0;
  retired = false;
  private readonly queue: Waiter[] = [];
  private rr = 0;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    readonly endpoint: string,
    route: DeploymentRoute,
    private readonly upstreams: UpstreamRegistry,
    readonly stats: DeploymentStats,
  ) {
    this.route = route;
    this.update(route);
  }

  /** Applies a new snapshot's view of the deployment. Instances kept by URL keep their connections. */
  update(route: DeploymentRoute): void {
    this.route = route;
    // Names are validated upstream of the snapshot; control characters are dropped anyway (a header line).
    this.deploymentLine = `azureml-model-deployment: ${route.name.replace(/[\x00-\x1f\x7f]/g, '')}\r\n`;
    this.retired = false;
    this.stats.present = true;
    const next: Upstream[] = [];
    for (const inst of route.instances) next.push(this.upstreams.ref(inst.url, inst.secret));
    const prev = this.instances;
    this.instances = next;
    for (const u of prev) this.upstreams.unref(u);
    this.limit = Math.max(1, Math.floor(route.maxConcurrentPerInstance) || 1);
    const count = Math.max(route.instanceCount | 0, next.length);
    this.maxInFlight = 2 * this.limit * count;
    this.stats.readyInstances = next.length;
    if (next.length === 0) {
      // Nobody left to serve the queue: tell waiters now rather than let them time out as 408s.
      const waiting = this.queue.splice(0);
      this.stats.queued -= waiting.length;
      for (const w of waiting) w.noInstance();
    } else {
      this.pump();
    }
  }

  /** The deployment left the snapshot: finish what runs, then release the instances. */
  retire(): void {
    this.retired = true;
    this.stats.present = false;
    this.stats.readyInstances = 0;
    this.maybeDispose();
  }

  /** Fail-fast admission (429 when false). */
  admit(): boolean {
    if (this.inFlight >= this.maxInFlight) return false;
    this.inFlight++;
    this.stats.inFlight++;
    return true;
  }

  /** An admitted request is over (answered, failed or abandoned). */
  leave(): void {
    this.inFlight--;
    this.stats.inFlight--;
    if (this.retired) this.maybeDispose();
  }

  /**
   * An instance for the waiter now (its outstanding count taken), or QUEUED (grant() follows), or
   * NO_INSTANCE when the pool has no instance this request has not tried.
   */
  acquire(w: Waiter): Upstream | typeof QUEUED | typeof NO_INSTANCE {
    const instances = this.instances;
    if (instances.length === 0 || (w.tried !== null && !hasUntried(instances, w.tried))) return NO_INSTANCE;
    // Earlier waiters go first: a newcomer may not overtake the queue.
    if (this.queue.length === 0) {
      const idx = pickInstance(instances, this.limit, this.rr, Date.now(), w.tried);
      if (idx >= 0) return this.take(idx);
    }
    this.queue.push(w);
    this.stats.queued++;
    return QUEUED;
  }

  /** Removes a waiter that gave up (timeout, client gone). */
  cancel(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.stats.queued--;
    }
  }

  /** A request on `u` finished: free its slot and serve the queue. */
  release(u: Upstream): void {
    u.done();
    if (this.queue.length > 0) this.pump();
  }

  get queueLength(): number {
    return this.queue.length;
  }

  private take(idx: number): Upstream {
    const u = this.instances[idx]!;
    this.rr = idx + 1 === this.instances.length ? 0 : idx + 1;
    u.outstanding++;
    return u;
  }

  private pump(): void {
    // grant() may re-enter (a dispatch failing synchronously releases at once): loop instead of recursing.
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const now = Date.now();
        let i = 0;
        while (i < this.queue.length) {
          const w = this.queue[i]!;
          const idx = pickInstance(this.instances, this.limit, this.rr, now, w.tried);
          if (idx < 0) {
            // Nothing has room for an unrestricted waiter: nothing has room for those behind it either.
            if (w.tried === null) break;
            i++;
            continue;
          }
          this.queue.splice(i, 1);
          this.stats.queued--;
          w.grant(this.take(idx));
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private maybeDispose(): void {
    if (!this.retired || this.inFlight > 0 || this.queue.length > 0) return;
    const prev = this.instances;
    this.instances = [];
    for (const u of prev) this.upstreams.unref(u);
  }
}
