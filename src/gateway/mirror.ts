// Mirror copies, Envoy-style: fire-and-forget, sampled upstream of here (route.ts), with their own
// statistics. Each mirror deployment has a lane with its own connections (a separate upstream registry:
// live and mirror never share a socket), its own concurrency bound and a small bounded queue. A copy
// that finds the lane full is dropped and counted; its answer is counted and thrown away. Nothing here
// ever blocks, delays or fails the live request: the copy is handed over on the next turn of the event
// loop, after the live request has been written.
import type { DeploymentRoute } from './snapshot.js';
import { pickInstance } from './pick.js';
import type { DeploymentStats } from './stats.js';
import type { Upstream, UpstreamRegistry } from './upstream.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-connection.js';
import type { Pair } from './pairing.js';
import type { DropReason } from './protocol.js';

/** Upper bound of copies running at once on one lane, whatever the shadow's size. */
const MAX_LANE_CONCURRENCY = 256;
/**
 * The queue absorbs bursts (a shadow of one instance taking one request at a time would otherwise drop
 * copies whenever two live requests arrive together) but stays bounded in count and in bytes held, and
 * a copy older than the deployment's request timeout is dropped when its turn comes.
 */
const MIN_QUEUE = 32;
const QUEUE_PER_SLOT = 8;
const MAX_QUEUE = 1024;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface MirrorCopyRequest extends UpstreamRequest {
  /** Where the shadow's answer goes for comparison (pairing.ts); null when it is not compared. */
  readonly pair: Pair | null;
}

function onCopyTimeout(c: MirrorCopy): void {
  c.timeout();
}

class MirrorCopy implements UpstreamHandler {
  private upstream: Upstream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private abortUpstream: ((err?: Error) => void) | null = null;
  private status = 0;
  private startedAt = 0;
  private finished = false;
  private timedOut = false;

  constructor(readonly lane: MirrorLane, readonly req: MirrorCopyRequest, readonly queuedUntil: number) {}

  send(u: Upstream): void {
    this.upstream = u;
    this.startedAt = performance.now();
    this.timer = setTimeout(onCopyTimeout, this.lane.route.requestTimeoutMs, this);
    u.dispatch(this.req, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.timedOut) abort();
  }

  onHeaders(statusCode: number): boolean {
    if (statusCode >= 200) {
      this.status = statusCode;
      this.req.pair?.onStatus(statusCode);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    // Kept (bounded) only when the answer is compared; otherwise it is dropped.
    if (this.req.pair !== null) this.req.pair.onData(chunk);
    return true;
  }

  onComplete(): void {
    this.finish(this.status >= 200 && this.status < 300);
  }

  onError(): void {
    this.finish(false);
  }

  timeout(): void {
    this.timer = null;
    this.timedOut = true;
    this.status = 0;
    if (this.abortUpstream !== null) this.abortUpstream();
  }

  private finish(ok: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) clearTimeout(this.timer);
    const stats = this.lane.stats;
    if (ok) stats.mirrorCopies.succeeded++;
    else stats.mirrorCopies.failed++;
    const seconds = (performance.now() - this.startedAt) / 1000;
    stats.countMirror(this.timedOut ? 0 : this.status, seconds);
    this.req.pair?.finish(seconds * 1000, this.timedOut ? 'timeout' : this.status === 0 ? 'connection' : null);
    const u = this.upstream!;
    this.upstream = null;
    this.lane.done(u);
  }
}

export class MirrorLane {
  instances: Upstream[] = [];
  limit = 1;
  queueLimit = MIN_QUEUE;
  running = 0;
  private queuedBytes = 0;
  private perInstance = 1;
  private readonly queue: MirrorCopy[] = [];
  private rr = 0;
  retired = false;
  route!: DeploymentRoute;
  /** True while the gateway is too busy for copies (load-shed.ts); they are dropped as 'busy'. */
  shed: (() => boolean) | null = null;

  constructor(route: DeploymentRoute, private readonly upstreams: UpstreamRegistry, readonly stats: DeploymentStats) {
    this.update(route);
  }

