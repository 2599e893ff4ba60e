// One logical schema, two backends: after all migrations, SQLite (sqlite-store.ts) and PostgreSQL
// (pg-schema.ts) have the same tables, columns (type family, nullability), primary keys and indexes.
// A migration added to one backend only fails here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { PgStore } from '../../src/store/pg-store.js';

type Column = { table: string; column: string; type: 'text' | 'integer' | 'other'; notNull: boolean; pk: boolean };
interface Schema { columns: string[]; indexes: string[] }

const family = (t: string): Column['type'] => /int/i.test(t) ? 'integer' : /text|char/i.test(t) ? 'text' : 'other';
const show = (c: Column) => `${c.table}.${c.column} ${c.type}${c.notNull ? ' not null' : ''}${c.pk ? ' pk' : ''}`;

function sqliteSchema(file: string): Schema {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    const columns: Column[] = [];
    for (const { name } of tables) {
      for (const c of db.prepare(`PRAGMA table_info(${JSON.stringify(name)})`).all() as { name: string; type: string; notnull: number; pk: number }[]) {
        // A primary key column is NOT NULL in PostgreSQL whatever it says; SQLite allows NULL in non-integer ones.
        columns.push({ table: name, column: c.name, type: family(c.type), notNull: c.notnull === 1 || c.pk > 0, pk: c.pk > 0 });
      }
    }
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    return { columns: columns.map(show).sort(), indexes };
  } finally {
    db.close();
  }
}

async function pgSchema(url: string): Promise<Schema> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query(`
      SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
        EXISTS (SELECT 1 FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k
          ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
          WHERE tc.table_name = c.table_name AND tc.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name) AS pk
      FROM information_schema.columns c WHERE c.table_schema = 'public'`);
    const columns: Column[] = cols.rows.map((r) => ({ table: r.table_name, column: r.column_name, type: family(r.data_type), notNull: r.is_nullable === 'NO', pk: r.pk }));
    // Explicitly created indexes: not those behind PRIMARY KEY / UNIQUE constraints.
    const idx = await c.query(`SELECT indexname FROM pg_indexes i WHERE schemaname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname) ORDER BY indexname`);
    return { columns: columns.map(show).sort(), indexes: idx.rows.map((r) => r.indexname) };
  } finally {
    await c.end();
  }
}

describe('store schema: SQLite and PostgreSQL agree', () => {
  let cluster: Awaited<ReturnType<typeof startPgCluster>>;
  let dir: string;
  before(async () => { cluster = await startPgCluster(); dir = mkdtempSync(join(tmpdir(), 'switchyard-schema-')); });
  after(() => { cluster?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('has the same tables, columns, keys and indexes after every migration', async () => {
    const file = join(dir, 'switchyard.db');
    new SqliteStore(file).close();
    const url = await cluster.createDatabase('schema');
    (await PgStore.open(url)).close();
    const lite = sqliteSchema(file);
    const post = await pgSchema(url);
    assert.ok(lite.columns.length > 50, `found ${lite.columns.length} SQLite columns`);
    assert.deepEqual(post.columns, lite.columns);
    assert.deepEqual(post.indexes, lite.indexes);
  });
});
