// The throwaway PostgreSQL cluster of scripts/pg-cluster.mjs: it answers on its URL with the role it
// made, gives fresh databases, and leaves neither a process nor a folder behind when stopped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

/** Running (a zombie waiting for init to reap it counts as ended). */
function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

describe('pg-cluster', () => {
  let cluster: Awaited<ReturnType<typeof startPgCluster>>;
  before(async () => { cluster = await startPgCluster(); });
  after(() => cluster?.stop());

  it('answers on its URL as the switchyard role, on loopback', async () => {
    assert.match(cluster.url, /^postgres:\/\/switchyard:[0-9a-f]+@127\.0\.0\.1:\d+\/switchyard$/);
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT current_user AS who, current_database() AS db, version() AS v');
      assert.deepEqual([rows[0].who, rows[0].db], ['switchyard', 'switchyard']);
      assert.match(rows[0].v, /^PostgreSQL \d+/);
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password (password authentication, not trust)', async () => {
    const client = new pg.Client({ connectionString: cluster.url.replace(/:[0-9a-f]+@/, ':wrong@') });
    await assert.rejects(client.connect(), /password authentication failed/);
  });

  it('creates a fresh database owned by the role', async () => {
    const url = await cluster.createDatabase('fresh_one');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (x int)');
      assert.equal((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n, 0);
    } finally {
      await client.end();
    }
    await assert.rejects(cluster.createDatabase('Bad-Name'), /bad database name/);
  });

  it('stop() ends the postmaster and removes the folder (twice is fine)', async () => {
    const other = await startPgCluster();
    const pid = Number(readFileSync(`${other.dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
    assert.ok(alive(pid));
    other.stop();
    other.stop();
    assert.equal(existsSync(other.dir), false);
    assert.equal(alive(pid), false);
  });
});
