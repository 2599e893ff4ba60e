// Bad input corpus: a table of malformed inputs sent to a real `switchyard serve` (real CLI, raw HTTP to
// the control plane, raw HTTP to the gateway). Every case must be refused (a 4xx with an error code and
// a message; or a non-zero exit with one line `ERROR: ...` on stderr), must leave the state unchanged
// (a full dump of endpoints, deployments, models and environments after each case equals the dump
// taken when its group started; CLI cases run two at a time), and the server must answer health after
// each group. The test prints the number of cases (≥ 100).
// The server runs with SWITCHYARD_MAX_ARTIFACT_BYTES=65536 so the archive-size cases stay small.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rawArchive, folderArchive } from './control-archives.js';
import {
  BIN, deploymentBody, dumpState, raw, removeDir, startServe, tempDir, uploadFolder, waitOperation, writeTree,
  type RawResponse, type ServerProcess,
} from './resilience-harness.js';

const MAX_ARTIFACT = 64 * 1024;
const EP = 'bi-ep';
const TOK_EP = 'bi-tok';

const SCORE_PY = `import json
def init():
    pass
def run(raw_data):
    data = json.loads(raw_data)
    if not isinstance(data, dict) or "data" not in data:
        raise ValueError("expected {\\"data\\": [...]}")
    return {"sum": sum(data["data"])}
`;

interface CliCase { name: string; args: string[]; env?: Record<string, string>; exit?: number; match?: RegExp }
interface HttpCase {
  name: string;
  method?: string;
  path: string;
  /** A JSON body (serialised, content-type application/json). */
  json?: unknown;
  body?: string | Buffer | Buffer[];
  headers?: Record<string, string | number>;
  noAuth?: boolean;
  status?: number;
  code?: string;
}

let server: ServerProcess;
let work: string;
let key: string;
let codeDigest: string;
let cases = 0;
const summary: string[] = [];
let failures: string[] = [];
/** The state every case must leave unchanged (dumped when a group starts). */
let baseline = '';

/** Runs each case of a table, collecting failures so one run shows them all. */
async function runTable<T extends { name: string }>(group: string, table: T[], one: (c: T) => Promise<unknown>, concurrency = 1): Promise<void> {
  failures = [];
  baseline = await dumpState(server);
  const queue = [...table];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      try {
        await one(c);
      } catch (e) {
        failures.push(`[${group}] ${(e as Error).message}`);
        baseline = await dumpState(server); // report each change once
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  assert.ok(await server.healthy(), `server unhealthy after the ${group} group`);
  assert.equal(server.child.exitCode, null, `server exited during the ${group} group`);
  if (failures.length) assert.fail(`${failures.length} of ${table.length} ${group} cases failed:\n${failures.join('\n---\n')}`);
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const childEnv: Record<string, string> = {
      ...(process.env as Record<string, string>), HOME: work, SWITCHYARD_URL: server.controlUrl, SWITCHYARD_TOKEN: server.token, ...env,
    };
    delete childEnv.NODE_TEST_CONTEXT;
    const child = spawn(BIN, args, { cwd: work, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolveRun({ code: code ?? -1, stdout, stderr }); });
  });
}

async function checkUnchanged(what: string): Promise<void> {
  const now = await dumpState(server);
  assert.equal(now, baseline, `${what}: the state changed`);
}

