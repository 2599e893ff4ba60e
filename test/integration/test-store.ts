// Which store the control-plane tests run on: SQLite (default), or PostgreSQL when
// SWITCHYARD_TEST_STORE=postgres. Then each data dir gets a database of its own on the cluster at
// SWITCHYARD_TEST_PG_URL (scripts/test.mjs starts one with scripts/pg-cluster.mjs), or, when that is
// unset, on a throwaway cluster this test process starts and stops.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreSetting } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { PgStore } from '../../src/store/pg-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

export const onPostgres = process.env.SWITCHYARD_TEST_STORE === 'postgres';

let clusterUrl: Promise<string> | undefined;
function baseUrl(): Promise<string> {
  clusterUrl ??= process.env.SWITCHYARD_TEST_PG_URL
    ? Promise.resolve(process.env.SWITCHYARD_TEST_PG_URL)
    : startPgCluster().then((c) => c.url); // stopped when this process exits (pg-cluster's exit hook)
  return clusterUrl;
}

/** The store for a control plane on `dataDir`: the same database again when the same dir reopens. */
export async function testStoreSetting(dataDir: string): Promise<StoreSetting | undefined> {
  if (!onPostgres) return undefined;
  const base = new URL(await baseUrl());
  const name = `t_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return { kind: 'postgres', url: base.toString() };
}

/** Opens the store a control plane on `dataDir` uses, without the master key (as an older server wrote it). */
export async function openTestStore(dataDir: string): Promise<Store> {
  const setting = await testStoreSetting(dataDir);
  return setting ? PgStore.open(setting.url) : new SqliteStore(join(dataDir, 'switchyard.db'));
}

/** Runs one SQL statement (placeholders `?`) on that store from another connection; answers its rows. */
export async function execSql(dataDir: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const setting = await testStoreSetting(dataDir);
  if (!setting) {
    const db = new Database(join(dataDir, 'switchyard.db'));
    try {
      const stmt = db.prepare(sql);
      return stmt.reader ? stmt.all(...params) as Record<string, unknown>[] : (stmt.run(...params), []);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: setting.url });
  await client.connect();
  try {
    let n = 0;
    return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
  } finally {
    await client.end();
  }
}

/** Everything the store holds at rest, as text: the SQLite files' bytes, or every PostgreSQL row. */
export async function storeRawText(dataDir: string): Promise<string> {
  if (!onPostgres) {
    return ['switchyard.db', 'switchyard.db-wal'].map((f) => join(dataDir, f)).filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1')).join('');
  }
  const tables = await execSql(dataDir, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  let text = '';
  for (const { table_name } of tables) {
    for (const row of await execSql(dataDir, `SELECT t::text AS row FROM "${String(table_name)}" t`)) text += `${String(row.row)}\n`;
  }
  return text;
}
