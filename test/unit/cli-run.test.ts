// The runner and handlers end to end in-process: argv in, stdout/stderr/exit code out. Server calls go
// to a fake control plane (a real HTTP server on port 0 answering canned REST responses), named as such.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/command.js';
import { resolveConnection } from '../../src/cli/connection.js';

interface Captured { code: number; out: string; err: string }

function fakeIo(tty = false, answer = 'n'): Io & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return {
    outText, errText,
    out: (t) => void outText.push(t),
    err: (t) => void errText.push(t),
    stdoutIsTTY: tty, stderrIsTTY: tty, stdinIsTTY: tty,
    prompt: async () => answer,
  };
}

let home: string;
let url: string;
let server: Server;
const requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }> = [];

async function run(argv: string[], opts: { env?: Record<string, string>; tty?: boolean; answer?: string; cwd?: string } = {}): Promise<Captured> {
  const io = fakeIo(opts.tty, opts.answer);
  const code = await runCli(argv, { io, env: { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: 'admintoken', ...opts.env }, cwd: opts.cwd ?? home, home, version: '9.9.9' });
  return { code, out: io.outText.join(''), err: io.errText.join('') };
}

const endpointView = (name: string, traffic: Record<string, number> = {}) => ({
  name, auth_mode: 'key', traffic, mirror_traffic: {}, tags: {}, public_network_access: 'enabled', id: `/endpoints/${name}`,
  kind: 'Managed', location: 'local', provisioning_state: 'Succeeded', scoring_uri: `${url}/score-fake/${name}`,
  openapi_uri: `${url}/swagger.json`, properties: { createdAt: 'x', lastModifiedAt: 'x' },
});
const op = (id: string, status = 'Running', kind = 'endpoint.create') => ({ id, kind, endpoint: 'ep', status, created_at: 'x' });

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'sy-cli-'));
  // The fake control plane.
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const path = req.url!;
      requests.push({ method: req.method!, path, headers: req.headers, body });
      const json = (status: number, v: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(v)); };
      if (req.headers.authorization !== 'Bearer admintoken' && !path.startsWith('/score-fake')) return json(401, { error: { code: 'Unauthorized', message: 'missing or wrong token' } });
      if (req.method === 'POST' && path === '/api/v1/endpoints') {
        const input = JSON.parse(body);
        if (input.name === 'exists') return json(409, { error: { code: 'EndpointExists', message: "endpoint 'exists' already exists" } });
        return json(202, { operation: op('op1'), endpoint: endpointView(input.name) });
      }
      if (path.startsWith('/api/v1/operations/op1')) return json(200, op('op1', 'Succeeded'));
      if (path.startsWith('/api/v1/operations/opfail')) return json(200, { ...op('opfail', 'Failed'), error: { code: 'InitFailed', message: 'init() raised ValueError' } });
      if (path.startsWith('/api/v1/operations/op2')) return json(200, op('op2', 'Succeeded'));
      if (req.method === 'GET' && path === '/api/v1/endpoints/ep') return json(200, endpointView('ep', { blue: 100 }));
      if (req.method === 'GET' && path === '/api/v1/endpoints/nope') return json(404, { error: { code: 'EndpointNotFound', message: "endpoint 'nope' not found" } });
      if (req.method === 'GET' && path === '/api/v1/endpoints/made') return json(200, endpointView('made'));
      if (req.method === 'PATCH' && path === '/api/v1/endpoints/ep') return json(202, { operation: op('op2', 'Running', 'endpoint.update') });
      if (req.method === 'GET' && path === '/api/v1/endpoints') return json(200, { value: [endpointView('ep', { blue: 100 }), endpointView('other')] });
      if (req.method === 'POST' && path === '/api/v1/endpoints/ep/list-keys') return json(200, { primaryKey: 'pk-123', secondaryKey: 'sk-456' });
      if (req.method === 'POST' && path === '/api/v1/artifacts?kind=dir&name=model') return json(201, { digest: 'sha256:' + 'b'.repeat(64), kind: 'dir', name: 'model', size: 10, files: 1, created_at: 'x' });
      if (req.method === 'POST' && path.startsWith('/api/v1/artifacts?kind=dir&name=code')) return json(201, { digest: 'sha256:' + 'c'.repeat(64), kind: 'dir', name: 'code', size: 10, files: 1, created_at: 'x' });
      if (req.method === 'POST' && path === '/api/v1/endpoints/ep/deployments') {
        const input = JSON.parse(body);
        return json(202, { operation: op(input.name === 'broken' ? 'opfail' : 'op1', 'Running', 'deployment.create') });
      }
      if (req.method === 'GET' && path === '/api/v1/endpoints/ep/deployments/blue') {
        return json(200, { name: 'blue', endpoint_name: 'ep', instance_count: 1, environment_variables: { A: '1' }, environment: { registered: false, image: 'python' }, provisioning_state: 'Succeeded', instances: [] });
      }
      if (req.method === 'PATCH' && path === '/api/v1/endpoints/ep/deployments/blue') return json(202, { operation: op('op2', 'Running', 'deployment.update') });
      if (path.startsWith('/api/v1/endpoints/ep/deployments/blue/logs')) { res.writeHead(200, { 'content-type': 'text/plain' }); return res.end('line a\nline b\n'); }
      if (path.startsWith('/score-fake/ep')) {
        if (req.headers['azureml-model-deployment'] === 'broken') { res.writeHead(424, { 'ms-azureml-model-error-reason': 'model_error' }); return res.end('{"message": "boom"}'); }
        res.writeHead(200, { 'content-type': 'application/json' }); return res.end('[11055.97, 4503.07]');
      }
      json(404, { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

test('help everywhere exits 0; unknown commands and flags exit 2', async () => {
  assert.equal((await run([])).code, 0);
  assert.match((await run(['online-endpoint'])).out, /Commands:[\s\S]*regenerate-keys/);
  const h = await run(['online-deployment', 'create', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /--all-traffic/);
  assert.match(h.out, /--endpoint-name -e NAME/);
  const bad = await run(['online-endpint', 'list']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^ERROR: 'online-endpint' is misspelled/);
  const flag = await run(['online-endpoint', 'show', '-n', 'ep', '--bogus']);
  assert.equal(flag.code, 2);
  assert.equal(flag.err, 'ERROR: unrecognized arguments: --bogus\n');
  assert.equal((await run(['--version'])).out, '9.9.9\n');
});

test('required flags, traffic syntax and --all-traffic with --no-wait are usage errors', async () => {
  const r = await run(['online-endpoint', 'show']);
  assert.deepEqual([r.code, r.err], [2, 'ERROR: the following arguments are required: --name/-n\n']);
  const t = await run(['online-endpoint', 'update', '-n', 'ep', '--traffic', 'blue:90']);
  assert.equal(t.code, 2);
  assert.match(t.err, /--traffic: invalid value 'blue:90'/);
  const a = await run(['online-deployment', 'create', '-n', 'b', '-e', 'ep', '--all-traffic', '--no-wait']);
  assert.equal(a.code, 2);
  assert.match(a.err, /--all-traffic .* --no-wait/);
});

test('show with -o tsv --query prints the bare value; list with [].name one per line', async () => {
  const s = await run(['online-endpoint', 'show', '-n', 'ep', '-o', 'tsv', '--query', 'scoring_uri']);
  assert.deepEqual([s.code, s.out], [0, `${url}/score-fake/ep\n`]);
  const l = await run(['online-endpoint', 'list', '--query', '[].name', '-o', 'tsv']);
  assert.equal(l.out, 'ep\nother\n');
  const k = await run(['online-endpoint', 'get-credentials', '-n', 'ep', '-o', 'tsv', '--query', 'primaryKey']);
  assert.equal(k.out, 'pk-123\n');
  const j = await run(['online-endpoint', 'show', '-n', 'ep', '--query', 'traffic']);
  assert.equal(j.out, '{\n  "blue": 100\n}\n');
});

test('a leading `ml` word is accepted, for scripts that replaced only `az` by `switchyard`', async () => {
  const s = await run(['ml', 'online-endpoint', 'show', '-n', 'ep', '-o', 'tsv', '--query', 'scoring_uri']);
  assert.deepEqual([s.code, s.out], [0, `${url}/score-fake/ep\n`]);
});

test('server errors become one ERROR line with exit 1', async () => {
  const r = await run(['online-endpoint', 'show', '-n', 'nope']);
  assert.deepEqual([r.code, r.err], [1, "ERROR: endpoint 'nope' not found\n"]);
  const c = await run(['online-endpoint', 'create', '-n', 'exists']);
  assert.deepEqual([c.code, c.err], [1, "ERROR: endpoint 'exists' already exists\n"]);
  const u = await run(['online-endpoint', 'list'], { env: { SWITCHYARD_TOKEN: 'wrong' } });
  assert.deepEqual([u.code, u.err], [1, 'ERROR: missing or wrong token\n']);
});

test('connection refused names the URL and says to start switchyard serve', async () => {
  // A port nothing listens on: listen, note it, close.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const r = await run(['online-endpoint', 'list'], { env: { SWITCHYARD_URL: `http://127.0.0.1:${port}` } });
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`^ERROR: cannot reach the Switchyard server at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)\\. Start it with \`switchyard serve\``));
});

test('create waits for the operation, then prints the resource', async () => {
  requests.length = 0;
  const r = await run(['online-endpoint', 'create', '--name', 'made', '--auth-mode', 'Key']);
  assert.equal(r.code, 0, r.err);
  // Sent as written; the server stores the canonical spelling.
  assert.deepEqual(JSON.parse(requests[0]!.body), { name: 'made', auth_mode: 'Key' });
  assert.ok(requests.some((q) => q.path === '/api/v1/operations/op1?wait=10'));
  assert.equal(JSON.parse(r.out).name, 'made');
});

test('update --traffic and --mirror-traffic send maps', async () => {
  requests.length = 0;
  const r = await run(['online-endpoint', 'update', '-n', 'ep', '-r', 'blue=90 green=10', '--mirror-traffic', 'green=0', '-o', 'none']);
  assert.equal(r.code, 0, r.err);
  const patch = requests.find((q) => q.method === 'PATCH')!;
  assert.deepEqual(JSON.parse(patch.body), { traffic: { blue: 90, green: 10 }, mirror_traffic: { green: 0 } });
  assert.equal(r.out, '');
});

test('delete without --yes and without a terminal refuses; with a terminal it asks', async () => {
  const r = await run(['online-endpoint', 'delete', '-n', 'ep']);
  assert.equal(r.code, 2);
  assert.match(r.err, /pass --yes/);
  const asked = await run(['online-endpoint', 'delete', '-n', 'ep'], { tty: true, answer: 'n' });
  assert.match(asked.err, /Operation cancelled/);
});

test('deployment create uploads local paths, sends digests, waits, and --all-traffic patches the endpoint', async () => {
  const dir = join(home, 'proj');
  mkdirSync(join(dir, 'model'), { recursive: true });
  mkdirSync(join(dir, 'code'), { recursive: true });
  writeFileSync(join(dir, 'model', 'm.pkl'), 'x');
  writeFileSync(join(dir, 'code', 'score.py'), 'def init(): pass\n');
  writeFileSync(join(dir, 'blue.yml'), 'name: blue\nendpoint_name: ep\nmodel:\n  path: model\ncode_configuration: {code: code, scoring_script: score.py}\nenvironment: {image: python}\ninstance_count: 1\n');
  requests.length = 0;
  const r = await run(['online-deployment', 'create', '-f', join(dir, 'blue.yml'), '--all-traffic']);
  assert.equal(r.code, 0, r.err);
  const upload = requests.find((q) => q.path.startsWith('/api/v1/artifacts'))!;
  assert.equal(upload.headers['content-type'], 'application/gzip');
  assert.equal(upload.body.charCodeAt(0), 0x1f); // gzip magic
  const create = JSON.parse(requests.find((q) => q.method === 'POST' && q.path.endsWith('/deployments'))!.body);
  assert.deepEqual(create.model, { path: 'sha256:' + 'b'.repeat(64) });
  assert.deepEqual(create.code_configuration, { code: 'sha256:' + 'c'.repeat(64), scoring_script: 'score.py' });
  const patch = requests.find((q) => q.method === 'PATCH')!;
  assert.equal(patch.path, '/api/v1/endpoints/ep');
  assert.deepEqual(JSON.parse(patch.body), { traffic: { blue: 100 } });
  assert.equal(JSON.parse(r.out).name, 'blue');
});

test('a Failed operation prints the server message and exits 1', async () => {
  const dir = join(home, 'proj');
  const r = await run(['online-deployment', 'create', '-f', join(dir, 'blue.yml'), '--name', 'broken']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^ERROR: init\(\) raised ValueError\nSee the logs: switchyard online-deployment get-logs -n broken -e ep/);
});

test('deployment update --set keeps sibling variables (seeded from the current deployment)', async () => {
  requests.length = 0;
  const r = await run(['online-deployment', 'update', '-n', 'blue', '--endpoint', 'ep', '--set', 'instance_count=2', 'environment_variables.X=Y', '-o', 'none']);
  assert.equal(r.code, 0, r.err);
  const patch = JSON.parse(requests.find((q) => q.method === 'PATCH')!.body);
  assert.deepEqual(patch, { environment_variables: { A: '1', X: 'Y' }, instance_count: 2 });
});

test('invoke posts the file as curl would and prints the body as a JSON string', async () => {
  const req = join(home, 'req.json');
  writeFileSync(req, '{"data": [[1,2,3,4,5,6,7,8,9,10]]}');
  requests.length = 0;
  const r = await run(['online-endpoint', 'invoke', '-n', 'ep', '-r', req, '--deployment', 'green']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '"[11055.97, 4503.07]"\n');
  const score = requests.find((q) => q.path.startsWith('/score-fake'))!;
  assert.equal(score.headers.authorization, 'Bearer pk-123');
  assert.equal(score.headers['content-type'], 'application/json');
  assert.equal(score.headers['azureml-model-deployment'], 'green');
  assert.equal(score.body, readFileSync(req, 'latin1'));
  const bad = await run(['online-endpoint', 'invoke', '-n', 'ep', '-r', req, '-d', 'broken']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^ERROR: the scoring request failed with HTTP 424 \(model_error\): \{"message": "boom"\}/);
});

test('get-logs prints the text as is', async () => {
  const r = await run(['online-deployment', 'get-logs', '-n', 'blue', '-e', 'ep', '--lines', '10']);
  assert.deepEqual([r.code, r.out], [0, 'line a\nline b\n']);
  assert.ok(requests.some((q) => q.path === '/api/v1/endpoints/ep/deployments/blue/logs?lines=10'));
});

test('a bad YAML file is refused naming the file', async () => {
  const f = join(home, 'bad.yml');
  writeFileSync(f, 'name: x\nauth_mod: key\n');
  const r = await run(['online-endpoint', 'create', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`^ERROR: Unknown key "auth_mod" in the endpoint in ${f.replace(/\./g, '\\.')} \\(line 2\\)\\. Known keys: auth_mode, `));
});

test('configure saves url and token (0600) and they are read back', async () => {
  const r = await run(['configure', '--url', 'http://10.1.2.3:7070', '--token', 'tok-abcdef12']);
  assert.equal(r.code, 0, r.err);
  const file = join(home, '.switchyard', 'cli.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(resolveConnection({}, home), { url: 'http://10.1.2.3:7070', token: 'tok-abcdef12' });
  // The admin token of a local server is used for another URL; env wins over everything.
  mkdirSync(join(home, 'data'), { recursive: true });
  writeFileSync(join(home, 'data', 'admin-token'), 'local-admin\n');
  assert.deepEqual(resolveConnection({ SWITCHYARD_URL: 'http://127.0.0.1:7070', SWITCHYARD_DATA_DIR: join(home, 'data') }, home), { url: 'http://127.0.0.1:7070', token: 'local-admin' });
  assert.deepEqual(resolveConnection({ SWITCHYARD_TOKEN: 'env' }, home), { url: 'http://10.1.2.3:7070', token: 'env' });
  assert.ok(!JSON.stringify(JSON.parse(r.out)).includes('tok-abcdef12'));
});
