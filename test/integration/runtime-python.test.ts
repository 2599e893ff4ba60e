// The Python scoring host through LocalBackend: the tutorial's sklearn model, the score.py contract
// (headers, AMLResponse, @rawhttp, inference-schema, errors, logs, WORKER_COUNT) and the environment check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, instanceFetch, makeBackend, score, secretOf, sklearnModel, template, testInstanceUser, type Harness } from './runtime-harness.js';

describe('Python host through LocalBackend', () => {
  let h: Harness;
  before(() => {
    sklearnModel(); // train first, so the timing below measures the deployment only
    h = makeBackend();
  });
  after(async () => h.close());

  it('serves the tutorial sklearn model without naming an interpreter', async () => {
    const t0 = performance.now();
    const result = await h.backend.ensure(template());
    const readyMs = performance.now() - t0;
    assert.deepEqual(result, { ok: true });
    // Printed, not asserted (timings never gate a test); the target is under 2 s on an idle machine.
    console.log(`# sklearn sample: ensure() to Ready in ${readyMs.toFixed(0)} ms`);

    const [instance] = h.backend.instances('ep1', 'blue');
    assert.equal(instance?.state, 'Ready');
    assert.equal(instance?.name, 'blue-0');
    assert.match(instance!.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await score(instance!.url!, JSON.stringify({ data: [[1, 2], [3, 4]] }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const predictions = JSON.parse(res.body) as number[];
    assert.deepEqual(predictions.map((p) => Math.round(p * 1e6) / 1e6), [9, 19]);

    // The model folder keeps its name under AZUREML_MODEL_DIR, as the tutorial's path expects.
    const staged = join(h.dataDir, 'deployments', 'ep1', 'blue', 'rev1', 'azureml-models', 'sklearn-model', '1', 'model', 'sklearn_regression_model.pkl');
    assert.ok(existsSync(staged), staged);

    const init = await h.backend.readLogs('ep1', 'blue', { container: 'storage-initializer', lines: 100 });
    assert.match(init, /Python interpreter: \/usr\/bin\/python3/);
    assert.match(init, /WARNING: scikit-learn is pinned to =1\.7\.0/);
    assert.match(init, /WARNING: numpy is pinned to =1\.23\.5/);
    const logs = await h.backend.readLogs('ep1', 'blue', { container: 'inference-server', lines: 100 });
    assert.match(logs, /\[blue-0\] .*Init complete/);
    assert.match(logs, /\[blue-0\] .*Request processed/);
  });

  it('answers a quick load loop (requests/s printed, not asserted)', async () => {
    const url = new URL(h.backend.instances('ep1', 'blue')[0]!.url!);
    const secret = { 'x-switchyard-instance-secret': secretOf(url.origin) ?? '' };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ data: [[1, 2], [3, 4]] });
    const post = () =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: '/score', method: 'POST', agent, headers: { ...secret, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const deadline = performance.now() + 2000;
    const t0 = performance.now();
    let n = 0;
    while (n < 20_000 && performance.now() < deadline) {
      assert.equal(await post(), 200);
      n++;
    }
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    console.log(`# Python host, sklearn model, 1 keep-alive connection: ${n} requests, ${Math.round(n / seconds)} requests/s`);
  });

  it('a second ensure with the same template changes nothing', async () => {
    const before = h.backend.instances('ep1', 'blue');
    assert.deepEqual(await h.backend.ensure(template()), { ok: true });
    assert.deepEqual(h.backend.instances('ep1', 'blue').map((i) => i.pid), before.map((i) => i.pid));
  });

  it('honours the score.py contract: headers, AMLResponse, str/bytes results, errors, logs, WORKER_COUNT', async () => {
    const t = template({ deployment: 'echo', fixture: 'echo', env: { GREETING: 'hi', WORKER_COUNT: '2' } });
    assert.deepEqual(await h.backend.ensure(t), { ok: true });
    const url = h.backend.instances('ep1', 'echo')[0]!.url!;

    const echoed = await score(url, 'hello', { 'x-request-id': 'req-1' });
    assert.equal(echoed.status, 200);
    const body = JSON.parse(echoed.body) as Record<string, unknown>;
    assert.equal(body.body, 'hello');
    assert.equal(body.request_id, 'req-1');
    assert.equal(body.greeting, 'hi');
    assert.match(String(body.model_dir), /azureml-models\/sklearn-model\/1$/);

    const teapot = await score(url, 'teapot');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.headers.get('x-teapot'), 'yes');
    assert.equal(teapot.body, 'short and stout');
    const created = await score(url, 'json-response');
    assert.equal(created.status, 201);
    assert.deepEqual(JSON.parse(created.body), { a: 1 });
    assert.equal((await score(url, 'text')).body, '"just a string"');
    const bytes = await score(url, 'bytes');
    assert.equal(bytes.headers.get('content-type'), 'application/octet-stream');
    assert.equal(bytes.body, '\u0000\u0001raw');

    const failed = await score(url, 'fail');
    assert.equal(failed.status, 500);
    assert.match(failed.body, /ValueError: asked to fail/);

    const health = await instanceFetch(url + '/');
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'Healthy');
    assert.equal((await instanceFetch(url + '/swagger.json')).status, 404);
    assert.equal((await instanceFetch(url + '/nowhere')).status, 404);

    // Two workers answer on one port: over a few fresh connections both show up.
    const pids = new Set<unknown>();
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const r = await instanceFetch(url + '/score', { method: 'POST', body: 'x', headers: { connection: 'close' } });
      pids.add((JSON.parse(await r.text()) as { pid: number }).pid);
    }
    assert.equal(pids.size, 2, 'both workers served requests');

    const logs = await h.backend.readLogs('ep1', 'echo', { container: 'inference-server', lines: 200 });
    assert.match(logs, /\[echo-0\] echo init, PORT=\d+ WORKER_COUNT=2 GREETING=hi/);
    assert.match(logs, /\[echo-0\] .*ValueError: asked to fail/);
    assert.match(logs, /\[echo-0\] .*echo run #1/);
  });

  it('runs inference-schema decorated scripts and serves their swagger.json', async () => {
    assert.deepEqual(await h.backend.ensure(template({ deployment: 'schema', fixture: 'schema' })), { ok: true });
    const url = h.backend.instances('ep1', 'schema')[0]!.url!;
    const res = await score(url, JSON.stringify({ data: [[1, 2], [3, 4]], scale: 2 }));
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), { sums: [6, 14], type: 'ndarray' });
    const bad = await score(url, JSON.stringify({ data: [[1, 2, 3]] }));
    assert.equal(bad.status, 500);
    assert.match(bad.body, /dimension #1/);
    const swagger = (await (await instanceFetch(url + '/swagger.json')).json()) as {
      swagger: string;
      definitions: { ServiceInput: { properties: { data: { type: string } }; example: { data: unknown } } };
    };
    assert.equal(swagger.swagger, '2.0');
    assert.equal(swagger.definitions.ServiceInput.properties.data.type, 'array');
    assert.deepEqual(swagger.definitions.ServiceInput.example.data, [[1, 2]]);
  });

  it('gives @rawhttp scripts the request object', async () => {
    assert.deepEqual(await h.backend.ensure(template({ deployment: 'raw', fixture: 'rawhttp' })), { ok: true });
    const url = h.backend.instances('ep1', 'raw')[0]!.url!;
    const get = (await (await instanceFetch(url + '/score?a=1&b=two')).json()) as { args: Record<string, string>; full_path: string };
    assert.deepEqual(get.args, { a: '1', b: 'two' });
    assert.equal(get.full_path, '/score?a=1&b=two');
    const post = await score(url, JSON.stringify({ k: 1 }), { 'x-custom': 'yes' });
    assert.deepEqual(JSON.parse(post.body), { method: 'POST', bytes: 7, content_type: 'application/json', json: { k: 1 }, header: 'yes' });
  });

  it('fails with EnvironmentUnsatisfied when a package cannot be imported, naming it and the interpreter', async () => {
    const t = template({
      deployment: 'needs',
      environment: { registered: false, conda_file: { dependencies: ['python=3.11', 'numpy', { pip: ['definitely-not-installed-pkg==1.0'] }] } },
    });
    const result = await h.backend.ensure(t);
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'EnvironmentUnsatisfied');
    assert.match(result.message!, /definitely-not-installed-pkg \(import definitely_not_installed_pkg\)/);
    assert.match(result.message!, /\/usr\/bin\/python3/);
    assert.match(result.message!, /interpreter:/);
    assert.deepEqual(h.backend.instances('ep1', 'needs'), []);
    assert.match(await h.backend.readLogs('ep1', 'needs', { container: 'storage-initializer', lines: 20 }), /ERROR: The environment needs packages/);
  });

  it('an explicit interpreter without sklearn is refused with advice', async (t) => {
    const onPath = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
    if (!onPath || onPath === '/usr/bin/python3') return t.skip('no second python3 on PATH');
    const result = await h.backend.ensure(template({ deployment: 'other', environment: { registered: false, interpreter: onPath, conda_file: { dependencies: ['scikit-learn'] } } }));
    assert.equal(result.reason, 'EnvironmentUnsatisfied');
    assert.match(result.message!, new RegExp(`${onPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot import: scikit-learn \\(import sklearn\\)`));
  });

  it('says what to do when the instance user cannot run the interpreter', { skip: !testInstanceUser && 'instances run as this user' }, async () => {
    const hidden = mkdtempSync(join(tmpdir(), 'switchyard-private-python-')); // 0700: the server's alone
    try {
      symlinkSync('/usr/bin/python3', join(hidden, 'python3'));
      const result = await h.backend.ensure(template({ deployment: 'hidden', fixture: 'echo', environment: { registered: false, interpreter: join(hidden, 'python3') } }));
      assert.equal(result.reason, 'InitFailed');
      assert.match(result.message!, /EACCES.*instance user may not run it/);
      await h.backend.remove('ep1', 'hidden');
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });

  it('finishes a request in flight when the instance is stopped', async () => {
    assert.deepEqual(await h.backend.ensure(template({ deployment: 'slow', fixture: 'echo' })), { ok: true });
    const [i] = h.backend.instances('ep1', 'slow');
    const pending = score(i!.url!, 'sleep:0.5');
    await new Promise((r) => setTimeout(r, 100));
    await h.backend.remove('ep1', 'slow');
    const res = await pending;
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { slept: 0.5 });
    assert.equal(alive(i!.pid!), false);
  });

  it('remove() stops the instances and forgets the deployment', async () => {
    const pids = h.backend.instances('ep1', 'raw').map((i) => i.pid!);
    await h.backend.remove('ep1', 'raw');
    assert.deepEqual(h.backend.instances('ep1', 'raw'), []);
    for (const pid of pids) assert.equal(alive(pid), false);
    assert.equal(existsSync(join(h.dataDir, 'deployments', 'ep1', 'raw')), false);
  });
});
