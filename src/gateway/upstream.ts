// One upstream per instance URL: its keep-alive connections (an undici Pool), the requests outstanding
// on it, and a short "refused a connection" mark. Upstreams outlive snapshots: a URL present in the
// next snapshot keeps its connections and its outstanding count (so the per-instance limit holds across
// a swap); a URL that disappears is closed once its last request finishes.
import { Pool } from 'undici';

/** How long an instance that refused a connection is tried only as a last resort. */
const REFUSED_COOL_DOWN_MS = 1000;

export class Upstream {
  readonly dispatcher: Pool;
  /** Requests dispatched and not yet finished (live or mirror, depending on the registry). */
  outstanding = 0;
  /** Pools (or mirror lanes) that list this URL; 0 = the URL left the snapshot. */
  refs = 0;
  /** Until when this instance counts as down (connection refused). */
  downUntil = 0;
  closed = false;

  constructor(readonly url: string, private readonly registry: UpstreamRegistry) {
    this.dispatcher = new Pool(url, {
      // The gateway's own per-instance limit bounds concurrency, so undici never needs more
      // connections than that; no pipelining: a slow request must not hold up the next one.
      connections: null,
      pipelining: 1,
      // The gateway enforces request_timeout_ms itself (one timer, 408); undici's own timers would
      // race it with other errors.
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: 5_000 },
    });
    // Connection errors surface on the request's handler; the pool's own event would be an
    // unhandled 'error' otherwise on some paths.
    this.dispatcher.on('connectionError', () => {});
  }

  isDown(now: number): boolean {
    return this.downUntil > now;
  }

  markRefused(now: number): void {
    this.downUntil = now + REFUSED_COOL_DOWN_MS;
  }

  /** A request on this upstream finished. */
  done(): void {
    this.outstanding--;
    if (this.refs === 0 && this.outstanding === 0) this.registry.retire(this);
  }
}

export class UpstreamRegistry {
  private readonly byUrl = new Map<string, Upstream>();

  /** Takes a reference on the upstream of `url`, creating it (and its connection pool) if needed. */
  ref(url: string): Upstream {
    let u = this.byUrl.get(url);
    if (u === undefined || u.closed) {
      u = new Upstream(url, this);
      this.byUrl.set(url, u);
    }
    u.refs++;
    return u;
  }

  unref(u: Upstream): void {
    u.refs--;
    if (u.refs === 0 && u.outstanding === 0) this.retire(u);
  }

  /** Closes the connections of an upstream nobody lists and nothing runs on. */
  retire(u: Upstream): void {
    if (u.closed) return;
    u.closed = true;
    if (this.byUrl.get(u.url) === u) this.byUrl.delete(u.url);
    u.dispatcher.close().catch(() => {});
  }

  /** True while `url` is still listed by a pool or has requests outstanding. */
  busy(url: string): boolean {
    const u = this.byUrl.get(url);
    return u !== undefined && !u.closed && (u.refs > 0 || u.outstanding > 0);
  }

  outstandingOn(url: string): number {
    return this.byUrl.get(url)?.outstanding ?? 0;
  }

  async closeAll(): Promise<void> {
    const all = [...this.byUrl.values()];
    this.byUrl.clear();
    await Promise.all(all.map((u) => { u.closed = true; return u.dispatcher.close().catch(() => {}); }));
  }
}
