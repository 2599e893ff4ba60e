// The tables replicas coordinate through, next to the store's own (PostgreSQL only: an SQLite store
// has one server). One source of their schema, applied at start under a lock so that replicas starting
// together do not race; versioned like the store's: a replica refuses a newer schema than it knows.
import type { ClusterLink } from './cluster-link.js';

/** Advisory lock keys (two int4: a class for Switchyard, then what it guards). */
export const LOCK_CLASS = 0x5357_4c59; // 'SWLY'
export const LEADER_LOCK = 1;
const SCHEMA_LOCK = 2;

const MIGRATIONS = [
  `CREATE TABLE switchyard_cluster (name text PRIMARY KEY, value text NOT NULL);
   CREATE TABLE switchyard_replicas (
     id text PRIMARY KEY,
     host text NOT NULL,
     pid integer NOT NULL,
     backend_pid integer NOT NULL,
     control_url text NOT NULL,
     gateway_url text NOT NULL,
     started_at timestamptz NOT NULL,
     seen_at timestamptz NOT NULL,
     leader_since timestamptz
   );
   CREATE TABLE switchyard_instances (
     endpoint text NOT NULL,
     deployment text NOT NULL,
     replica text NOT NULL,
     sealed text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (endpoint, deployment)
   );`,
];

export const COORDINATION_SCHEMA_VERSION = MIGRATIONS.length;

export async function migrateCoordinationTables(link: ClusterLink): Promise<void> {
  await link.query('BEGIN');
  try {
    await link.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, SCHEMA_LOCK]);
    await link.query('CREATE TABLE IF NOT EXISTS switchyard_coordination_schema (version integer NOT NULL)');
    const rows = await link.query<{ version: number }>('SELECT version FROM switchyard_coordination_schema');
    const done = rows[0]?.version ?? 0;
    if (done > MIGRATIONS.length) {
      throw new Error(`The PostgreSQL store's coordination tables are at version ${done}, newer than this Switchyard knows (${MIGRATIONS.length}): upgrade this replica.`);
    }
    for (let i = done; i < MIGRATIONS.length; i++) await link.query(MIGRATIONS[i]!);
    if (!rows.length) await link.query('INSERT INTO switchyard_coordination_schema (version) VALUES ($1)', [MIGRATIONS.length]);
    else if (done < MIGRATIONS.length) await link.query('UPDATE switchyard_coordination_schema SET version = $1', [MIGRATIONS.length]);
    await link.query('COMMIT');
  } catch (e) {
    await link.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
