// The control API end to end over real HTTP, with a real SQLite file, a FakeBackend and a FakeGateway:
// every resource created, shown, listed, updated and deleted; refusals answered with the catalogue's
// codes and leaving state unchanged; operations and their conflicts; what the gateway is given.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startHarness, removeDir, eventually, type Harness } from './control-harness.js';
import { artifactDigestPrefix } from '../../src/store/artifact-store.js';
import { folderArchive, rawArchive } from './control-archives.js';

let h: Harness;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function upload(archive: Buffer, kind: 'dir' | 'file', name: string) {
  const res = await fetch(`${h.url}/api/v1/artifacts?kind=${kind}&name=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' }, body: new Uint8Array(archive),
  });
  return { status: res.status, body: await res.json() as any };
}

async function waitOp(id: string) {
  const r = await h.call('GET', `/api/v1/operations/${id}?wait=10`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** GETs that together show the whole state a refusal must not change. */
async function state() {
  const eps = await h.call('GET', '/api/v1/endpoints');
  const deps = await Promise.all(eps.body.value.map((e: any) => h.call('GET', `/api/v1/endpoints/${e.name}/deployments`)));
  const strip = (v: any) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'instances' ? undefined : x)));
  return strip({ eps: eps.body, deps: deps.map((d) => d.body), models: (await h.call('GET', '/api/v1/models')).body });
}

let modelDigest: string;
let codeDigest: string;
let model2Digest: string;

before(async () => {
  h = await startHarness(undefined, { maxArtifactBytes: 64 * 1024 });
});
after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

describe('auth and meta routes', () => {
  it('health answers without a token', async () => {
    const res = await fetch(`${h.url}/api/v1/health`);
    assert.equal(res.status, 200);
    const body = await res.json() as any;
    assert.equal(body.status, 'ok');
    assert.equal(typeof body.version, 'string');
  });

  it('every other route needs the admin token', async () => {
    for (const path of ['/api/v1/endpoints', '/api/v1/models', '/metrics', '/api/v1/openapi.json', '/api/v1/nope']) {
      const none = await fetch(h.url + path);
      assert.equal(none.status, 401, path);
      assert.equal((await none.json() as any).error.code, 'Unauthorized');
      const wrong = await fetch(h.url + path, { headers: { authorization: 'Bearer not-the-token' } });
      assert.equal(wrong.status, 401, path);
    }
    const basic = await fetch(`${h.url}/api/v1/endpoints`, { headers: { authorization: `Basic ${h.token}` } });
    assert.equal(basic.status, 401);
  });

  it('the admin token file is 0600 and holds 32 random bytes', () => {
    const path = join(h.dataDir, 'admin-token');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url').length, 32);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const r = await h.call('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.body.openapi, /^3\./);
    for (const p of ['/api/v1/endpoints', '/api/v1/endpoints/{name}', '/api/v1/endpoints/{endpoint}/deployments/{name}', '/api/v1/operations/{id}', '/api/v1/artifacts']) {
      assert.ok(r.body.paths[p], `missing ${p}`);
    }
    assert.ok(r.body.paths['/api/v1/endpoints'].post.requestBody);
    // The bounds are the schema's own, not description text.
    const body = r.body.paths['/api/v1/endpoints/{endpoint}/deployments'].post.requestBody.content['application/json'].schema;
    assert.deepEqual([body.properties.instance_count.minimum, body.properties.instance_count.maximum], [1, 50]);
    assert.equal(body.properties.request_settings.properties.request_timeout_ms.maximum, 180000);
    assert.equal(body.properties.request_settings.properties.request_timeout_ms.default, 5000);
    assert.equal(body.additionalProperties, false);
    assert.ok(body.required.includes('instance_count'));
    const endpoint = r.body.paths['/api/v1/endpoints'].post.requestBody.content['application/json'].schema;
    assert.equal(endpoint.properties.name.maxLength, 32);
    assert.deepEqual(endpoint.properties.public_network_access['x-choices'], ['enabled', 'disabled']);
  });

  it('unknown routes answer 404 NotFound in the error shape', async () => {
    const r = await h.call('GET', '/api/v1/nope');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'NotFound');
  });

  it('invalid JSON is a 400, not a 500', async () => {
    const res = await fetch(`${h.url}/api/v1/endpoints`, {
      method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: '{"name": ',
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as any).error.code, 'BadRequest');
  });
});

describe('artifacts', () => {
  it('keeps kind and name apart: a folder holding one file and that file alone are two artifacts', async () => {
    // Both pack to the same bytes; staged, one is <folder>/<file> under AZUREML_MODEL_DIR, the other <file>.
    const archive = await folderArchive({ 'only.pkl': 'same-bytes' });
    const asDir = await upload(archive, 'dir', 'model');
    const asFile = await upload(archive, 'file', 'only.pkl');
    assert.equal(asDir.status, 201, JSON.stringify(asDir.body));
    assert.equal(asFile.status, 201, JSON.stringify(asFile.body));
    assert.notEqual(asDir.body.digest, asFile.body.digest);
    assert.deepEqual([asDir.body.kind, asDir.body.name, asFile.body.kind, asFile.body.name], ['dir', 'model', 'file', 'only.pkl']);
    const renamed = await upload(archive, 'dir', 'model-v2');
    assert.equal(renamed.body.name, 'model-v2', 'the same folder contents under another name keep that name');
  });

  it('stores a folder by digest, read-only, and answers 200 for the same bytes again', async () => {
    const archive = await folderArchive({ 'model.pkl': 'weights-1', 'sub/extra.txt': 'x' });
    const first = await upload(archive, 'dir', 'model');
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.match(first.body.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.body.digest, `sha256:${createHash('sha256').update(artifactDigestPrefix('dir', 'model')).update(archive).digest('hex')}`);
    assert.equal(first.body.files, 2);
    assert.equal(first.body.kind, 'dir');
    modelDigest = first.body.digest;
    const dir = join(h.dataDir, 'artifacts', modelDigest.slice(7));
    assert.equal(readFileSync(join(dir, 'model.pkl'), 'utf8'), 'weights-1');
    assert.equal(statSync(join(dir, 'sub/extra.txt')).mode & 0o222, 0, 'files are read-only');
    const again = await upload(archive, 'dir', 'model');
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    const shown = await h.call('GET', `/api/v1/artifacts/${modelDigest}`);
    assert.deepEqual(shown.body, first.body);
    codeDigest = (await upload(await folderArchive({ 'score.py': 'def init(): pass\ndef run(d): return d\n' }), 'dir', 'code')).body.digest;
    model2Digest = (await upload(await folderArchive({ 'model.pkl': 'weights-2' }), 'dir', 'model')).body.digest;
  });

  it('refuses entries that could escape or are not plain files, naming the entry', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [rawArchive([{ name: 'ok.txt', content: 'a' }, { name: '../evil.txt', content: 'x' }]), /"\.\.\/evil\.txt".*'\.\.'/],
      [rawArchive([{ name: '/etc/evil', content: 'x' }]), /"\/etc\/evil".*absolute/],
      [rawArchive([{ name: 'link', type: '2', link: '/etc/passwd' }]), /"link".*SymbolicLink/],
      [rawArchive([{ name: 'a.txt', content: 'a' }, { name: 'hard', type: '1', link: 'a.txt' }]), /"hard".*Link/],
      [rawArchive([{ name: 'dev', type: '3' }]), /"dev".*CharacterDevice/],
    ];
    for (const [archive, message] of cases) {
      const r = await upload(archive, 'dir', 'bad');
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'InvalidArtifact');
      assert.match(r.body.error.message, message);
    }
    assert.equal((await upload(Buffer.from('not a tarball at all'), 'dir', 'x')).body.error.code, 'InvalidArtifact');
    const two = await upload(await folderArchive({ 'a': '1', 'b': '2' }), 'file', 'a');
    assert.equal(two.body.error.code, 'InvalidArtifact');
    assert.match(two.body.error.message, /exactly one file/);
  });

  it('refuses an upload over the size limit with 413, and bad query parameters with 400', async () => {
    const big = Buffer.alloc(70 * 1024, 1);
    const r = await upload(big, 'dir', 'big');
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'PayloadTooLarge');
    const badKind = await fetch(`${h.url}/api/v1/artifacts?kind=folder&name=x`, {
      method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' }, body: Buffer.from('x'),
    });
    assert.equal(badKind.status, 400);
    assert.equal((await badKind.json() as any).error.code, 'InvalidValue');
    assert.equal((await h.call('GET', `/api/v1/artifacts/sha256:${'0'.repeat(64)}`)).body.error.code, 'ArtifactNotFound');
  });
});

describe('models and environments', () => {
  it('registers versions, auto-increments, and keeps assets immutable', async () => {
    const a = await h.call('POST', '/api/v1/models', { name: 'sklearn', path: modelDigest });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.version, '1');
    assert.equal(a.body.type, 'custom_model');
    const b = await h.call('POST', '/api/v1/models', { name: 'sklearn', path: model2Digest, description: 'v2' });
    assert.equal(b.body.version, '2');
    const same = await h.call('POST', '/api/v1/models', { name: 'sklearn', version: 1, path: modelDigest });
    assert.equal(same.status, 200);
    assert.equal(same.body.created_at, a.body.created_at);
    const other = await h.call('POST', '/api/v1/models', { name: 'sklearn', version: '1', path: model2Digest });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'AssetImmutable');
    assert.equal((await h.call('GET', '/api/v1/models/sklearn/versions/latest')).body.version, '2');
    assert.equal((await h.call('GET', '/api/v1/models/sklearn/versions/1')).body.path, modelDigest);
    assert.deepEqual((await h.call('GET', '/api/v1/models/sklearn/versions')).body.value.map((m: any) => m.version), ['1', '2']);
    assert.deepEqual((await h.call('GET', '/api/v1/models')).body.value.map((m: any) => `${m.name}:${m.version}`), ['sklearn:2']);
  });

  it('refuses bad asset input with 4xx codes', async () => {
    assert.equal((await h.call('POST', '/api/v1/models', { name: 'm', path: `sha256:${'1'.repeat(64)}` })).body.error.code, 'ArtifactNotFound');
    assert.equal((await h.call('POST', '/api/v1/models', { name: 'm', path: '/local/path' })).body.error.code, 'InvalidReference');
    assert.equal((await h.call('POST', '/api/v1/models', { path: modelDigest })).body.error.code, 'MissingField');
    assert.equal((await h.call('POST', '/api/v1/models', { name: 'm', path: modelDigest, colour: 'red' })).body.error.code, 'UnknownKey');
    assert.equal((await h.call('POST', '/api/v1/models', { name: 'm', path: modelDigest, type: 'onnx' })).body.error.code, 'InvalidValue');
    assert.equal((await h.call('GET', '/api/v1/models/nope/versions/1')).body.error.code, 'ModelNotFound');
    assert.equal((await h.call('GET', '/api/v1/models/nope/versions')).status, 404);
  });

  it('registers environments the same way', async () => {
    const env = { name: 'sklearn-env', image: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest', conda_file: { dependencies: ['python=3.9', 'scikit-learn'] } };
    const a = await h.call('POST', '/api/v1/environments', env);
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.version, '1');
    assert.equal((await h.call('POST', '/api/v1/environments', { ...env, version: '1' })).status, 200);
    assert.equal((await h.call('POST', '/api/v1/environments', { ...env, version: '1', image: 'other' })).body.error.code, 'AssetImmutable');
    assert.equal((await h.call('POST', '/api/v1/environments', { ...env, conda_file: 'conda.yml' })).body.error.code, 'InvalidValue');
    assert.equal((await h.call('GET', '/api/v1/environments/sklearn-env/versions/latest')).body.image, env.image);
    assert.equal((await h.call('GET', '/api/v1/environments')).body.value.length, 1);
    assert.equal((await h.call('GET', '/api/v1/environments/nope/versions/latest')).body.error.code, 'EnvironmentNotFound');
  });
});

describe('endpoints', () => {
  it('creates an endpoint: 202 with the operation, state committed, routes published', async () => {
    const r = await h.call('POST', '/api/v1/endpoints', { $schema: 'https://azuremlschemas/x.json', name: 'my-endpoint', auth_mode: 'Key', tags: { team: 'ml' } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.operation.kind, 'endpoint.create');
    assert.equal(r.body.operation.status, 'Succeeded');
    assert.equal(r.body.endpoint.provisioning_state, 'Succeeded');
    assert.equal(r.body.endpoint.auth_mode, 'key');
    assert.equal(r.body.endpoint.scoring_uri, `${h.gateway.url}/endpoints/my-endpoint/score`);
    assert.equal(r.body.endpoint.openapi_uri, `${h.gateway.url}/endpoints/my-endpoint/swagger.json`);
    assert.equal(r.body.endpoint.kind, 'Managed');
    assert.equal(r.body.endpoint.public_network_access, 'enabled');
    assert.deepEqual(r.body.endpoint.traffic, {});
    const shown = await h.call('GET', '/api/v1/endpoints/my-endpoint');
    assert.deepEqual(shown.body.tags, { team: 'ml' });
    assert.ok(shown.body.properties.createdAt);
    assert.ok(h.gateway.last?.endpoints['my-endpoint']);
    assert.equal(h.gateway.last!.endpoints['my-endpoint']!.authMode, 'key');
    assert.equal((await h.call('GET', '/api/v1/endpoints')).body.value.length, 1);
  });

  it('refuses bad endpoints, leaving state unchanged', async () => {
    const before = await state();
    const cases: Array<[unknown, number, string, RegExp?]> = [
      [{ name: 'my-endpoint' }, 409, 'EndpointExists'],
      [{ name: 'MY-Endpoint' }, 409, 'EndpointExists', /unique regardless of case/],
      [{ name: 'ab' }, 400, 'InvalidName', /3 to 32/],
      [{ name: '1abc' }, 400, 'InvalidName', /start with a letter/],
      [{ name: 'abc-' }, 400, 'InvalidName', /end with '-'/],
      [{ name: 'a_bc' }, 400, 'InvalidName', /"_"/],
      [{ name: 'tok', auth_mode: 'aad_token' }, 400, 'AuthModeUnsupported', /cloud-only/],
      [{ name: 'tok', auth_mode: 'password' }, 400, 'InvalidValue', /auth_mode/],
      [{ name: 'tok', traffic: { blue: 100 } }, 400, 'TrafficNotAllowedAtCreate'],
      [{ name: 'tok', colour: 'red' }, 400, 'UnknownKey', /"colour"/],
      [{ name: 'tok', tags: 'x' }, 400, 'InvalidValue'],
      [{ auth_mode: 'key' }, 400, 'MissingField', /name/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await h.call('POST', '/api/v1/endpoints', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`);
      assert.equal(r.body.error.code, code, JSON.stringify(body));
      if (message) assert.match(r.body.error.message, message);
    }
    assert.deepEqual(await state(), before);
  });

  it('accepts traffic of all zeros at create, and aml_token endpoints mint tokens', async () => {
    const r = await h.call('POST', '/api/v1/endpoints', { name: 'tok-endpoint', auth_mode: 'AML_TOKEN', traffic: { blue: 0 } });
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.body.endpoint.traffic, {});
    const t = await h.call('POST', '/api/v1/endpoints/tok-endpoint/token');
    assert.equal(t.status, 200, t.text);
    assert.equal(t.body.tokenType, 'Bearer');
    const ttl = Date.parse(t.body.expiryTimeUtc) - Date.now();
    assert.ok(ttl > 23 * 3600e3 && ttl <= 24 * 3600e3 + 1000, `ttl ${ttl}`);
    assert.equal((await h.call('POST', '/api/v1/endpoints/tok-endpoint/list-keys')).body.error.code, 'AuthModeMismatch');
    assert.equal((await h.call('POST', '/api/v1/endpoints/my-endpoint/token')).body.error.code, 'AuthModeMismatch');
    assert.equal((await h.call('DELETE', '/api/v1/endpoints/tok-endpoint')).status, 202);
    await eventually(async () => (await h.call('GET', '/api/v1/endpoints/tok-endpoint')).status === 404);
  });

  it('lists and regenerates keys; the gateway gets only their hashes, at once', async () => {
    const keys = (await h.call('POST', '/api/v1/endpoints/my-endpoint/list-keys')).body;
    assert.equal(Buffer.from(keys.primaryKey, 'base64url').length, 32);
    assert.notEqual(keys.primaryKey, keys.secondaryKey);
    assert.deepEqual(h.gateway.last!.endpoints['my-endpoint']!.keyHashes, [sha(keys.primaryKey), sha(keys.secondaryKey)]);
    assert.ok(!JSON.stringify(h.gateway.snapshots).includes(keys.primaryKey));
    const r = await h.call('POST', '/api/v1/endpoints/my-endpoint/regenerate-keys', { keyType: 'secondary' });
    assert.equal(r.status, 200);
    assert.equal(r.body.primaryKey, keys.primaryKey);
    assert.notEqual(r.body.secondaryKey, keys.secondaryKey);
    assert.deepEqual(h.gateway.last!.endpoints['my-endpoint']!.keyHashes, [sha(keys.primaryKey), sha(r.body.secondaryKey)]);
    const bad = await h.call('POST', '/api/v1/endpoints/my-endpoint/regenerate-keys', { keyType: 'tertiary' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidValue');
    assert.equal((await h.call('POST', '/api/v1/endpoints/nope-nope/list-keys')).body.error.code, 'EndpointNotFound');
  });

  it('updates description and tags, keeping what is not named', async () => {
    const r = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { description: 'the walkthrough' });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.operation.status, 'Succeeded');
    assert.equal(r.body.endpoint.description, 'the walkthrough');
    assert.deepEqual(r.body.endpoint.tags, { team: 'ml' });
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { name: 'other-name' })).body.error.code, 'InvalidValue');
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/nope-nope', { description: 'x' })).status, 404);
  });
});

