// The PostgreSQL store on a throwaway cluster (scripts/pg-cluster.mjs): the same Store contract as
// SQLite (store-suite.ts), then what only a shared store has: migrations recorded once when several
// processes open it, writers of several processes taking turns, and a lost connection.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';
import { PG_SCHEMA_VERSION, PgStore, redactUrl } from '../../src/store/pg-store.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-store.js';
import { SecretCipher } from '../../src/store/secret-cipher.js';
import { endpointSpec, storeContract } from './store-suite.js';
import { newKeys } from '../../src/store/credentials.js';

let cluster: Awaited<ReturnType<typeof startPgCluster>>;
before(async () => { cluster = await startPgCluster(); });
after(() => cluster?.stop());

storeContract('postgres', async (label) => PgStore.open(await cluster.createDatabase(`contract_${label}`)));

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: cluster.adminUrl });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

/** Runs `count` createModel calls (no version) in a child process; answers the versions it got. */
function createModelsInChild(url: string, count: number): Promise<string[]> {
  const code = `
    const { PgStore } = await import(${JSON.stringify(new URL('../../src/store/pg-store.ts', import.meta.url).href)});
    const store = await PgStore.open(process.env.URL);
    const got = [];
    for (let i = 0; i < ${count}; i++) got.push(store.createModel({ name: 'shared', path: 'sha256:' + String(i % 10).repeat(64) + '', type: 'custom_model', tags: { by: String(process.pid), i: String(i) } }).asset.version);
    store.close();
    console.log(JSON.stringify(got));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (status) => status === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${status}`)));
  });
}

describe('postgres store: schema and sharing', () => {
  it('records each migration once, with the same version numbers as SQLite, when several stores open it at once', async () => {
    const url = await cluster.createDatabase('migrations');
    const stores = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    try {
      assert.equal(PG_SCHEMA_VERSION, SCHEMA_VERSION);
      for (const s of stores) assert.equal(s.schemaVersion(), PG_SCHEMA_VERSION);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c.query('SELECT version FROM schema_migrations ORDER BY version');
      await c.end();
      assert.deepEqual(rows.map((r) => r.version), Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      for (const s of stores) s.close();
    }
  });

  it('refuses a store whose schema is newer than this server', async () => {
    const url = await cluster.createDatabase('newer');
    (await PgStore.open(url)).close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x')");
    await c.end();
    await assert.rejects(PgStore.open(url), /schema version 99, newer than this server knows/);
  });

  it('gives writers of two processes turns: versions registered concurrently never collide', async () => {
    const url = await cluster.createDatabase('concurrent');
    (await PgStore.open(url)).close();
    const [a, b] = await Promise.all([createModelsInChild(url, 15), createModelsInChild(url, 15)]);
    const all = [...a, ...b].map(Number).sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('seals endpoint secrets and refuses to open them without the master key', async () => {
    const url = await cluster.createDatabase('sealed');
    const cipher = new SecretCipher(Buffer.alloc(32, 7));
    const store = await PgStore.open(url, { cipher });
    const keys = newKeys();
    store.insertEndpoint('e', { spec: endpointSpec('e'), provisioning_state: 'Creating', keys, token_secret: 'ff' });
    assert.deepEqual(store.getEndpoint('e')!.keys, keys);
    store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const raw = (await c.query('SELECT primary_key FROM endpoints')).rows[0].primary_key as string;
    await c.end();
    assert.ok(SecretCipher.isSealed(raw));
    await assert.rejects(PgStore.open(url), /encrypted endpoint keys/);
    await assert.rejects(PgStore.open(url, { cipher: new SecretCipher(Buffer.alloc(32, 8)) }), /not the one the store was written with/);
  });

  it('reconnects after losing its connection, and rolls back a transaction that lost it', async () => {
    const url = await cluster.createDatabase('reconnect');
    const store = await PgStore.open(url, { callTimeoutMs: 10_000 });
    try {
      const kill = () => admin((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'reconnect' AND application_name = 'switchyard'"));
      store.insertEndpoint('before', { spec: endpointSpec('before'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' });
      await kill();
      // The first call after the loss may fail (StoreUnavailable) or reconnect; the next one works.
      try { store.listEndpoints(); } catch (e: any) { assert.equal(e.code, 'StoreUnavailable'); }
      assert.deepEqual(store.listEndpoints().map((e) => e.spec.name), ['before']);
      // A transaction whose connection dies midway is gone as a whole.
      let killed = false;
      const attempt = () => store.transaction(() => {
        store.insertEndpoint('inside', { spec: endpointSpec('inside'), provisioning_state: 'Creating', keys: newKeys(), token_secret: 'aa' });
        if (!killed) {
          killed = true;
          // A synchronous kill from a child process: the store's own thread is busy in this fn.
          const res = spawnSync(process.execPath, ['-e', `
            const pg = require('pg'); const c = new pg.Client(${JSON.stringify(cluster.adminUrl)});
            c.connect().then(() => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'reconnect' AND application_name = 'switchyard'")).then(() => c.end());`],
          { cwd: process.cwd() });
          assert.equal(res.status, 0, String(res.stderr));
        }
        store.updateEndpoint('inside', { provisioning_state: 'Succeeded' });
      });
      assert.throws(attempt, (e: any) => e.code === 'StoreUnavailable');
      assert.equal(store.getEndpoint('inside'), undefined);
    } finally {
      store.close();
    }
  });

  it('never shows the password of a URL it names', () => {
    assert.equal(redactUrl('postgres://u:secret@h:5/db'), 'postgres://u:***@h:5/db');
  });
});
