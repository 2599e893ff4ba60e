// The replicas of one store, as rows each replica heartbeats (about once a second) on its coordination
// connection. Which one leads is not a column anyone writes: it is read from PostgreSQL's own lock
// table (the session holding the leader's advisory lock), so the listing cannot disagree with the lock.
import type { ClusterLink } from './cluster-link.js';
import { LEADER_LOCK, LOCK_CLASS } from './coordination-tables.js';
import type { ReplicaView } from '../../control/schemas/replica.js';

export type { ReplicaView };

export interface ReplicaIdentity {
  id: string;
  host: string;
  pid: number;
  controlUrl: string;
  gatewayUrl: string;
  startedAt: string;
}


/** A replica not heard from for this long is shown not live; after PRUNE_AFTER_SECONDS its row goes. */
export const STALE_AFTER_SECONDS = 5;
const PRUNE_AFTER_SECONDS = 600;

export async function heartbeat(link: ClusterLink, me: ReplicaIdentity, leader: boolean): Promise<void> {
  await link.query(
    `INSERT INTO switchyard_replicas (id, host, pid, backend_pid, control_url, gateway_url, started_at, seen_at, leader_since)
     VALUES ($1, $2, $3, pg_backend_pid(), $4, $5, $6, now(), CASE WHEN $7 THEN now() END)
     ON CONFLICT (id) DO UPDATE SET backend_pid = pg_backend_pid(), control_url = $4, gateway_url = $5, seen_at = now(),
       leader_since = CASE WHEN $7 THEN COALESCE(switchyard_replicas.leader_since, now()) END`,
    [me.id, me.host, me.pid, me.controlUrl, me.gatewayUrl, me.startedAt, leader]);
}

/** Rows of replicas gone for long (their processes ended without saying so) are removed by the leader. */
export async function pruneReplicas(link: ClusterLink): Promise<void> {
  await link.query(`DELETE FROM switchyard_replicas WHERE seen_at < now() - make_interval(secs => $1)`, [PRUNE_AFTER_SECONDS]);
}

export async function forgetReplica(link: ClusterLink, id: string): Promise<void> {
  await link.query('DELETE FROM switchyard_replicas WHERE id = $1', [id]);
}

export async function listReplicas(link: ClusterLink): Promise<ReplicaView[]> {
  const rows = await link.query<{
    id: string; host: string; pid: number; control_url: string; gateway_url: string; started_at: Date;
    seen_ago: number; leader: boolean; leader_for: number | null;
  }>(
    `SELECT r.id, r.host, r.pid, r.control_url, r.gateway_url, r.started_at,
            extract(epoch FROM now() - r.seen_at)::float8 AS seen_ago,
            (l.pid IS NOT NULL) AS leader,
            extract(epoch FROM now() - r.leader_since)::float8 AS leader_for
       FROM switchyard_replicas r
       LEFT JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.pid = r.backend_pid
            AND l.classid::int8 = $1 AND l.objid::int8 = $2 AND l.objsubid = 2
      ORDER BY r.started_at, r.id`, [LOCK_CLASS, LEADER_LOCK]);
  return rows.map((r) => ({
    id: r.id, host: r.host, pid: r.pid, control_url: r.control_url, gateway_url: r.gateway_url,
    started_at: new Date(r.started_at).toISOString(),
    last_seen_seconds: round(r.seen_ago), live: r.seen_ago <= STALE_AFTER_SECONDS, leader: r.leader,
    ...(r.leader && r.leader_for !== null ? { leader_for_seconds: round(r.leader_for) } : {}),
  }));
}

const round = (s: number): number => Math.round(s * 10) / 10;
