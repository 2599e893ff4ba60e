// `switchyard online-endpoint ...` as a user runs it, against a real server started with
// `switchyard serve --port 0 --gateway-port 0`: outputs, --query, exit codes, usage errors, bad YAML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startServer, sy, type Server } from './cli-harness.js';

let server: Server;
let dir: string;
const run = (...args: string[]) => sy(server, args);
const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, `expected exit 0, stderr: ${r.stderr}`);

before(async () => {
  server = await startServer();
  dir = join(server.home, 'project', 'endpoints');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'endpoint.yml'), '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: e2e-endpoint\nauth_mode: key\ntags: {team: ml}\n');
});
after(async () => {
  await server?.stop();
});

test('an empty server lists no endpoints', async () => {
  const r = await run('online-endpoint', 'list');
  ok(r);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('create from a file prints the endpoint once Succeeded', async () => {
  const r = await run('online-endpoint', 'create', '-f', join(dir, 'endpoint.yml'));
  ok(r);
  const ep = JSON.parse(r.stdout);
  assert.equal(ep.name, 'e2e-endpoint');
  assert.equal(ep.provisioning_state, 'Succeeded');
  assert.equal(ep.auth_mode, 'key');
  assert.deepEqual(ep.tags, { team: 'ml' });
  assert.equal(r.stdout.startsWith('{\n  "'), true, 'pretty JSON like az');
  assert.equal(r.stderr, '', 'no progress output when stderr is not a terminal');
});

test('creating it again fails with one ERROR line and exit 1', async () => {
  const r = await run('online-endpoint', 'create', '--name', 'e2e-endpoint');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ERROR: .*e2e-endpoint.*\n$/);
  assert.equal(r.stderr.split('\n').length, 2);
  assert.equal(r.stdout, '');
});

test('show with -o tsv --query prints bare values', async () => {
  const state = await run('online-endpoint', 'show', '-n', 'e2e-endpoint', '-o', 'tsv', '--query', 'provisioning_state');
  ok(state);
  assert.equal(state.stdout, 'Succeeded\n');
  const uri = await run('online-endpoint', 'show', '--name', 'e2e-endpoint', '-o', 'tsv', '--query', 'scoring_uri');
  ok(uri);
  assert.match(uri.stdout, /^http:\/\/\S+\n$/);
  assert.ok(uri.stdout.startsWith(server.gatewayUrl), `${uri.stdout} should be on the gateway ${server.gatewayUrl}`);
  const traffic = await run('online-endpoint', 'show', '-n', 'e2e-endpoint', '--query', 'traffic');
  ok(traffic);
  assert.deepEqual(JSON.parse(traffic.stdout), {});
  const yaml = await run('online-endpoint', 'show', '-n', 'e2e-endpoint', '-o', 'yaml');
  ok(yaml);
  assert.match(yaml.stdout, /^auth_mode: key$/m);
});

test('list with --query and tsv/table output', async () => {
  const created = await run('online-endpoint', 'create', '-n', 'e2e-second', '--auth-mode', 'aml_token');
  ok(created);
  const names = await run('online-endpoint', 'list', '--query', '[].name', '-o', 'tsv');
  ok(names);
  assert.deepEqual(names.stdout.trim().split('\n').sort(), ['e2e-endpoint', 'e2e-second']);
  const pairs = await run('online-endpoint', 'list', '--query', "[?name=='e2e-second'].{n:name, a:auth_mode}", '-o', 'tsv');
  assert.equal(pairs.stdout, 'e2e-second\taml_token\n');
  const table = await run('online-endpoint', 'list', '-o', 'table', '--query', '[].{Name:name, State:provisioning_state}');
  ok(table);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Name\s+State$/);
  assert.match(lines[1]!, /^-+\s+-+$/);
  assert.equal(lines.length, 4);
});

test('update --set and prefixes of long flags', async () => {
  const r = await run('online-endpoint', 'update', '--na', 'e2e-endpoint', '--set', 'description=hello world', 'tags.stage=test', '-o', 'none');
  ok(r);
  assert.equal(r.stdout, '');
  const d = await run('online-endpoint', 'show', '-n', 'e2e-endpoint', '-o', 'tsv', '--query', 'description');
  assert.equal(d.stdout, 'hello world\n');
  const t = await run('online-endpoint', 'show', '-n', 'e2e-endpoint', '--query', 'tags');
  assert.deepEqual(JSON.parse(t.stdout), { team: 'ml', stage: 'test' });
});

test('traffic to a deployment that does not exist is refused by the server (exit 1)', async () => {
  const r = await run('online-endpoint', 'update', '-n', 'e2e-endpoint', '--traffic', 'blue=100');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ERROR: .*blue/);
});

