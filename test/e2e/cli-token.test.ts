// `switchyard token ...` and `switchyard audit list` as a user runs them against a real server: a
// Reader token made with `-o tsv --query token` and used through SWITCHYARD_TOKEN can show but not
// get credentials; list never shows tokens; revoke takes effect at once; the audit table prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sy, type Server } from './cli-harness.js';

let server: Server;
let readerToken = '';
const run = (...args: string[]) => sy(server, args);
const asReader = (...args: string[]) => sy(server, args, { env: { SWITCHYARD_TOKEN: readerToken } });
const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, `expected exit 0, stderr: ${r.stderr}`);

before(async () => {
  server = await startServer();
  ok(await run('online-endpoint', 'create', '--name', 'tok-endpoint'));
});
after(async () => {
  await server?.stop();
});

test('token create -o tsv --query token prints just the token', async () => {
  const r = await run('token', 'create', '--name', 'ci', '--role', 'Reader', '-o', 'tsv', '--query', 'token');
  ok(r);
  readerToken = r.stdout.trim();
  assert.match(r.stdout, /^syt_[A-Za-z0-9_-]{43}\n$/);
});

test('token create prints name, role, token, created_at and id', async () => {
  const r = await run('token', 'create', '--name', 'deployer', '--role', 'contributor');
  ok(r);
  const t = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(t).sort(), ['created_at', 'id', 'name', 'role', 'token']);
  assert.equal(t.role, 'Contributor');
});

test('a Reader token shows the endpoint but cannot get its credentials', async () => {
  const show = await asReader('online-endpoint', 'show', '-n', 'tok-endpoint', '-o', 'tsv', '--query', 'name');
  ok(show);
  assert.equal(show.stdout, 'tok-endpoint\n');
  const creds = await asReader('online-endpoint', 'get-credentials', '-n', 'tok-endpoint');
  assert.equal(creds.code, 1);
  assert.equal(creds.stdout, '');
  assert.match(creds.stderr, /^ERROR: Principal "ci" has role Reader, which does not allow onlineEndpoints\/listKeys\/action \(allowed for Contributor, Owner\)/);
  const change = await asReader('online-endpoint', 'update', '-n', 'tok-endpoint', '--set', 'description=x');
  assert.equal(change.code, 1);
  assert.match(change.stderr, /does not allow onlineEndpoints\/write/);
  const tokens = await asReader('token', 'list');
  assert.equal(tokens.code, 1);
  assert.match(tokens.stderr, /does not allow tokens\/read/);
});

test('token create --expires-in sets an expiry that list shows; a bad duration is a usage error', async () => {
  const r = await run('token', 'create', '--name', 'contractor', '--role', 'Reader', '--expires-in', '30d');
  ok(r);
  const t = JSON.parse(r.stdout);
  assert.ok(Math.abs(Date.parse(t.expires_at) - Date.parse(t.created_at) - 30 * 86_400_000) < 1000, r.stdout);
  const listed = JSON.parse((await run('token', 'list')).stdout).find((x: any) => x.id === t.id);
  assert.equal(listed.expires_at, t.expires_at);
  ok(await run('token', 'revoke', '--id', t.id));
  const bad = await run('token', 'create', '--name', 'x', '--role', 'Reader', '--expires-in', 'soon');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--expires-in: expected a duration such as 30d/);
});

test('token list never shows the tokens; table output works', async () => {
  const r = await run('token', 'list');
  ok(r);
  assert.ok(!r.stdout.includes(readerToken));
  assert.deepEqual(JSON.parse(r.stdout).map((t: any) => t.name), ['ci', 'deployer']);
  const table = await run('token', 'list', '-o', 'table');
  ok(table);
  assert.match(table.stdout.split('\n')[0]!, /Created_at\s+Created_by\s+Name\s+Role/);
  assert.match(table.stdout, /ci\s+Reader/);
});

test('bad role and missing name are refused clearly', async () => {
  const role = await run('token', 'create', '--name', 'x', '--role', 'Admin');
  assert.equal(role.code, 2);
  assert.match(role.stderr, /invalid choice: 'Admin'/);
  const name = await run('token', 'create', '--name', 'bad name', '--role', 'Reader');
  assert.equal(name.code, 1);
  assert.match(name.stderr, /ERROR: Token name must be 1-64 characters/);
  const neither = await run('token', 'revoke');
  assert.equal(neither.code, 2);
});

test('token revoke --name takes effect at the next command', async () => {
  const r = await run('token', 'revoke', '--name', 'ci');
  ok(r);
  assert.equal(JSON.parse(r.stdout)[0].name, 'ci');
  const show = await asReader('online-endpoint', 'show', '-n', 'tok-endpoint');
  assert.equal(show.code, 1);
  assert.match(show.stderr, /not valid for this server/);
  const again = await run('token', 'revoke', '--name', 'ci');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /No token of principal "ci" is active/);
});

test('audit list shows who did what, as a table too; --denied the refused attempts', async () => {
  const r = await run('audit', 'list', '--limit', '50');
  ok(r);
  const entries = JSON.parse(r.stdout);
  const deniedRun = await run('audit', 'list', '--denied');
  ok(deniedRun);
  const denied = JSON.parse(deniedRun.stdout).find((e: any) => e.principal === 'ci' && e.action === 'onlineEndpoints/listKeys/action');
  assert.ok(denied, 'the denied get-credentials is recorded');
  assert.deepEqual([denied.reason, denied.status, denied.count], ['forbidden', 403, 1]);
  assert.ok(entries.some((e: any) => e.principal === 'admin' && e.action === 'tokens/write' && e.target.startsWith('tokens/ci/')));
  assert.ok(!r.stdout.includes(readerToken));
  const table = await run('audit', 'list', '--limit', '3', '-o', 'table');
  ok(table);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^Action\s+At\s+/);
  assert.equal(lines.length, 5);
  const bad = await run('audit', 'list', '--limit', '0');
  assert.equal(bad.code, 2);
});
