// Store bridge: what a synchronous call into the PostgreSQL store costs (docs/store.md). Side by side in
// one run, rows interleaved round by round (A B C ... A B C ...), medians of the per-call time:
//   bridge ping      a round trip main thread -> worker -> main thread, no PostgreSQL (the bridge alone)
//   pg async         the same SELECT with the `pg` client awaited on the main thread (PostgreSQL's floor)
//   PgStore read     getEndpoint through the bridge (what the control plane pays per read)
//   SqliteStore read getEndpoint on the embedded SQLite file
//   PgStore write    updateEndpoint (BEGIN, advisory lock, read, UPDATE, read, COMMIT)
//   SqliteStore write the same on SQLite (WAL, synchronous=FULL)
// Usage: node bench/store-bridge.mjs [--calls 300] [--rounds 5]   (after `npm run build`; starts its own cluster)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPgCluster } from '../scripts/pg-cluster.mjs';
import { repoRoot } from './lib/paths.mjs';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const calls = arg('calls', 300);
const rounds = arg('rounds', 5);
const dist = (p) => import(join(repoRoot, 'dist', p));
const { PgStore } = await dist('store/pg-store.js');
const { SqliteStore } = await dist('store/sqlite-store.js');
const { PgSyncClient } = await dist('store/pg-sync-client.js');

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
const cluster = await startPgCluster({ durable: true });
const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-store-'));
try {
  const url = await cluster.createDatabase('bench');
  const pgStore = await PgStore.open(url);
  const sqlite = new SqliteStore(join(dir, 'switchyard.db'));
  const bridge = await PgSyncClient.open(url);
  const asyncClient = new pg.Client({ connectionString: url });
  await asyncClient.connect();
  const record = { spec: { name: 'ep', tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' },
    provisioning_state: 'Succeeded', keys: { primaryKey: 'a'.repeat(43), secondaryKey: 'b'.repeat(43) }, token_secret: 'c'.repeat(64) };
  pgStore.insertEndpoint('ep', record);
  sqlite.insertEndpoint('ep', record);
  let flip = 0;
  const rows = {
    'bridge ping (no PostgreSQL)': () => bridge.ping(),
    'pg async SELECT (main thread, awaited)': () => asyncClient.query('SELECT * FROM endpoints WHERE name = $1', ['ep']),
    'PgStore read (getEndpoint)': () => pgStore.getEndpoint('ep'),
    'SqliteStore read (getEndpoint)': () => sqlite.getEndpoint('ep'),
    'PgStore write (updateEndpoint, a transaction)': () => pgStore.updateEndpoint('ep', { provisioning_state: (flip++ % 2) ? 'Succeeded' : 'Updating' }),
    'SqliteStore write (updateEndpoint)': () => sqlite.updateEndpoint('ep', { provisioning_state: (flip++ % 2) ? 'Succeeded' : 'Updating' }),
  };
  const samples = Object.fromEntries(Object.keys(rows).map((k) => [k, []]));
  for (let r = 0; r < rounds + 1; r++) {
    for (const [name, fn] of Object.entries(rows)) {
      const t = performance.now();
      for (let i = 0; i < calls; i++) await fn();
      const us = ((performance.now() - t) * 1000) / calls;
      if (r > 0) samples[name].push(us); // round 0 warms up
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const floor = med(samples['pg async SELECT (main thread, awaited)']);
  const lite = med(samples['SqliteStore read (getEndpoint)']);
  console.log(`store bridge at ${commit}, ${calls} calls x ${rounds} rounds (medians), load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`);
  console.log('| row | µs per call | × pg async | × SQLite read |');
  console.log('|---|---:|---:|---:|');
  for (const name of Object.keys(rows)) {
    const m = med(samples[name]);
    console.log(`| ${name} | ${m.toFixed(1)} | ${(m / floor).toFixed(2)} | ${(m / lite).toFixed(1)} |`);
  }
  await asyncClient.end();
  bridge.close();
  pgStore.close();
  sqlite.close();
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
