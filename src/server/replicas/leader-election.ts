// Exactly one replica leads (runs the reconciler, the rollout controller and, with the local backend,
// the instances): the one whose coordination connection holds a PostgreSQL advisory lock. The others
// try for it every `retryMs` (pg_try_advisory_lock never waits). PostgreSQL frees the lock when the
// session ends: a leader killed (kill -9, machine lost) is replaced within about a second (a second
// plus the server's keepalive timeout when its machine vanished without closing the socket).
//
// A leader that loses its connection stops leading at once (`onDeposed`), keeps its instances for the
// moment, and reconnects: if it gets the lock back it leads again; if another replica leads by then
// (`onOtherLeads`), it must stop them. No consensus of our own: the lock is PostgreSQL's.
import type { Logger } from '../../logger.js';
import { ClusterLink, type Channel } from './cluster-link.js';
import { LEADER_LOCK, LOCK_CLASS, migrateCoordinationTables } from './coordination-tables.js';

export interface ElectionEvents {
  /** The link is (re)connected (before any lock attempt): register, check secrets, reload caches. */
  onConnected(link: ClusterLink): Promise<void>;
  /** Each tick while connected, after the lock attempt (heartbeats). */
  onTick(link: ClusterLink, leading: boolean): Promise<void>;
  /** This replica now holds the lock (starts the leader's work; must not wait for it). */
  onElected(link: ClusterLink): Promise<void>;
  /** This replica lost the lock (its connection). */
  onDeposed(reason: string): void;
  /** Connected, not leading, and the lock is held by another session. */
  onOtherLeads(): void;
  onNotification(channel: Channel, payload: string): void;
}

export interface ElectionOptions {
  url: string;
  logger: Logger;
  events: ElectionEvents;
  /** How often a follower tries for the lock and everyone heartbeats (default 1000 ms). */
  retryMs?: number;
  queryTimeoutMs?: number;
}

export class LeaderElection {
  private link: ClusterLink | null = null;
  private leading = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private lastConnectError = '';

  constructor(private readonly o: ElectionOptions) {}

  /** Connects (throws when PostgreSQL does not answer at start, or onConnected throws). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Starts the ticks: lock attempts and heartbeats, every retryMs, until stop(). */
  run(): void {
    if (!this.ticking && !this.stopped) this.ticking = this.tick();
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The live coordination link, if connected. */
  get current(): ClusterLink | null {
    return this.link?.alive ? this.link : null;
  }

  /** Stops trying; closing the connection releases the lock for the next leader at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking?.catch(() => {});
    const link = this.link;
    this.link = null;
    this.leading = false;
    await link?.close();
  }

  private async connect(): Promise<void> {
    const link = await ClusterLink.open({
      url: this.o.url, logger: this.o.logger,
      ...(this.o.queryTimeoutMs ? { queryTimeoutMs: this.o.queryTimeoutMs } : {}),
      onNotification: (c, p) => this.o.events.onNotification(c, p),
      onLost: () => {
        if (this.link !== link) return;
        this.link = null;
        if (this.leading) {
          this.leading = false;
          this.o.logger.error({ event: 'leadership-lost' }, 'lost the coordination connection: no longer the leader');
          this.o.events.onDeposed('the coordination connection to PostgreSQL was lost');
        }
      },
    });
    try {
      await migrateCoordinationTables(link);
      this.link = link;
      await this.o.events.onConnected(link);
    } catch (e) {
      this.link = null;
      await link.close();
      throw e;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => { this.ticking = this.tick(); }, this.o.retryMs ?? 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      if (this.stopped) return;
      if (!this.link?.alive) {
        try {
          await this.connect();
          this.o.logger.info({ event: 'coordination-connected' }, 'coordination connection to PostgreSQL (re)established');
          this.lastConnectError = '';
        } catch (e) {
          const message = (e as Error).message;
          if (message !== this.lastConnectError) this.o.logger.warn({ err: e }, 'cannot reach PostgreSQL for coordination; retrying every second');
          this.lastConnectError = message;
          return;
        }
      }
      const link = this.link!;
      if (!this.leading) {
        const [row] = await link.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_CLASS, LEADER_LOCK]);
        if (row?.locked && !this.stopped && link === this.link) {
          this.leading = true;
          this.o.logger.info({ event: 'leader-elected' }, 'this replica is now the leader');
          await this.o.events.onElected(link);
        } else if (!row?.locked) {
          this.o.events.onOtherLeads();
        }
      }
      if (link === this.link) await this.o.events.onTick(link, this.leading);
    } catch (e) {
      if (!this.stopped) this.o.logger.warn({ err: e }, 'coordination tick failed');
    } finally {
      this.schedule();
    }
  }
}
