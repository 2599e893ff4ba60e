// A replica's own connection to PostgreSQL for coordination (not the store's): it holds the leader's
// advisory lock (losing the connection loses the lock), LISTENs for other replicas' notifications and
// writes heartbeats. Server-side TCP keepalives are short on it, so PostgreSQL drops the session (and
// the lock with it) within seconds of the replica's machine vanishing, after the replica has stopped
// leading by itself (no fencing token guards the store's writes: the order of these timeouts does).
import pg from 'pg';
import type { Logger } from '../../logger.js';

/** The channels replicas notify each other on (payloads: JSON, see replica.ts). */
export const CHANNELS = {
  /** A reconcile for the leader: {k:'endpoint'|'deployment'|'rollout', e, d?}. */
  reconcile: 'switchyard_reconcile',
  /** An operation ended: its id. */
  operation: 'switchyard_operation',
  /** The routing inputs changed (spec or instances): every replica republishes its gateway's snapshot. */
  routing: 'switchyard_routing',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** What the link needs to do its work; every query has a deadline, so a vanished server is noticed. */
export interface LinkOptions {
  url: string;
  logger: Logger;
  /** Called with (channel, payload) for every notification on CHANNELS. */
  onNotification(channel: Channel, payload: string): void;
  /** Called once when the connection ends or errs (the lock, if held, is gone). */
  onLost(error: Error): void;
  /** Deadline of each query (default 3 s). */
  queryTimeoutMs?: number;
}

export class ClusterLink {
  private lost = false;

  private constructor(private readonly client: pg.Client, private readonly options: LinkOptions) {}

  static async open(options: LinkOptions): Promise<ClusterLink> {
    const timeout = options.queryTimeoutMs ?? 3000;
    const client = new pg.Client({
      connectionString: options.url,
      application_name: 'switchyard-replica',
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
    });
    const link = new ClusterLink(client, options);
    client.on('error', (e) => link.fail(e));
    client.on('end', () => link.fail(new Error('the coordination connection to PostgreSQL ended')));
    client.on('notification', (n) => {
      if (Object.values(CHANNELS).includes(n.channel as Channel)) options.onNotification(n.channel as Channel, n.payload ?? '');
    });
    try {
      await client.connect();
      // PostgreSQL notices a vanished peer within about 6 s (3 s idle + 3 probes 1 s apart; or 6 s of
      // unacknowledged data) and frees the lock. The replica itself gives the lock up sooner: a query
      // (heartbeats come every second) that takes longer than the query timeout (3 s) ends the link.
      await client.query('SET tcp_keepalives_idle = 3; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 6000');
      for (const channel of Object.values(CHANNELS)) await client.query(`LISTEN ${channel}`);
    } catch (e) {
      link.lost = true;
      await client.end().catch(() => {});
      throw e;
    }
    return link;
  }

  get alive(): boolean {
    return !this.lost;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (this.lost) throw new Error('the coordination connection to PostgreSQL is lost');
    try {
      return (await this.client.query<R>(sql, params)).rows;
    } catch (e) {
      // A query that timed out leaves the connection in an unknown state: give it up (and the lock).
      if (/timeout/i.test((e as Error).message)) this.fail(e as Error);
      throw e;
    }
  }

  /** Tells every replica (this one included) on `channel`. */
  async notify(channel: Channel, payload: string): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async close(): Promise<void> {
    this.lost = true;
    await this.client.end().catch(() => {});
  }

  private fail(error: Error): void {
    if (this.lost) return;
    this.lost = true;
    this.options.logger.warn({ err: error }, 'coordination connection to PostgreSQL lost');
    // Destroy rather than end: a half-open socket would otherwise wait for the server.
    (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    this.options.onLost(error);
  }
}