  update(route: DeploymentRoute): void {
    this.route = route;
    this.retired = false;
    const next = route.instances.map((i) => this.upstreams.ref(i.url, i.secret));
    const prev = this.instances;
    this.instances = next;
    for (const u of prev) this.upstreams.unref(u);
    this.perInstance = Math.max(1, Math.floor(route.maxConcurrentPerInstance) || 1);
    // What the shadow can take at once; copies beyond it would only queue inside the shadow.
    this.limit = Math.min(MAX_LANE_CONCURRENCY, Math.max(1, this.perInstance * next.length));
    this.queueLimit = Math.min(MAX_QUEUE, Math.max(MIN_QUEUE, QUEUE_PER_SLOT * this.limit));
  }

  retire(): void {
    this.retired = true;
    if (this.running === 0) this.dispose();
  }

  /** Counts a copy that will not be sent, and tells its pair why. */
  drop(req: MirrorCopyRequest, reason: DropReason): void {
    this.stats.countMirrorDrop(reason);
    req.pair?.drop(reason);
  }

  offer(req: MirrorCopyRequest): void {
    const stats = this.stats;
    if (this.retired || this.instances.length === 0) {
      this.drop(req, 'no_instance');
      return;
    }
    if (this.shed !== null && this.shed()) {
      this.drop(req, 'busy');
      return;
    }
    if (this.running < this.limit) {
      const idx = pickInstance(this.instances, this.perInstance, this.rr, Date.now());
      if (idx >= 0) {
        stats.mirrorCopies.sent++;
        this.launch(new MirrorCopy(this, req, 0), idx);
        return;
      }
    }
    const bytes = req.body?.length ?? 0;
    if (this.queue.length >= this.queueLimit || this.queuedBytes + bytes > MAX_QUEUED_BYTES) {
      this.drop(req, 'lane_full');
      return;
    }
    // A copy that waits longer than the deployment's timeout is stale: drop it when its turn comes.
    this.queuedBytes += bytes;
    this.queue.push(new MirrorCopy(this, req, Date.now() + this.route.requestTimeoutMs));
  }

  done(u: Upstream): void {
    u.done();
    this.running--;
    this.stats.mirrorInFlight--;
    const now = Date.now();
    while (this.queue.length > 0 && this.running < this.limit && !this.retired) {
      const idx = pickInstance(this.instances, this.perInstance, this.rr, now);
      if (idx < 0) break;
      const c = this.queue.shift()!;
      this.queuedBytes -= c.req.body?.length ?? 0;
      if (c.queuedUntil < now) {
        this.drop(c.req, 'stale');
        continue;
      }
      this.stats.mirrorCopies.sent++;
      this.launch(c, idx);
    }
    if (this.retired && this.running === 0) {
      for (const c of this.queue) this.drop(c.req, 'no_instance');
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.dispose();
    }
  }

  private launch(c: MirrorCopy, idx: number): void {
    const u = this.instances[idx]!;
    this.rr = idx + 1 === this.instances.length ? 0 : idx + 1;
    u.outstanding++;
    this.running++;
    this.stats.mirrorInFlight++;
    c.send(u);
  }

  private dispose(): void {
    const prev = this.instances;
    this.instances = [];
    for (const u of prev) this.upstreams.unref(u);
  }
}

/** Hands copies to lanes on the next turn of the event loop, in batches. */
export class MirrorDispatcher {
  private pending: Array<{ lane: MirrorLane; req: MirrorCopyRequest }> = [];
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const p of batch) p.lane.offer(p.req);
  };

  /** Never throws, never waits: the copy is queued for after the current I/O callbacks. */
  copy(lane: MirrorLane, req: MirrorCopyRequest): void {
    // Bound the hand-over list too: a burst larger than the lane could ever take is dropped here.
    if (this.pending.length >= 4096) {
      lane.drop(req, 'lane_full');
      return;
    }
    this.pending.push({ lane, req });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
}