function blueInput(extra: Record<string, unknown> = {}) {
  return {
    name: 'blue',
    endpoint_name: 'my-endpoint',
    model: 'azureml:sklearn:1',
    code_configuration: { code: codeDigest, scoring_script: 'score.py' },
    environment: 'azureml:sklearn-env@latest',
    instance_type: 'Standard_DS3_v2',
    instance_count: 1,
    ...extra,
  };
}

describe('deployments, traffic and operations', () => {
  it('creates a deployment: 202 Creating, then the reconciler makes it Succeeded', async () => {
    const r = await h.call('POST', '/api/v1/endpoints/my-endpoint/deployments', blueInput({ app_insights_enabled: true }));
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.operation.kind, 'deployment.create');
    assert.equal(r.body.deployment.provisioning_state, 'Creating');
    const op = await waitOp(r.body.operation.id);
    assert.equal(op.status, 'Succeeded', JSON.stringify(op));
    const d = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body;
    assert.equal(d.provisioning_state, 'Succeeded');
    assert.equal(d.model, 'azureml:sklearn:1');
    assert.equal(d.environment, 'azureml:sklearn-env:1');
    assert.equal(d.code_configuration.code, codeDigest);
    assert.equal(d.app_insights_enabled, true);
    assert.equal(d.type, 'managed');
    assert.deepEqual(d.request_settings, { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 });
    assert.deepEqual(d.liveness_probe, { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 });
    assert.deepEqual(d.scale_settings, { type: 'default' });
    // The instance type's memory is the per-instance memory limit (no resources.limits.memory given).
    assert.equal(d.instance_type, 'Standard_DS3_v2');
    assert.equal(d.memory_limit, '14Gi');
    assert.equal(h.backend.ensured.at(-1)!.memoryLimitBytes, 14 * 2 ** 30);
    assert.equal(d.instances.length, 1);
    assert.ok(d.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    const t = h.backend.ensured.at(-1)!;
    assert.equal(t.model!.dir, join(h.dataDir, 'artifacts', modelDigest.slice(7)));
    assert.equal(t.model!.assetName, 'sklearn');
    assert.equal(t.code!.scoringScript, 'score.py');
    assert.equal(t.instanceCount, 1);
    // show fills 0 for a deployment without traffic
    assert.deepEqual((await h.call('GET', '/api/v1/endpoints/my-endpoint')).body.traffic, { blue: 0 });
    // the gateway knows blue and its ready instance, but routes nothing to it yet
    const route = h.gateway.last!.endpoints['my-endpoint']!;
    assert.equal(route.deployments.blue!.instances.length, 1);
    assert.deepEqual(route.traffic, []);
  });

  it('refuses bad deployments, leaving state unchanged', async () => {
    const before = await state();
    const base = blueInput({ name: 'green' });
    const cases: Array<[unknown, number, string, RegExp?]> = [
      [blueInput(), 409, 'DeploymentExists'],
      [{ ...base, name: 'x' }, 400, 'InvalidName'],
      [{ ...base, instance_count: 0 }, 400, 'InvalidValue', /instance_count/],
      [{ ...base, instance_count: 51 }, 400, 'InvalidValue', /instance_count/],
      [{ ...base, instance_count: 'two' }, 400, 'InvalidValue', /instance_count/],
      [{ ...base, instance_count: undefined }, 400, 'MissingField', /instance_count/],
      [{ ...base, environment: undefined }, 400, 'MissingField', /environment/],
      [{ ...base, request_settings: { request_timeout_ms: 180001 } }, 400, 'InvalidValue', /request_timeout_ms/],
      [{ ...base, request_settings: { timeout: 1 } }, 400, 'UnknownKey', /request_settings\.timeout/],
      [{ ...base, colour: 'red' }, 400, 'UnknownKey', /"colour"/],
      [{ ...base, model: 'azureml:sklearn:9' }, 404, 'ModelNotFound'],
      [{ ...base, model: './model' }, 400, 'InvalidReference'],
      [{ ...base, environment: 'azureml:nope:1' }, 404, 'EnvironmentNotFound'],
      [{ ...base, code_configuration: { code: codeDigest, scoring_script: '../x.py' } }, 400, 'InvalidValue'],
      [{ ...base, endpoint_name: 'other' }, 400, 'InvalidValue', /endpoint_name/],
      [{ ...base, liveness_probe: { period: 0 } }, 400, 'InvalidValue', /liveness_probe\.period/],
      [{ ...base, model: 42 }, 400, 'InvalidValue'], // a number is not a reference: JSON bodies are not coerced,
    ];
    for (const [body, status, code, message] of cases) {
      const r = await h.call('POST', '/api/v1/endpoints/my-endpoint/deployments', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`);
      assert.equal(r.body.error.code, code, `${JSON.stringify(body)} → ${r.text}`);
      if (message) assert.match(r.body.error.message, message);
    }
    assert.equal((await h.call('POST', '/api/v1/endpoints/nope-nope/deployments', base)).status, 404);
    assert.deepEqual(await state(), before);
  });

  it('moves traffic at once and checks the rules', async () => {
    const r = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { traffic: { blue: 100 } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.operation.status, 'Succeeded');
    assert.deepEqual(r.body.endpoint.traffic, { blue: 100 });
    assert.deepEqual(h.gateway.last!.endpoints['my-endpoint']!.traffic, [{ deployment: 'blue', weight: 100 }]);
    const before = await state();
    const bad: Array<[unknown, string]> = [
      [{ traffic: { blue: 90 } }, 'TrafficSumInvalid'],
      [{ traffic: { blue: 50, green: 50 } }, 'TrafficUnknownDeployment'],
      [{ traffic: { blue: 101 } }, 'InvalidValue'],
      [{ traffic: { blue: 99.5 } }, 'InvalidValue'],
      [{ traffic: { blue: -1 } }, 'InvalidValue'],
      [{ mirror_traffic: { blue: 10 } }, 'MirrorHasLiveTraffic'],
      [{ auth_mode: 'aad_token' }, 'AuthModeUnsupported'],
      [{ colour: 'red' }, 'UnknownKey'],
    ];
    for (const [body, code] of bad) {
      const res = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.equal(res.body.error.code, code, `${JSON.stringify(body)} → ${res.text}`);
    }
    assert.deepEqual(await state(), before);
  });

  it('a deployment with live traffic cannot be deleted', async () => {
    const r = await h.call('DELETE', '/api/v1/endpoints/my-endpoint/deployments/blue');
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'DeploymentHasLiveTraffic');
    assert.match(r.body.error.message, /traffic to 0 first/);
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body.provisioning_state, 'Succeeded');
  });

  it('scales in place on an instance_count change and rolls on anything else', async () => {
    const rev = h.backend.ensured.at(-1)!.revision;
    const r = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { instance_count: 2 });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.deployment.provisioning_state, 'Updating');
    assert.equal((await waitOp(r.body.operation.id)).status, 'Succeeded');
    assert.equal(h.backend.ensured.at(-1)!.revision, rev);
    assert.equal(h.backend.ensured.at(-1)!.instanceCount, 2);
    const shown = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body;
    assert.equal(shown.instance_count, 2);
    assert.equal(shown.model, 'azureml:sklearn:1', 'fields not named are kept');
    assert.equal(shown.app_insights_enabled, true);
    const v = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { environment_variables: { X: 'Y' } });
    assert.equal((await waitOp(v.body.operation.id)).status, 'Succeeded');
    assert.notEqual(h.backend.ensured.at(-1)!.revision, rev);
    assert.deepEqual(h.backend.ensured.at(-1)!.env, { X: 'Y' });
    const partial = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { request_settings: { request_timeout_ms: 9000 } });
    await waitOp(partial.body.operation.id);
    const after = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body;
    assert.deepEqual(after.request_settings, { request_timeout_ms: 9000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 });
    assert.equal(h.gateway.last!.endpoints['my-endpoint']!.deployments.blue!.requestTimeoutMs, 9000);
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { name: 'green' })).body.error.code, 'InvalidValue');
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/nope', { instance_count: 1 })).body.error.code, 'DeploymentNotFound');
  });

  it('while green is being created: other deployment changes get 409, traffic changes go through', async () => {
    const release = h.backend.hold();
    const green = await h.call('POST', '/api/v1/endpoints/my-endpoint/deployments',
      blueInput({ name: 'green', model: { path: model2Digest }, environment: { conda_file: { dependencies: ['python=3.11'] } } }));
    assert.equal(green.status, 202, green.text);
    try {
      const conflict = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { instance_count: 1 });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error.code, 'OperationInProgress');
      assert.match(conflict.body.error.message, /deployment\.create of deployment "green"/);
      assert.equal((await h.call('POST', '/api/v1/endpoints/my-endpoint/deployments', blueInput({ name: 'red' }))).status, 409);
      assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body.instance_count, 2);
      const still = await h.call('GET', `/api/v1/operations/${green.body.operation.id}?wait=0.2`);
      assert.equal(still.body.status, 'Running');
      // a routing change of the endpoint is allowed meanwhile (and green may be named: it exists)
      const mirror = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { mirror_traffic: { green: 10 } });
      assert.equal(mirror.status, 202, mirror.text);
      assert.equal(mirror.body.operation.status, 'Succeeded');
      assert.deepEqual(mirror.body.endpoint.mirror_traffic, { green: 10 });
      assert.deepEqual(mirror.body.endpoint.traffic, { blue: 100 }, 'a mirror-only deployment is not listed with 0');
    } finally {
      release();
    }
    assert.equal((await waitOp(green.body.operation.id)).status, 'Succeeded');
    const shown = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/green')).body;
    assert.equal(shown.model, 'azureml:my-endpoint-green-model:1');
    assert.deepEqual(shown.environment, { conda_file: { dependencies: ['python=3.11'] } });
    assert.deepEqual(h.gateway.last!.endpoints['my-endpoint']!.mirror, { deployment: 'green', percent: 10 });
    // feeding `show` output back is accepted
    const fed = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/green', { ...shown, instance_count: 1 });
    assert.equal(fed.status, 202, fed.text);
    await waitOp(fed.body.operation.id);
  });

  it('mirror rules, then the traffic shift of the walkthrough', async () => {
    const tooMuch = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { mirror_traffic: { green: 51 } });
    assert.equal(tooMuch.body.error.code, 'MirrorInvalid');
    const withLive = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { traffic: { blue: 90, green: 10 } });
    assert.equal(withLive.body.error.code, 'MirrorHasLiveTraffic');
    const mirrored = await h.call('DELETE', '/api/v1/endpoints/my-endpoint/deployments/green');
    assert.equal(mirrored.body.error.code, 'DeploymentHasMirrorTraffic');
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { mirror_traffic: { green: 0 } })).body.endpoint.traffic.green, 0);
    const split = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { traffic: { blue: 90, green: 10 } });
    assert.deepEqual(split.body.endpoint.traffic, { blue: 90, green: 10 });
    assert.deepEqual(h.gateway.last!.endpoints['my-endpoint']!.traffic, [{ deployment: 'blue', weight: 90 }, { deployment: 'green', weight: 10 }]);
    const all = await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { traffic: { blue: 0, green: 100 } });
    assert.deepEqual(all.body.endpoint.traffic, { green: 100, blue: 0 });
    assert.deepEqual((await h.call('GET', '/api/v1/endpoints/my-endpoint')).body.traffic, { green: 100, blue: 0 });
  });

  it('logs, per-deployment metrics and Prometheus text', async () => {
    const logs = await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/green/logs?lines=20&container=storage-initializer');
    assert.equal(logs.status, 200);
    assert.match(logs.headers.get('content-type')!, /^text\/plain/);
    assert.match(logs.text, /storage-initializer, last 20 lines/);
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/green/logs?container=sidecar')).status, 400);
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/green/logs?lines=0')).status, 400);
    h.gateway.metrics = { snapshotVersion: 7, endpoints: { 'my-endpoint': { green: { requests: 5, byStatus: { 200: 5 } }, blue: { requests: 9 } } } };
    const m = await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/green/metrics');
    assert.deepEqual(m.body, { endpoint: 'my-endpoint', deployment: 'green', snapshotVersion: 7, requests: 5, byStatus: { 200: 5 } });
    const text = await h.call('GET', '/metrics');
    assert.equal(text.status, 200);
    assert.match(text.text, /switchyard_requests_total/);
    assert.match(text.headers.get('content-type')!, /^text\/plain/);
  });

  it('operations: long poll, and 404 for unknown ids', async () => {
    assert.equal((await h.call('GET', '/api/v1/operations/nope')).body.error.code, 'OperationNotFound');
    const t0 = Date.now();
    const release = h.backend.hold();
    const r = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { instance_count: 1 });
    setTimeout(release, 300);
    const op = await waitOp(r.body.operation.id);
    assert.equal(op.status, 'Succeeded');
    assert.ok(op.ended_at);
    assert.ok(Date.now() - t0 >= 250);
  });

  it('a failed rollout is Failed with its reason, and the operation too', async () => {
    h.backend.outcome = () => ({ ok: false, reason: 'InitFailed', message: 'init() raised ValueError' });
    try {
      const r = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { environment_variables: { X: 'Z' } });
      const op = await waitOp(r.body.operation.id);
      assert.equal(op.status, 'Failed');
      assert.deepEqual(op.error, { code: 'InitFailed', message: 'init() raised ValueError' });
      const d = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body;
      assert.equal(d.provisioning_state, 'Failed');
      assert.equal(d.error.code, 'InitFailed');
      assert.ok(d.conditions.some((c: any) => c.type === 'Ready' && c.status === 'False' && c.reason === 'InitFailed'));
    } finally {
      h.backend.outcome = () => ({ ok: true });
    }
    const fixed = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/blue', { environment_variables: { X: 'Y' } });
    assert.equal((await waitOp(fixed.body.operation.id)).status, 'Succeeded');
    const d = (await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).body;
    assert.equal(d.provisioning_state, 'Succeeded');
    assert.equal(d.error, undefined);
  });

  it('deletes a deployment without traffic: 202 Deleting, then gone', async () => {
    const r = await h.call('DELETE', '/api/v1/endpoints/my-endpoint/deployments/blue');
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.deployment.provisioning_state, 'Deleting');
    assert.equal((await waitOp(r.body.operation.id)).status, 'Succeeded');
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments/blue')).status, 404);
    assert.ok(h.backend.removed.includes('my-endpoint/blue'));
    assert.deepEqual((await h.call('GET', '/api/v1/endpoints/my-endpoint')).body.traffic, { green: 100 });
    assert.equal(h.gateway.last!.endpoints['my-endpoint']!.deployments.blue, undefined);
    assert.deepEqual((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments')).body.value.map((d: any) => d.name), ['green']);
  });

  it('deletes the endpoint with its deployments, even right after a deployment delete', async () => {
    await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { traffic: {} });
    const release = h.backend.hold();
    const upd = await h.call('PATCH', '/api/v1/endpoints/my-endpoint/deployments/green', { instance_count: 3 });
    const del = await h.call('DELETE', '/api/v1/endpoints/my-endpoint');
    assert.equal(del.status, 202, del.text);
    assert.equal(del.body.endpoint.provisioning_state, 'Deleting');
    assert.equal((await h.call('DELETE', '/api/v1/endpoints/my-endpoint')).body.error.code, 'OperationInProgress');
    assert.equal((await h.call('PATCH', '/api/v1/endpoints/my-endpoint', { description: 'x' })).body.error.code, 'OperationInProgress');
    assert.equal((await h.call('POST', '/api/v1/endpoints/my-endpoint/deployments', blueInput({ name: 'red' }))).body.error.code, 'OperationInProgress');
    assert.equal(h.gateway.last!.endpoints['my-endpoint'], undefined, 'the gateway stops routing to it first');
    release();
    assert.equal((await waitOp(del.body.operation.id)).status, 'Succeeded');
    const updOp = await waitOp(upd.body.operation.id);
    assert.equal(updOp.status, 'Failed');
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint')).status, 404);
    assert.ok(h.backend.removed.includes('my-endpoint/green'));
    assert.deepEqual((await h.call('GET', '/api/v1/endpoints')).body.value, []);
    assert.equal((await h.call('GET', '/api/v1/endpoints/my-endpoint/deployments')).status, 404);
    assert.equal(h.plane.store.runningOperations().length, 0);
  });
});

describe('limits', () => {
  it('at most 20 deployments per endpoint', async () => {
    await h.call('POST', '/api/v1/endpoints', { name: 'crowded' });
    for (let i = 0; i < 20; i++) {
      const r = await h.call('POST', '/api/v1/endpoints/crowded/deployments', blueInput({ name: `dep-${i}`, endpoint_name: undefined }));
      assert.equal(r.status, 202, r.text);
      await waitOp(r.body.operation.id);
    }
    const r = await h.call('POST', '/api/v1/endpoints/crowded/deployments', blueInput({ name: 'dep-20', endpoint_name: undefined }));
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'TooManyDeployments');
    const del = await h.call('DELETE', '/api/v1/endpoints/crowded');
    assert.equal((await waitOp(del.body.operation.id)).status, 'Succeeded');
  });
});

describe('request edge cases', () => {
  it('an empty JSON body on a body-less POST is fine', async () => {
    await h.call('POST', '/api/v1/endpoints', { name: 'edge-case' });
    const res = await fetch(`${h.url}/api/v1/endpoints/edge-case/list-keys`, {
      method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.ok(((await res.json()) as any).primaryKey);
  });

  it('refuses prototype keys in JSON bodies without a 5xx', async () => {
    for (const body of ['{"name":"proto-ep","__proto__":{"x":1}}', '{"name":"proto-ep","tags":{"__proto__":"x"}}']) {
      const res = await fetch(`${h.url}/api/v1/endpoints`, {
        method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body,
      });
      assert.equal(res.status, 400, body);
    }
    assert.equal((await h.call('GET', '/api/v1/endpoints/proto-ep')).status, 404);
  });

  it('refuses a wrong body type on a JSON route with 400', async () => {
    const res = await fetch(`${h.url}/api/v1/endpoints`, {
      method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'text/plain' }, body: 'name=x',
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as any).error.code, /^(BadRequest|InvalidValue)$/);
  });

  it('the long poll clamps wait and refuses a negative one', async () => {
    const created = await h.call('POST', '/api/v1/endpoints', { name: 'poll-ep' });
    assert.equal((await h.call('GET', `/api/v1/operations/${created.body.operation.id}?wait=-1`)).status, 400);
    assert.equal((await h.call('GET', `/api/v1/operations/${created.body.operation.id}?wait=1000`)).body.status, 'Succeeded');
  });
});
