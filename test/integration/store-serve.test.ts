// `switchyard serve --store postgres://...` end to end (the built CLI, a throwaway PostgreSQL): what one
// server wrote, a server on another data dir (same store, same secret files) reads; a bad --store value
// stops the start with a message that never shows the password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgCluster } from '../../scripts/pg-cluster.mjs';

const bin = fileURLToPath(new URL('../../bin/switchyard', import.meta.url));

async function startServe(args: string[]): Promise<{ child: ChildProcess; controlUrl: string }> {
  const child = spawn(bin, ['serve', '--port', '0', '--gateway-port', '0', '--instance-user', 'none', '--log-level', 'warn', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, controlUrl: JSON.parse(line).controlUrl };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('serve --store postgres://', () => {
  let cluster: Awaited<ReturnType<typeof startPgCluster>>;
  let dir: string;
  before(async () => { cluster = await startPgCluster(); dir = mkdtempSync(join(tmpdir(), 'switchyard-store-serve-')); });
  after(() => { cluster?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('keeps the state in PostgreSQL: a server on another data dir reads what the first wrote', async () => {
    const url = await cluster.createDatabase('served');
    const secrets = ['--master-key-file', join(dir, 'master-key'), '--admin-token-file', join(dir, 'admin-token'), '--store', url,
      '--artifact-dir', join(dir, 'artifacts')];
    const first = await startServe(['--data-dir', join(dir, 'a'), ...secrets]);
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    try {
      const made = await fetch(`${first.controlUrl}/api/v1/endpoints`, { method: 'POST', headers, body: JSON.stringify({ name: 'in-postgres', auth_mode: 'key' }) });
      assert.ok(made.status < 300, await made.text());
    } finally {
      await stop(first.child);
    }
    const second = await startServe(['--data-dir', join(dir, 'b'), ...secrets]);
    try {
      const listed = await (await fetch(`${second.controlUrl}/api/v1/endpoints`, { headers })).json() as { value: { name: string }[] };
      assert.deepEqual(listed.value.map((e) => e.name), ['in-postgres']);
    } finally {
      await stop(second.child);
    }
  });

  it('refuses a --store that is neither sqlite nor a postgres:// URL, without showing a password', () => {
    const res = spawnSync(bin, ['serve', '--port', '0', '--gateway-port', '0', '--data-dir', join(dir, 'c'), '--store', 'mysql://u:hunter2@h/db'], { encoding: 'utf8' });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /--store \(SWITCHYARD_STORE\) must be sqlite .* or a postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE URL/);
    assert.ok(!res.stderr.includes('hunter2'), res.stderr);
  });
});