async function cliCase(c: CliCase): Promise<void> {
  const r = await runCli(c.args, c.env);
  const lines = r.stderr.trimEnd().split('\n');
  const shown = `switchyard ${c.args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.notEqual(r.code, 0, `${c.name}: expected a non-zero exit\n${shown}`);
  if (c.exit !== undefined) assert.equal(r.code, c.exit, `${c.name}: exit code\n${shown}`);
  assert.equal(lines.length, 1, `${c.name}: expected a one-line message\n${shown}`);
  assert.match(lines[0]!, /^ERROR: \S/, `${c.name}: message\n${shown}`);
  assert.doesNotMatch(r.stderr, /\(unexpected error|Internal error|\n\s+at /, `${c.name}: a bug, not a refusal\n${shown}`);
  if (c.match) assert.match(lines[0]!, c.match, `${c.name}: message\n${shown}`);
  await checkUnchanged(c.name);
  cases++;
  summary.push(`cli   ${String(r.code).padEnd(4)} ${c.name}: ${lines[0]!.slice(0, 150)}`);
}

async function httpCase(base: 'control' | 'gateway', c: HttpCase): Promise<RawResponse> {
  const headers: Record<string, string | number> = {};
  if (!c.noAuth) headers.authorization = `Bearer ${base === 'control' ? server.token : key}`;
  let body = c.body;
  if (c.json !== undefined) { body = JSON.stringify(c.json); headers['content-type'] = 'application/json'; }
  Object.assign(headers, c.headers ?? {});
  const url = (base === 'control' ? server.controlUrl : server.gatewayUrl) + c.path;
  const r = await raw(url, { method: c.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}) });
  const shown = `${c.method ?? (body === undefined ? 'GET' : 'POST')} ${c.path.slice(0, 120)} → ${r.status} ${r.text.slice(0, 400)}`;
  assert.ok(r.status >= 400 && r.status < 500, `${c.name}: expected a 4xx\n${shown}`);
  if (c.status !== undefined) assert.equal(r.status, c.status, `${c.name}: status\n${shown}`);
  // Node itself answers 414/431 (URL or headers too large) before any route, with no body.
  const nodeLevel = r.status === 414 || r.status === 431;
  if (!nodeLevel && (base === 'control' || r.headers['content-type']?.toString().includes('json'))) {
    // The model's own refusals (424) keep the Azure shape {"error": "...", "message": "..."}.
    const err = base === 'gateway' && r.status === 424 ? { code: 'model_error', message: r.body?.message } : r.body?.error;
    assert.equal(typeof err?.code, 'string', `${c.name}: error code\n${shown}`);
    assert.ok(typeof err?.message === 'string' && err.message.length > 5, `${c.name}: error message\n${shown}`);
    assert.doesNotMatch(err.message, /\n/, `${c.name}: one-line message\n${shown}`);
    if (c.code) assert.equal(err.code, c.code, `${c.name}: error code\n${shown}`);
  }
  await checkUnchanged(c.name);
  cases++;
  summary.push(`${base === 'control' ? 'rest ' : 'score'} ${r.status}  ${c.name}: ${(r.body?.error ? `${r.body.error.code}: ${r.body.error.message}` : r.text).slice(0, 150)}`);
  return r;
}


before(async () => {
  work = tempDir('sy-bad-input-');
  server = await startServe(join(work, 'data'), { SWITCHYARD_MAX_ARTIFACT_BYTES: String(MAX_ARTIFACT), SWITCHYARD_LOG_LEVEL: 'info' });
  // Baseline: a key endpoint with blue (100%) and green (0%), an aml_token endpoint, a model, an environment.
  codeDigest = await uploadFolder(server, { 'score.py': SCORE_PY });
  for (const body of [{ name: EP }, { name: TOK_EP, auth_mode: 'aml_token' }]) {
    const r = await server.api('POST', '/api/v1/endpoints', body);
    assert.equal(r.status, 202, r.text);
    const op = await waitOperation(server, r.body.operation.id, 30);
    assert.equal(op.status, 'Succeeded', `${JSON.stringify(op)}\n${server.stderr().slice(-4000)}`);
  }
  for (const d of ['blue', 'green']) {
    const r = await server.api('POST', `/api/v1/endpoints/${EP}/deployments`, deploymentBody(d, codeDigest));
    assert.equal(r.status, 202, r.text);
    const op = await waitOperation(server, r.body.operation.id, 90);
    assert.equal(op.status, 'Succeeded', JSON.stringify(op));
  }
  assert.equal((await server.api('PATCH', `/api/v1/endpoints/${EP}`, { traffic: { blue: 100 } })).status, 202);
  const modelDigest = await uploadFolder(server, { 'weights.json': '{"scale": 1}' }, 'model');
  assert.equal((await server.api('POST', '/api/v1/models', { name: 'bi-model', version: '1', path: modelDigest })).status, 201);
  assert.equal((await server.api('POST', '/api/v1/environments', { name: 'bi-env', version: '1', image: 'python:3.11' })).status, 201);
  key = (await server.api('POST', `/api/v1/endpoints/${EP}/list-keys`)).body.primaryKey;

  // Files for the YAML and CLI cases.
  const dep = (extra: string, name = 'yml-dep') => `name: ${name}\nendpoint_name: ${EP}\ncode_configuration:\n  code: ../code\n  scoring_script: score.py\nenvironment:\n  image: python:3.11\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n${extra}`;
  writeTree(work, {
    'code/score.py': SCORE_PY,
    'model/weights.json': '{}',
    'request.json': '{"data": [1, 2]}',
    'bad-request.json': '{"data": ',
    'yaml/invalid.yml': 'name: [a\n',
    'yaml/dup-keys.yml': 'name: abc\nname: abd\n',
    'yaml/list.yml': '- name: abc\n',
    'yaml/scalar.yml': 'just a string\n',
    'yaml/empty.yml': '',
    'yaml/comments-only.yml': '# nothing here\n',
    'yaml/tabs.yml': 'name: abc\n\tauth_mode: key\n',
    'yaml/alias-bomb.yml': 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nname: bomb-ep\n',
    'yaml/invalid-utf8.yml': Buffer.concat([Buffer.from('name: utf-ep\ndescription: "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"\n')]),
    'yaml/binary.yml': Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256)),
    'yaml/ep-unknown-key.yml': 'name: yml-ep\nfoo: 1\n',
    'yaml/ep-nested-unknown.yml': 'name: yml-ep\nidentity:\n  type: system_assigned\nauth_mode: key\nkind: Managed2\n',
    'yaml/ep-name-number.yml': 'name: 12345\n',
    'yaml/ep-name-short.yml': 'name: ab\n',
    'yaml/ep-name-long.yml': `name: ${'a'.repeat(33)}\n`,
    'yaml/ep-name-underscore.yml': 'name: my_endpoint\n',
    'yaml/ep-name-trailing-dash.yml': 'name: my-endpoint-\n',
    'yaml/ep-name-digit.yml': 'name: 1endpoint\n',
    'yaml/ep-no-name.yml': 'auth_mode: key\n',
    'yaml/ep-aad.yml': 'name: yml-ep\nauth_mode: aad_token\n',
    'yaml/ep-auth-bogus.yml': 'name: yml-ep\nauth_mode: password\n',
    'yaml/ep-tags-list.yml': 'name: yml-ep\ntags: [a, b]\n',
    'yaml/ep-traffic-at-create.yml': 'name: yml-ep\ntraffic:\n  blue: 100\n',
    'yaml/ep-existing.yml': `name: ${EP}\n`,
    'yaml/ep-update-traffic-101.yml': `name: ${EP}\ntraffic:\n  blue: 101\n`,
    'yaml/ep-update-traffic-neg.yml': `name: ${EP}\ntraffic:\n  blue: 105\n  green: -5\n`,
    'yaml/ep-update-traffic-sum.yml': `name: ${EP}\ntraffic:\n  blue: 60\n  green: 30\n`,
    'yaml/ep-update-traffic-frac.yml': `name: ${EP}\ntraffic:\n  blue: 99.5\n  green: 0.5\n`,
    'yaml/ep-update-traffic-string.yml': `name: ${EP}\ntraffic:\n  blue: "a lot"\n`,
    'yaml/ep-update-traffic-unknown.yml': `name: ${EP}\ntraffic:\n  blue: 50\n  purple: 50\n`,
    'yaml/ep-update-mirror-51.yml': `name: ${EP}\nmirror_traffic:\n  green: 51\n`,
    'yaml/ep-update-two-mirrors.yml': `name: ${EP}\ntraffic:\n  blue: 100\nmirror_traffic:\n  green: 10\n  blue: 10\n`,
    'yaml/ep-update-mirror-live.yml': `name: ${EP}\nmirror_traffic:\n  blue: 10\n`,
    'yaml/dep-count-0.yml': dep('').replace('instance_count: 1', 'instance_count: 0'),
    'yaml/dep-count-51.yml': dep('').replace('instance_count: 1', 'instance_count: 51'),
    'yaml/dep-count-neg.yml': dep('').replace('instance_count: 1', 'instance_count: -1'),
    'yaml/dep-count-frac.yml': dep('').replace('instance_count: 1', 'instance_count: 1.5'),
    'yaml/dep-count-string.yml': dep('').replace('instance_count: 1', 'instance_count: two'),
    'yaml/dep-count-missing.yml': dep('').replace('instance_count: 1\n', ''),
    'yaml/dep-timeout-big.yml': dep('request_settings:\n  request_timeout_ms: 180001\n'),
    'yaml/dep-timeout-zero.yml': dep('request_settings:\n  request_timeout_ms: 0\n'),
    'yaml/dep-concurrency-zero.yml': dep('request_settings:\n  max_concurrent_requests_per_instance: 0\n'),
    'yaml/dep-request-unknown.yml': dep('request_settings:\n  retries: 3\n'),
    'yaml/dep-probe-negative.yml': dep('liveness_probe:\n  period: -1\n'),
    'yaml/dep-probe-string.yml': dep('readiness_probe:\n  failure_threshold: many\n'),
    'yaml/dep-unknown-key.yml': dep('replicas: 3\n'),
    'yaml/dep-no-environment.yml': dep('').replace('environment:\n  image: python:3.11\n', ''),
    'yaml/dep-env-vars-list.yml': dep('environment_variables:\n  - A=1\n'),
    'yaml/dep-scale-bogus.yml': dep('scale_settings:\n  type: turbo\n'),
    'yaml/dep-bad-name.yml': dep('', 'Blue_1'),
    'yaml/dep-no-endpoint.yml': dep('').replace(`endpoint_name: ${EP}\n`, 'endpoint_name: no-such-endpoint\n'),
    'yaml/dep-existing.yml': dep('', 'blue'),
    'yaml/dep-model-missing.yml': dep('model: azureml:no-such-model:1\n'),
    'yaml/dep-model-malformed.yml': dep('model: "azureml:::"\n'),
    'yaml/dep-env-missing.yml': dep('').replace('environment:\n  image: python:3.11\n', 'environment: azureml:no-such-env:7\n'),
    'yaml/dep-code-missing.yml': dep('').replace('code: ../code', 'code: ../no-such-folder'),
    'yaml/dep-script-missing.yml': dep('').replace('scoring_script: score.py', 'scoring_script: nope.py'),
    'yaml/dep-code-absolute-escape.yml': dep('').replace('scoring_script: score.py', 'scoring_script: ../../etc/passwd'),
    'yaml/model-no-path.yml': 'name: yml-model\nversion: "1"\n',
    'yaml/model-path-missing.yml': 'name: yml-model\nversion: "1"\npath: ./no-such-model\n',
    'yaml/model-type-bogus.yml': 'name: yml-model\nversion: "1"\npath: ../model\ntype: onnx_magic\n',
    'yaml/model-unknown-key.yml': 'name: yml-model\npath: ../model\nweights: heavy\n',
    'yaml/model-bad-version.yml': 'name: yml-model\nversion: "1/../2"\npath: ../model\n',
    'yaml/env-conda-missing.yml': 'name: yml-env\nversion: "1"\nimage: python:3.11\nconda_file: ./no-such-conda.yml\n',
    'yaml/env-unknown-key.yml': 'name: yml-env\nversion: "1"\nimage: python:3.11\ngpu: true\n',
    'yaml/env-port-string.yml': 'name: yml-env\nversion: "1"\nimage: python:3.11\ninference_config:\n  scoring_route:\n    port: http\n    path: /score\n',
  });
  mkdirSync(join(work, 'yaml', 'a-folder.yml'));
  symlinkSync('/dev/zero', join(work, 'yaml', 'dev-zero.yml'));
  execFileSync('mkfifo', [join(work, 'yaml', 'fifo.yml')]);
});

after(async () => {
  console.log(`bad-input: ${cases} cases refused with the state unchanged, ${failures.length} failed in the last group`);
  console.log(summary.join('\n'));
  await server?.stop();
  if (work) removeDir(work);
});

const y = (f: string) => join('yaml', f);

describe('bad input', { timeout: 170_000 }, () => {
  it('YAML files through the CLI', async () => {
    const table: CliCase[] = [
      { name: 'invalid YAML', args: ['online-endpoint', 'create', '-f', y('invalid.yml')], match: /invalid YAML/ },
      { name: 'duplicate keys', args: ['online-endpoint', 'create', '-f', y('dup-keys.yml')], match: /unique/ },
      { name: 'a list at the top', args: ['online-endpoint', 'create', '-f', y('list.yml')], match: /mapping/ },
      { name: 'a scalar at the top', args: ['online-endpoint', 'create', '-f', y('scalar.yml')] },
      { name: 'empty file', args: ['online-endpoint', 'create', '-f', y('empty.yml')], match: /empty/ },
      { name: 'comments only', args: ['online-endpoint', 'create', '-f', y('comments-only.yml')] },
      { name: 'tab indentation', args: ['online-endpoint', 'create', '-f', y('tabs.yml')] },
      { name: 'alias bomb', args: ['online-endpoint', 'create', '-f', y('alias-bomb.yml')], match: /alias/i },
      { name: 'invalid UTF-8', args: ['online-endpoint', 'create', '-f', y('invalid-utf8.yml')], match: /UTF-8/ },
      { name: 'binary file', args: ['online-endpoint', 'create', '-f', y('binary.yml')] },
      { name: 'a folder as the file', args: ['online-endpoint', 'create', '-f', y('a-folder.yml')], match: /folder/ },
      { name: 'a device as the file', args: ['online-endpoint', 'create', '-n', 'dev-ep', '-f', y('dev-zero.yml')] },
      { name: 'missing file', args: ['online-endpoint', 'create', '-f', y('no-such.yml')], match: /no such file/ },
      { name: 'endpoint: unknown key', args: ['online-endpoint', 'create', '-f', y('ep-unknown-key.yml')], match: /foo/ },
      { name: 'endpoint: unknown key kind', args: ['online-endpoint', 'create', '-f', y('ep-nested-unknown.yml')], match: /kind/ },
      { name: 'endpoint: name is a number', args: ['online-endpoint', 'create', '-f', y('ep-name-number.yml')], match: /letter/ },
      { name: 'endpoint: name too short', args: ['online-endpoint', 'create', '-f', y('ep-name-short.yml')], match: /3 to 32/ },
      { name: 'endpoint: name too long', args: ['online-endpoint', 'create', '-f', y('ep-name-long.yml')], match: /3 to 32/ },
      { name: 'endpoint: name with _', args: ['online-endpoint', 'create', '-f', y('ep-name-underscore.yml')] },
      { name: 'endpoint: name ends with -', args: ['online-endpoint', 'create', '-f', y('ep-name-trailing-dash.yml')], match: /-/ },
      { name: 'endpoint: name starts with a digit', args: ['online-endpoint', 'create', '-f', y('ep-name-digit.yml')], match: /letter/ },
      { name: 'endpoint: no name', args: ['online-endpoint', 'create', '-f', y('ep-no-name.yml')], match: /name/ },
      { name: 'endpoint: aad_token', args: ['online-endpoint', 'create', '-f', y('ep-aad.yml')], match: /aad_token/ },
      { name: 'endpoint: unknown auth_mode', args: ['online-endpoint', 'create', '-f', y('ep-auth-bogus.yml')], match: /password/ },
      { name: 'endpoint: tags as a list', args: ['online-endpoint', 'create', '-f', y('ep-tags-list.yml')], match: /tags/ },
      { name: 'endpoint: traffic at create', args: ['online-endpoint', 'create', '-f', y('ep-traffic-at-create.yml')], match: /traffic/ },
      { name: 'endpoint: exists already', args: ['online-endpoint', 'create', '-f', y('ep-existing.yml')], match: /exists/ },
      { name: 'update: traffic 101', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-101.yml')], match: /101/ },
      { name: 'update: traffic -5', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-neg.yml')], match: /105|-5/ },
      { name: 'update: traffic sums to 90', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-sum.yml')], match: /90/ },
      { name: 'update: fractional traffic', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-frac.yml')], match: /99\.5/ },
      { name: 'update: traffic as a string', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-string.yml')] },
      { name: 'update: traffic to an unknown deployment', args: ['online-endpoint', 'update', '-f', y('ep-update-traffic-unknown.yml')], match: /purple/ },
      { name: 'update: mirror 51', args: ['online-endpoint', 'update', '-f', y('ep-update-mirror-51.yml')], match: /51/ },
      { name: 'update: two mirrors', args: ['online-endpoint', 'update', '-f', y('ep-update-two-mirrors.yml')] },
      { name: 'update: mirror on a live deployment', args: ['online-endpoint', 'update', '-f', y('ep-update-mirror-live.yml')], match: /blue/ },
      { name: 'deployment: instance_count 0', args: ['online-deployment', 'create', '-f', y('dep-count-0.yml')], match: /instance_count/ },
      { name: 'deployment: instance_count 51', args: ['online-deployment', 'create', '-f', y('dep-count-51.yml')], match: /instance_count/ },
      { name: 'deployment: instance_count -1', args: ['online-deployment', 'create', '-f', y('dep-count-neg.yml')], match: /instance_count/ },
      { name: 'deployment: instance_count 1.5', args: ['online-deployment', 'create', '-f', y('dep-count-frac.yml')], match: /instance_count/ },
      { name: 'deployment: instance_count "two"', args: ['online-deployment', 'create', '-f', y('dep-count-string.yml')], match: /instance_count/ },
      { name: 'deployment: no instance_count', args: ['online-deployment', 'create', '-f', y('dep-count-missing.yml')], match: /instance_count/ },
      { name: 'deployment: request_timeout_ms 180001', args: ['online-deployment', 'create', '-f', y('dep-timeout-big.yml')], match: /request_timeout_ms/ },
      { name: 'deployment: request_timeout_ms 0', args: ['online-deployment', 'create', '-f', y('dep-timeout-zero.yml')], match: /request_timeout_ms/ },
      { name: 'deployment: max_concurrent 0', args: ['online-deployment', 'create', '-f', y('dep-concurrency-zero.yml')], match: /max_concurrent/ },
      { name: 'deployment: unknown request_settings key', args: ['online-deployment', 'create', '-f', y('dep-request-unknown.yml')], match: /retries/ },
      { name: 'deployment: negative probe period', args: ['online-deployment', 'create', '-f', y('dep-probe-negative.yml')], match: /period/ },
      { name: 'deployment: probe threshold a string', args: ['online-deployment', 'create', '-f', y('dep-probe-string.yml')], match: /failure_threshold/ },
      { name: 'deployment: unknown key', args: ['online-deployment', 'create', '-f', y('dep-unknown-key.yml')], match: /replicas/ },
      { name: 'deployment: no environment', args: ['online-deployment', 'create', '-f', y('dep-no-environment.yml')], match: /environment/ },
      { name: 'deployment: environment_variables a list', args: ['online-deployment', 'create', '-f', y('dep-env-vars-list.yml')], match: /environment_variables/ },
      { name: 'deployment: unknown scale_settings type', args: ['online-deployment', 'create', '-f', y('dep-scale-bogus.yml')], match: /turbo|type/ },
      { name: 'deployment: bad name', args: ['online-deployment', 'create', '-f', y('dep-bad-name.yml')], match: /Blue_1/ },
      { name: 'deployment: unknown endpoint', args: ['online-deployment', 'create', '-f', y('dep-no-endpoint.yml')], match: /no-such-endpoint/ },
      { name: 'deployment: exists already', args: ['online-deployment', 'create', '-f', y('dep-existing.yml')], match: /blue/ },
      { name: 'deployment: unknown model', args: ['online-deployment', 'create', '-f', y('dep-model-missing.yml')], match: /no-such-model/ },
      { name: 'deployment: malformed model reference', args: ['online-deployment', 'create', '-f', y('dep-model-malformed.yml')] },
      { name: 'deployment: unknown environment', args: ['online-deployment', 'create', '-f', y('dep-env-missing.yml')], match: /no-such-env/ },
      { name: 'deployment: code folder missing', args: ['online-deployment', 'create', '-f', y('dep-code-missing.yml')], match: /no-such-folder/ },
      { name: 'deployment: scoring script missing', args: ['online-deployment', 'create', '-f', y('dep-script-missing.yml')], match: /nope\.py/ },
      { name: 'deployment: scoring script outside the code', args: ['online-deployment', 'create', '-f', y('dep-code-absolute-escape.yml')] },
      { name: 'model: no path', args: ['model', 'create', '-f', y('model-no-path.yml')], match: /path/ },
      { name: 'model: path missing', args: ['model', 'create', '-f', y('model-path-missing.yml')], match: /no-such-model/ },
      { name: 'model: unknown type', args: ['model', 'create', '-f', y('model-type-bogus.yml')], match: /onnx_magic|type/ },
      { name: 'model: unknown key', args: ['model', 'create', '-f', y('model-unknown-key.yml')], match: /weights/ },
      { name: 'model: version with a slash', args: ['model', 'create', '-f', y('model-bad-version.yml')], match: /version/ },
      { name: 'environment: conda file missing', args: ['environment', 'create', '-f', y('env-conda-missing.yml')], match: /no-such-conda/ },
      { name: 'environment: unknown key', args: ['environment', 'create', '-f', y('env-unknown-key.yml')], match: /gpu/ },
      { name: 'environment: port not a number', args: ['environment', 'create', '-f', y('env-port-string.yml')], match: /port/ },
    ];
    await runTable('YAML', table, cliCase, 2);
  });

  it('CLI flags', async () => {
    const table: CliCase[] = [
      { name: 'unknown flag', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--bogus', 'x'], exit: 2, match: /--bogus/ },
      { name: 'ambiguous prefix', args: ['online-endpoint', 'create', '--n', 'flag-ep'], exit: 2, match: /ambiguous/ },
      { name: 'unknown command', args: ['online-endpoint', 'explode', '-n', 'x'], exit: 2 },
      { name: 'unknown group', args: ['online-widget', 'create'], exit: 2 },
      { name: 'missing --name', args: ['online-endpoint', 'show'], exit: 2, match: /name/ },
      { name: 'flag without its value', args: ['online-endpoint', 'show', '--name'], exit: 2, match: /name/ },
      { name: 'repeated single-valued flag', args: ['online-endpoint', 'create', '-n', 'aaa', '-n', 'bbb', '--auth-mode', 'aad_token'] },
      { name: 'bad name by flag', args: ['online-endpoint', 'create', '-n', 'ab'], match: /3 to 32/ },
      { name: 'name with a slash', args: ['online-endpoint', 'create', '-n', 'abc/../def'] },
      { name: '--auth-mode aad_token', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--auth-mode', 'aad_token'], match: /aad_token/ },
      { name: '--auth-mode bogus', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--auth-mode', 'password'] },
      { name: '--set without =', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--set', 'description'], match: /--set/ },
      { name: '--set empty key', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--set', '=1'], match: /--set/ },
      { name: '--set unknown key', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--set', 'colour=red'], match: /colour/ },
      { name: '--set traffic at create', args: ['online-endpoint', 'create', '-n', 'flag-ep', '--set', 'traffic.blue=100'], match: /traffic/ },
      { name: '--set instance_count=abc', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'instance_count=abc'], match: /instance_count/ },
      { name: '--set instance_count=0', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'instance_count=0'], match: /instance_count/ },
      { name: '--set instance_count=51', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'instance_count=51'], match: /instance_count/ },
      { name: '--set request_timeout_ms=180001', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'request_settings.request_timeout_ms=180001'], match: /request_timeout_ms/ },
      { name: '--set into a scalar', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'instance_count.x=1'] },
      { name: '--set unknown nested key', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'request_settings.retries=3'], match: /retries/ },
      { name: '--set bad path syntax', args: ['online-deployment', 'update', '-n', 'blue', '-e', EP, '--set', 'tags..x=1'] },
      { name: '--traffic not a number', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=abc'], exit: 2, match: /blue=abc/ },
      { name: '--traffic no =', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue'], exit: 2 },
      { name: '--traffic 101', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=101'], match: /101/ },
      { name: '--traffic -5', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=105 green=-5'], match: /105|-5/ },
      { name: '--traffic fraction', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=99.5 green=0.5'], match: /99\.5/ },
      { name: '--traffic sum 95', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=90 green=5'], match: /95/ },
      { name: '--traffic repeated name', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=50 blue=50'], match: /blue/ },
      { name: '--traffic empty name', args: ['online-endpoint', 'update', '-n', EP, '--traffic', '=100'] },
      { name: '--traffic colon syntax', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue:100'] },
      { name: '--traffic unknown deployment', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=50 purple=50'], match: /purple/ },
      { name: '--mirror-traffic 51', args: ['online-endpoint', 'update', '-n', EP, '--mirror-traffic', 'green=51'], match: /51/ },
      { name: '--mirror-traffic two mirrors', args: ['online-endpoint', 'update', '-n', EP, '--traffic', 'blue=100', '--mirror-traffic', 'green=10 blue=10'] },
      { name: '--mirror-traffic on the live deployment', args: ['online-endpoint', 'update', '-n', EP, '--mirror-traffic', 'blue=10'], match: /blue/ },
      { name: '--all-traffic with --no-wait', args: ['online-deployment', 'create', '-n', 'nw', '-e', EP, '-f', y('dep-existing.yml'), '--all-traffic', '--no-wait'], match: /no-wait/ },
      { name: '--lines abc', args: ['online-deployment', 'get-logs', '-n', 'blue', '-e', EP, '--lines', 'abc'], exit: 2 },
      { name: '--lines -5', args: ['online-deployment', 'get-logs', '-n', 'blue', '-e', EP, '--lines', '-5'], exit: 2 },
      { name: '--container bogus', args: ['online-deployment', 'get-logs', '-n', 'blue', '-e', EP, '--container', 'sidecar'], exit: 2 },
      { name: '--key-type tertiary', args: ['online-endpoint', 'regenerate-keys', '-n', EP, '--key-type', 'tertiary'], exit: 2 },
      { name: '-o bogus', args: ['online-endpoint', 'list', '-o', 'xml'], exit: 2 },
      { name: '--query invalid', args: ['online-endpoint', 'list', '--query', '[['], exit: 2 },
      { name: 'show unknown endpoint', args: ['online-endpoint', 'show', '-n', 'no-such-ep'], match: /no-such-ep/ },
      { name: 'show unknown deployment', args: ['online-deployment', 'show', '-n', 'purple', '-e', EP], match: /purple/ },
      { name: 'delete a live deployment', args: ['online-deployment', 'delete', '-n', 'blue', '-e', EP, '--yes'], match: /traffic/ },
      { name: 'invoke: missing request file', args: ['online-endpoint', 'invoke', '-n', EP, '-r', 'no-such.json'], match: /no-such\.json/ },
      { name: 'invoke: unknown deployment', args: ['online-endpoint', 'invoke', '-n', EP, '-r', 'request.json', '-d', 'purple'] },
      { name: 'invoke: model rejects the input', args: ['online-endpoint', 'invoke', '-n', EP, '-r', 'bad-request.json'] },
      { name: 'model create: path missing', args: ['model', 'create', '-n', 'flag-model', '--path', 'no-such-dir'], match: /no-such-dir/ },
      { name: 'environment create: conda file missing', args: ['environment', 'create', '-n', 'flag-env', '--image', 'python:3.11', '--conda-file', 'no-such.yml'], match: /no-such\.yml/ },
      { name: 'wrong token', args: ['online-endpoint', 'list'], env: { SWITCHYARD_TOKEN: 'not-a-token' } },
      { name: 'server not listening', args: ['online-endpoint', 'list'], env: { SWITCHYARD_URL: 'http://127.0.0.1:1' } },
      { name: 'URL not a URL', args: ['online-endpoint', 'list'], env: { SWITCHYARD_URL: 'not a url' }, exit: 2, match: /SWITCHYARD_URL/ },
      { name: 'URL of another scheme', args: ['online-endpoint', 'list'], env: { SWITCHYARD_URL: 'ftp://127.0.0.1:21' }, exit: 2 },
      { name: 'invoke: a device as the request file', args: ['online-endpoint', 'invoke', '-n', EP, '-r', '/dev/zero'], exit: 2, match: /regular file/ },
      { name: 'a FIFO as the YAML file', args: ['online-endpoint', 'create', '-f', y('fifo.yml')], match: /regular file/ },
    ];
    await runTable('CLI flags', table, cliCase, 2);
  });

  it('REST bodies (raw HTTP to the control plane)', async () => {
    const E = `/api/v1/endpoints/${EP}`;
    const D = `${E}/deployments`;
    const dep = (extra: Record<string, unknown>) => deploymentBody('rest-dep', codeDigest, extra);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const deepObj = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    const table: HttpCase[] = [
      { name: 'no token', path: '/api/v1/endpoints', noAuth: true, status: 401 },
      { name: 'wrong token', path: '/api/v1/endpoints', noAuth: true, headers: { authorization: 'Bearer nope' }, status: 401 },
      { name: 'basic auth', path: '/api/v1/endpoints', noAuth: true, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, status: 401 },
      { name: 'unknown route', path: '/api/v1/widgets', status: 404 },
      { name: 'unknown method', method: 'PUT', path: E, json: { name: EP } },
      { name: 'invalid JSON', path: '/api/v1/endpoints', body: '{"name": ', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'JSON array', path: '/api/v1/endpoints', json: [{ name: 'rest-ep' }], status: 400 },
      { name: 'JSON string', path: '/api/v1/endpoints', json: 'rest-ep', status: 400 },
      { name: 'JSON null', path: '/api/v1/endpoints', body: 'null', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'empty body', path: '/api/v1/endpoints', body: '', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'text/plain', path: '/api/v1/endpoints', body: '{"name":"rest-ep"}', headers: { 'content-type': 'text/plain' } },
      { name: 'form-urlencoded', path: '/api/v1/endpoints', body: 'name=rest-ep', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { name: 'no content type', path: '/api/v1/endpoints', body: '{"name":"rest-ep"}' },
      { name: 'invalid UTF-8', path: '/api/v1/endpoints', body: Buffer.concat([Buffer.from('{"name":"rest-ep","description":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]), headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'UTF-16 body', path: '/api/v1/endpoints', body: Buffer.from('{"name":"rest-ep"}', 'utf16le'), headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'huge body (17 MiB)', path: '/api/v1/endpoints', body: Array.from({ length: 17 }, (_, i) => Buffer.from(i === 0 ? `{"name":"rest-ep","description":"${'x'.repeat(1024 * 1024 - 33)}` : 'x'.repeat(1024 * 1024))), headers: { 'content-type': 'application/json' }, status: 413 },
      { name: 'deeply nested array', path: '/api/v1/endpoints', body: deep, headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'deeply nested object in tags', path: '/api/v1/endpoints', body: `{"name":"rest-ep","tags":${deepObj}}`, headers: { 'content-type': 'application/json' }, status: 400 },
      { name: '__proto__ key', path: '/api/v1/endpoints', body: '{"name":"rest-ep","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'constructor.prototype key', path: '/api/v1/endpoints', json: { name: 'rest-ep', tags: { constructor: { prototype: { x: 1 } } } }, status: 400 },
      { name: 'endpoint: name a number', path: '/api/v1/endpoints', json: { name: 12345 }, status: 400 },
      { name: 'endpoint: name missing', path: '/api/v1/endpoints', json: { auth_mode: 'key' }, status: 400, code: 'MissingField' },
      { name: 'endpoint: name 33 chars', path: '/api/v1/endpoints', json: { name: 'a'.repeat(33) }, status: 400, code: 'InvalidName' },
      { name: 'endpoint: name with a dot', path: '/api/v1/endpoints', json: { name: 'rest.ep' }, status: 400, code: 'InvalidName' },
      { name: 'endpoint: name with unicode', path: '/api/v1/endpoints', json: { name: 'réseau' }, status: 400, code: 'InvalidName' },
      { name: 'endpoint: name with spaces', path: '/api/v1/endpoints', json: { name: ' rest-ep ' }, status: 400, code: 'InvalidName' },
      { name: 'endpoint: unknown key', path: '/api/v1/endpoints', json: { name: 'rest-ep', colour: 'red' }, status: 400, code: 'UnknownKey' },
      { name: 'endpoint: aad_token', path: '/api/v1/endpoints', json: { name: 'rest-ep', auth_mode: 'aad_token' }, status: 400, code: 'AuthModeUnsupported' },
      { name: 'endpoint: auth_mode a number', path: '/api/v1/endpoints', json: { name: 'rest-ep', auth_mode: 1 }, status: 400 },
      { name: 'endpoint: tags a list', path: '/api/v1/endpoints', json: { name: 'rest-ep', tags: ['a'] }, status: 400 },
      { name: 'endpoint: traffic at create', path: '/api/v1/endpoints', json: { name: 'rest-ep', traffic: { blue: 100 } }, status: 400, code: 'TrafficNotAllowedAtCreate' },
      { name: 'endpoint: exists', path: '/api/v1/endpoints', json: { name: EP }, status: 409, code: 'EndpointExists' },
      { name: 'PATCH: traffic 101', method: 'PATCH', path: E, json: { traffic: { blue: 101 } }, status: 400 },
      { name: 'PATCH: traffic -5', method: 'PATCH', path: E, json: { traffic: { blue: 105, green: -5 } }, status: 400 },
      { name: 'PATCH: traffic 1.5', method: 'PATCH', path: E, json: { traffic: { blue: 98.5, green: 1.5 } }, status: 400 },
      { name: 'PATCH: traffic as a string of digits (no coercion)', method: 'PATCH', path: E, json: { traffic: { blue: '100' } }, status: 400, code: 'InvalidValue' },
      { name: 'PATCH: mirror as a string of digits (no coercion)', method: 'PATCH', path: E, json: { mirror_traffic: { green: '10' } }, status: 400, code: 'InvalidValue' },
      { name: 'PATCH: traffic "all"', method: 'PATCH', path: E, json: { traffic: { blue: 'all' } }, status: 400 },
      { name: 'PATCH: traffic a list', method: 'PATCH', path: E, json: { traffic: [['blue', 100]] }, status: 400 },
      { name: 'PATCH: traffic sum 90', method: 'PATCH', path: E, json: { traffic: { blue: 60, green: 30 } }, status: 400, code: 'TrafficSumInvalid' },
      { name: 'PATCH: traffic unknown deployment', method: 'PATCH', path: E, json: { traffic: { blue: 50, purple: 50 } }, status: 400, code: 'TrafficUnknownDeployment' },
      { name: 'PATCH: traffic huge number', method: 'PATCH', path: E, json: { traffic: { blue: 1e308 } }, status: 400 },
      { name: 'PATCH: mirror 51', method: 'PATCH', path: E, json: { mirror_traffic: { green: 51 } }, status: 400, code: 'MirrorInvalid' },
      { name: 'PATCH: two mirrors', method: 'PATCH', path: E, json: { traffic: { blue: 100 }, mirror_traffic: { green: 10, blue: 10 } }, status: 400 },
      { name: 'PATCH: mirror on the live deployment', method: 'PATCH', path: E, json: { mirror_traffic: { blue: 10 } }, status: 400, code: 'MirrorHasLiveTraffic' },
      { name: 'PATCH: mirror unknown deployment', method: 'PATCH', path: E, json: { mirror_traffic: { purple: 10 } }, status: 400 },
      { name: 'PATCH: other name', method: 'PATCH', path: E, json: { name: 'other-ep' }, status: 400 },
      { name: 'PATCH: aad_token', method: 'PATCH', path: E, json: { auth_mode: 'aad_token' }, status: 400 },
      { name: 'PATCH: unknown endpoint', method: 'PATCH', path: '/api/v1/endpoints/no-such-ep', json: { description: 'x' }, status: 404 },
      { name: 'deployment: instance_count 0', path: D, json: dep({ instance_count: 0 }), status: 400, code: 'InvalidValue' },
      { name: 'deployment: instance_count 51', path: D, json: dep({ instance_count: 51 }), status: 400, code: 'InvalidValue' },
      { name: 'deployment: instance_count -1', path: D, json: dep({ instance_count: -1 }), status: 400, code: 'InvalidValue' },
      { name: 'deployment: instance_count 1.5', path: D, json: dep({ instance_count: 1.5 }), status: 400, code: 'InvalidValue' },
      { name: 'deployment: instance_count "one"', path: D, json: dep({ instance_count: 'one' }), status: 400 },
      { name: 'deployment: instance_count null', path: D, json: dep({ instance_count: null }), status: 400 },
      { name: 'deployment: request_timeout_ms 180001', path: D, json: dep({ request_settings: { request_timeout_ms: 180001 } }), status: 400, code: 'InvalidValue' },
      { name: 'deployment: request_timeout_ms -1', path: D, json: dep({ request_settings: { request_timeout_ms: -1 } }), status: 400 },
      { name: 'deployment: request_settings a string', path: D, json: dep({ request_settings: 'fast' }), status: 400 },
      { name: 'deployment: unknown nested key', path: D, json: dep({ request_settings: { retries: 3 } }), status: 400, code: 'UnknownKey' },
      { name: 'deployment: unknown key', path: D, json: dep({ replicas: 3 }), status: 400, code: 'UnknownKey' },
      { name: 'deployment: no environment', path: D, json: { ...dep({}), environment: undefined }, status: 400 },
      { name: 'deployment: no name', path: D, json: { ...dep({}), name: undefined }, status: 400 },
      { name: 'deployment: bad name', path: D, json: dep({ name: '-blue' }), status: 400, code: 'InvalidName' },
      { name: 'deployment: code artifact not uploaded', path: D, json: dep({ code_configuration: { code: `sha256:${'0'.repeat(64)}`, scoring_script: 'score.py' } }), status: 404, code: 'ArtifactNotFound' },
      { name: 'deployment: code a local path', path: D, json: dep({ code_configuration: { code: '/etc', scoring_script: 'passwd' } }), status: 400 },
      { name: 'deployment: model reference malformed', path: D, json: dep({ model: 'azureml:' }), status: 400 },
      { name: 'deployment: model not found', path: D, json: dep({ model: 'azureml:no-such-model:1' }), status: 404, code: 'ModelNotFound' },
      { name: 'deployment: environment not found', path: D, json: dep({ environment: 'azureml:no-such-env@latest' }), status: 404, code: 'EnvironmentNotFound' },
      { name: 'deployment: environment_variables values objects', path: D, json: dep({ environment_variables: { A: { b: 1 } } }), status: 400 },
      { name: 'deployment: probe period 0', path: D, json: dep({ liveness_probe: { period: 0 } }), status: 400 },
      { name: 'deployment: exists', path: D, json: deploymentBody('blue', codeDigest), status: 409, code: 'DeploymentExists' },
      { name: 'deployment: unknown endpoint', path: '/api/v1/endpoints/no-such-ep/deployments', json: dep({}), status: 404, code: 'EndpointNotFound' },
      { name: 'deployment PATCH: instance_count 0', method: 'PATCH', path: `${D}/blue`, json: { instance_count: 0 }, status: 400 },
      { name: 'deployment PATCH: unknown key', method: 'PATCH', path: `${D}/blue`, json: { replicas: 2 }, status: 400, code: 'UnknownKey' },
      { name: 'deployment PATCH: rename', method: 'PATCH', path: `${D}/blue`, json: { name: 'blue2' }, status: 400 },
      { name: 'deployment PATCH: unknown deployment', method: 'PATCH', path: `${D}/purple`, json: { instance_count: 1 }, status: 404 },
      { name: 'DELETE a live deployment', method: 'DELETE', path: `${D}/blue`, status: 409, code: 'DeploymentHasLiveTraffic' },
      { name: 'regenerate-keys: bogus type', path: `${E}/regenerate-keys`, json: { keyType: 'tertiary' }, status: 400 },
      { name: 'regenerate-keys: no body', path: `${E}/regenerate-keys`, body: '', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'token on a key endpoint', path: `${E}/token`, body: '', headers: { 'content-type': 'application/json' }, status: 400, code: 'AuthModeMismatch' },
      { name: 'list-keys on an aml_token endpoint', path: `/api/v1/endpoints/${TOK_EP}/list-keys`, body: '', headers: { 'content-type': 'application/json' }, status: 400, code: 'AuthModeMismatch' },
      { name: 'logs: lines abc', path: `${D}/blue/logs?lines=abc`, status: 400 },
      { name: 'logs: lines -1', path: `${D}/blue/logs?lines=-1`, status: 400 },
      { name: 'logs: container bogus', path: `${D}/blue/logs?container=sidecar`, status: 400 },
      { name: 'operation: wait abc', path: '/api/v1/operations/x?wait=abc', status: 400 },
      { name: 'operation: unknown', path: '/api/v1/operations/no-such-operation', status: 404 },
      { name: 'encoded path traversal', path: '/api/v1/endpoints/..%2F..%2Fetc%2Fpasswd' },
      { name: 'very long URL', path: `/api/v1/endpoints/${'a'.repeat(70_000)}` },
      { name: 'model: path not a digest', path: '/api/v1/models', json: { name: 'rest-model', version: '1', path: '/etc/passwd' }, status: 400 },
      { name: 'model: digest not uploaded', path: '/api/v1/models', json: { name: 'rest-model', version: '1', path: `sha256:${'1'.repeat(64)}` }, status: 404 },
      { name: 'model: bad type', path: '/api/v1/models', json: { name: 'rest-model', version: '1', path: codeDigest, type: 'onnx_magic' }, status: 400 },
      { name: 'model: version an object', path: '/api/v1/models', json: { name: 'rest-model', version: { v: 1 }, path: codeDigest }, status: 400 },
      { name: 'model: name with a slash', path: '/api/v1/models', json: { name: 'a/b', version: '1', path: codeDigest }, status: 400 },
      { name: 'model: same version, other content', path: '/api/v1/models', json: { name: 'bi-model', version: '1', path: codeDigest }, status: 409, code: 'AssetImmutable' },
      { name: 'environment: inference_config port a string', path: '/api/v1/environments', json: { name: 'rest-env', version: '1', image: 'x', inference_config: { scoring_route: { port: 'http', path: '/' } } }, status: 400 },
      { name: 'environment: conda_file a number', path: '/api/v1/environments', json: { name: 'rest-env', version: '1', image: 'x', conda_file: 7 }, status: 400 },
      { name: 'environment: same version, other content', path: '/api/v1/environments', json: { name: 'bi-env', version: '1', image: 'python:3.12' }, status: 409, code: 'AssetImmutable' },
    ];
    await runTable('REST', table, (c) => httpCase('control', c));
  });

  it('archives (raw HTTP uploads)', async () => {
    const up = (name: string, body: Buffer | string, query = 'kind=dir&name=code', contentType = 'application/gzip', extra: Partial<HttpCase> = {}): HttpCase =>
      ({ name, path: `/api/v1/artifacts?${query}`, body, headers: { 'content-type': contentType }, ...extra });
    const good = await folderArchive({ 'score.py': 'x = 1\n' });
    const big = gzipSync(Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 2654435761) % 251)), { level: 0 });
    const table: HttpCase[] = [
      up('path traversal ../', rawArchive([{ name: '../evil.txt', content: 'x' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('nested traversal a/../../', rawArchive([{ name: 'a/../../evil.txt', content: 'x' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('absolute path', rawArchive([{ name: '/tmp/evil.txt', content: 'x' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('symlink', rawArchive([{ name: 'link', type: '2', link: '/etc/passwd' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('relative symlink out', rawArchive([{ name: 'link', type: '2', link: '../../../etc' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('hardlink', rawArchive([{ name: 'a.txt', content: 'x' }, { name: 'b.txt', type: '1', link: 'a.txt' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('hardlink to /etc/passwd', rawArchive([{ name: 'pw', type: '1', link: '/etc/passwd' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('character device', rawArchive([{ name: 'null', type: '3' }]), undefined, undefined, { status: 400, code: 'InvalidArtifact' }),
      up('over the size limit', big, undefined, undefined, { status: 413, code: 'PayloadTooLarge' }),
      up('over the size limit, no length', big, undefined, undefined, { status: 413, headers: { 'content-type': 'application/gzip', 'transfer-encoding': 'chunked' } }),
      up('not gzip', 'hello, I am not an archive'),
      up('truncated gzip', good.subarray(0, Math.floor(good.length / 2))),
      up('gzip of garbage', gzipSync(Buffer.from('not a tar file at all, just words '.repeat(40)))),
      up('empty body', Buffer.alloc(0)),
      up('JSON content type', good, undefined, 'application/json'),
      up('text content type', good, undefined, 'text/plain'),
      up('kind bogus', good, 'kind=zip&name=code', undefined, { status: 400 }),
      up('kind missing', good, 'name=code', undefined, { status: 400 }),
      up('kind=file with two files', rawArchive([{ name: 'a.txt', content: 'a' }, { name: 'b.txt', content: 'b' }]), 'kind=file&name=a.txt', undefined, { status: 400 }),
      up('kind=file with no file', rawArchive([]), 'kind=file&name=a.txt', undefined, { status: 400 }),
      up('name ../../x', good, 'kind=dir&name=../../x', undefined, { status: 400 }),
      up('name ..', good, 'kind=dir&name=..', undefined, { status: 400 }),
      up('name with a NUL', good, 'kind=dir&name=a%00b', undefined, { status: 400 }),
      { name: 'GET artifact: not a digest', path: '/api/v1/artifacts/..%2F..%2Fetc' },
    ];
    await runTable('archives', table, (c) => httpCase('control', c));
  });

  it('scoring requests (raw HTTP to the gateway)', async () => {
    const S = `/endpoints/${EP}/score`;
    const json = { 'content-type': 'application/json' };
    const table: HttpCase[] = [
      { name: 'no key', path: S, body: '{"data":[1]}', headers: json, noAuth: true, status: 401 },
      { name: 'wrong key', path: S, body: '{"data":[1]}', headers: { ...json, authorization: 'Bearer wrong' }, noAuth: true, status: 401 },
      { name: 'empty bearer', path: S, body: '{"data":[1]}', headers: { ...json, authorization: 'Bearer ' }, noAuth: true, status: 401 },
      { name: 'key of another scheme', path: S, body: '{"data":[1]}', headers: { ...json, authorization: `Basic ${key}` }, noAuth: true, status: 401 },
      { name: 'unknown endpoint', path: '/endpoints/no-such-ep/score', body: '{"data":[1]}', headers: json, status: 404 },
      { name: 'unknown deployment header', path: S, body: '{"data":[1]}', headers: { ...json, 'azureml-model-deployment': 'purple' }, status: 404 },
      { name: 'no deployment with traffic', path: `/endpoints/${TOK_EP}/score`, body: '{"data":[1]}', headers: json, noAuth: true, status: 401 },
      { name: 'invalid JSON', path: S, body: '{"data": [1,', headers: json, status: 424 },
      { name: 'wrong shape', path: S, body: '{"rows": [1]}', headers: json, status: 424 },
      { name: 'empty body', path: S, body: '', headers: json, status: 424 },
      { name: 'invalid UTF-8', path: S, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: json },
      { name: 'wrong content type', path: S, body: '<data>1</data>', headers: { 'content-type': 'application/xml' }, status: 424 },
      { name: 'over 64 MiB by Content-Length', path: S, body: Buffer.alloc(16), headers: { ...json, 'content-length': 65 * 1024 * 1024 }, status: 413 },
      { name: 'over 64 MiB chunked', path: S, body: Array.from({ length: 66 }, () => Buffer.alloc(1024 * 1024, 0x20)), headers: { ...json, 'transfer-encoding': 'chunked' }, status: 413 },
      { name: 'path traversal', path: `/endpoints/${EP}/../../etc/passwd` },
      { name: 'GET on score', method: 'GET', path: S },
    ];
    await runTable('scoring', table, (c) => httpCase('gateway', c));
    // The deployment still answers well-formed requests.
    const okRes = await raw(server.gatewayUrl + S, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"data":[1,2]}' });
    assert.equal(okRes.status, 200, okRes.text);
    assert.ok(await server.healthy());
  });

  it('counts at least 100 cases', () => {
    assert.ok(cases >= 100, `only ${cases} cases`);
  });
});
