// One upstream per instance URL: its keep-alive connections (upstream-connection.ts), the requests
// outstanding on it, and a short "refused a connection" mark. Upstreams outlive snapshots: a URL present
// in the next snapshot keeps its connections and its outstanding count (so the per-instance limit holds
// across a swap); a URL that disappears is closed once its last request finishes.
import { UpstreamConnection, type ConnectionOwner, type UpstreamHandler, type UpstreamRequest } from './upstream-connection.js';

/** The header that proves a request comes from the gateway (the instance's secret, from the snapshot). */
export const INSTANCE_SECRET_HEADER = 'x-switchyard-instance-secret';

/** The header line, serialised once per instance (the hot path only appends it). */
const secretLine = (secret: string | undefined): string => (secret ? `${INSTANCE_SECRET_HEADER}: ${secret}\r\n` : '');

/** How long an instance that refused a connection is tried only as a last resort. */
const REFUSED_COOL_DOWN_MS = 1000;

export class Upstream implements ConnectionOwner {
  readonly hostname: string;
  readonly port: number;
  readonly authority: string;
  /** The instance's secret as a header line ('' for none); a restarted instance on the same URL updates it. */
  secretHeader: string;
  /** Requests dispatched and not yet finished (live or mirror, depending on the registry). */
  outstanding = 0;
  /** Pools (or mirror lanes) that list this URL; 0 = the URL left the snapshot. */
  refs = 0;
  /** Until when this instance counts as down (connection refused). */
  downUntil = 0;
  closed = false;
  /** Idle keep-alive connections, most recently used last (reused first: warm, least likely timed out). */
  private readonly idle: UpstreamConnection[] = [];
  private readonly open = new Set<UpstreamConnection>();

  constructor(readonly url: string, private readonly registry: UpstreamRegistry, secret?: string) {
    this.secretHeader = secretLine(secret);
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new TypeError(`instance url '${url}' is not http://`);
    this.hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port === '' ? 80 : Number(u.port);
    this.authority = u.host;
  }

  /** Sends one request on an idle connection, or a new one. */
  dispatch(req: UpstreamRequest, handler: UpstreamHandler): void {
    const now = Date.now();
    let conn: UpstreamConnection | undefined;
    while ((conn = this.idle.pop()) !== undefined) {
      if (conn.usable(now)) break;
      conn.destroy();
    }
    if (conn === undefined) {
      conn = new UpstreamConnection(this);
      this.open.add(conn);
    }
    conn.send(req, handler);
  }

  released(conn: UpstreamConnection, reusable: boolean): void {
    if (!reusable || this.closed) {
      this.open.delete(conn);
      conn.destroy();
      return;
    }
    conn.idleSince = Date.now();
    this.idle.push(conn);
  }

  lost(conn: UpstreamConnection): void {
    this.open.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
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

  /** Closes idle connections now; busy ones close when their response ends. */
  close(): void {
    this.closed = true;
    for (const c of this.idle) c.destroy();
    this.idle.length = 0;
  }

  /** Closes every connection, busy or not (shutdown). */
  destroy(): void {
    this.close();
    for (const c of this.open) c.destroy();
    this.open.clear();
  }

  get connectionCount(): number {
    return this.open.size;
  }
}

export class UpstreamRegistry {
  private readonly byUrl = new Map<string, Upstream>();

  /** Takes a reference on the upstream of `url`, creating it if needed. */
  ref(url: string, secret?: string): Upstream {
    let u = this.byUrl.get(url);
    if (u === undefined || u.closed) {
      u = new Upstream(url, this, secret);
      this.byUrl.set(url, u);
    } else {
      const line = secretLine(secret);
      if (u.secretHeader !== line) u.secretHeader = line;
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
    u.close();
    if (this.byUrl.get(u.url) === u) this.byUrl.delete(u.url);
  }

  /** True while `url` is still listed by a pool or has requests outstanding. */
  busy(url: string): boolean {
    const u = this.byUrl.get(url);
    return u !== undefined && !u.closed && (u.refs > 0 || u.outstanding > 0);
  }

  get(url: string): Upstream | undefined {
    return this.byUrl.get(url);
  }

  closeAll(): void {
    for (const u of this.byUrl.values()) u.destroy();
    this.byUrl.clear();
  }
}