test('credentials: keys for key auth, a token for aml_token; regenerate-keys changes the key', async () => {
  const k1 = await run('online-endpoint', 'get-credentials', '-n', 'e2e-endpoint', '-o', 'tsv', '--query', 'primaryKey');
  ok(k1);
  assert.match(k1.stdout, /^\S{16,}\n$/);
  const both = JSON.parse((await run('online-endpoint', 'get-credentials', '-n', 'e2e-endpoint')).stdout);
  assert.deepEqual(Object.keys(both).sort(), ['primaryKey', 'secondaryKey']);
  ok(await run('online-endpoint', 'regenerate-keys', '-n', 'e2e-endpoint', '--key-type', 'primary'));
  const k2 = await run('online-endpoint', 'get-credentials', '-n', 'e2e-endpoint', '-o', 'tsv', '--query', 'primaryKey');
  assert.notEqual(k2.stdout, k1.stdout);
  const secondary = await run('online-endpoint', 'get-credentials', '-n', 'e2e-endpoint', '-o', 'tsv', '--query', 'secondaryKey');
  assert.equal(secondary.stdout, both.secondaryKey + '\n');
  const token = JSON.parse((await run('online-endpoint', 'get-credentials', '-n', 'e2e-second')).stdout);
  assert.equal(token.tokenType, 'Bearer');
  assert.ok(token.accessToken && token.expiryTimeUtc && token.refreshAfterTimeUtc);
});

test('usage errors exit 2 with one ERROR line naming the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['online-endpoint', 'show', '-n', 'x', '--bogus'], /^ERROR: unrecognized arguments: --bogus\n$/],
    [['online-endpoint', 'show'], /^ERROR: the following arguments are required: --name\/-n\n$/],
    [['online-endpoint', 'update', '-n', 'e2e-endpoint', '--traffic', 'blue:90'], /^ERROR: argument --traffic: invalid value 'blue:90'/],
    [['online-endpoint', 'update', '-n', 'e2e-endpoint', '--mirror-traffic', 'green'], /^ERROR: argument --mirror-traffic: invalid value 'green'/],
    [['online-endpoint', 'delete', '-n', 'e2e-endpoint'], /pass --yes/],
    [['online-endpoint', 'show', '-n', 'x', '-o', 'xml'], /invalid choice: 'xml'/],
    [['online-endpoint', 'show', '-n', 'e2e-endpoint', '--query', '[['], /invalid jmespath query/],
    [['online-endpoint', 'frobnicate'], /'frobnicate' is misspelled or not recognized/],
    [['online-deployment', 'create', '-n', 'blue', '-e', 'e2e-endpoint', '--all-traffic', '--no-wait'], /--all-traffic.*--no-wait/],
  ];
  for (const [args, re] of cases) {
    const r = await run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '');
  }
  // The endpoint that `delete` without --yes refused is still there.
  ok(await run('online-endpoint', 'show', '-n', 'e2e-endpoint'));
});

test('--help on groups and commands exits 0 with usage text', async () => {
  const g = await run('online-endpoint', '--help');
  ok(g);
  assert.match(g.stdout, /get-credentials/);
  const c = await run('online-endpoint', 'update', '-h');
  ok(c);
  assert.match(c.stdout, /--traffic -r TRAFFIC/);
  assert.match(c.stdout, /--mirror-traffic TRAFFIC/);
});

test('a bad YAML file is refused, naming the file (and the line)', async () => {
  const unknown = join(dir, 'unknown-key.yml');
  writeFileSync(unknown, 'name: e2e-bad\nauth_mode: key\ntraffik: {}\n');
  const r = await run('online-endpoint', 'create', '-f', unknown);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n').length, 2);
  assert.ok(r.stderr.includes(unknown), r.stderr);
  assert.match(r.stderr, /Unknown key "traffik" in the endpoint in .*\(line 3\)/);
  const syntax = join(dir, 'syntax.yml');
  writeFileSync(syntax, 'name: e2e-bad\nauth_mode: [key\n');
  const s = await run('online-endpoint', 'create', '-f', syntax);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /syntax\.yml \(line \d+\): invalid YAML/);
  const aad = join(dir, 'aad.yml');
  writeFileSync(aad, 'name: e2e-bad\nauth_mode: aad_token\n');
  const a = await run('online-endpoint', 'create', '-f', aad);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /aad_token/);
  const list = await run('online-endpoint', 'list', '--query', '[].name', '-o', 'tsv');
  assert.ok(!list.stdout.includes('e2e-bad'));
});

test('delete --yes removes the endpoint; show then exits 1', async () => {
  const d = await run('online-endpoint', 'delete', '-n', 'e2e-second', '--yes');
  ok(d);
  assert.equal(d.stdout, '');
  const s = await run('online-endpoint', 'show', '-n', 'e2e-second');
  assert.equal(s.code, 1);
  assert.match(s.stderr, /^ERROR: .*e2e-second/);
});

test('create --no-wait answers at once; the endpoint shows up', async () => {
  const r = await run('online-endpoint', 'create', '-n', 'e2e-nowait', '--no-wait');
  ok(r);
  assert.equal(r.stdout, '');
  const s = await run('online-endpoint', 'show', '-n', 'e2e-nowait', '--query', 'name', '-o', 'tsv');
  assert.equal(s.stdout, 'e2e-nowait\n');
  ok(await run('online-endpoint', 'delete', '-n', 'e2e-nowait', '-y', '--no-wait'));
});

test('a wrong token is refused (exit 1); no server at the URL says to start one', async () => {
  const bad = await sy(server, ['online-endpoint', 'list'], { env: { SWITCHYARD_TOKEN: 'not-the-token' } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ERROR: /);
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const down = await sy(server, ['online-endpoint', 'list'], { env: { SWITCHYARD_URL: `http://127.0.0.1:${port}` } });
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`^ERROR: cannot reach the Switchyard server at http://127.0.0.1:${port} \\(connection refused\\)\\. Start it with \`switchyard serve\``));
});
