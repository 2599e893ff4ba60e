// The Node scoring host through LocalBackend: a JavaScript model, a TypeScript module (async init and
// run, a web Response for status and headers), and an init() that rejects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { instanceFetch, jsModel, makeBackend, score, template, type Harness } from './runtime-harness.js';

const node = (fixture: string, script: string, over: Parameters<typeof template>[0] = {}) => {
  const t = template({ fixture, script, environment: { registered: false }, ...over });
  t.model = { dir: jsModel(), kind: 'file', name: 'weights.json', assetName: 'js-model', assetVersion: '3' };
  return t;
};

describe('Node host through LocalBackend', () => {
  let h: Harness;
  before(() => {
    h = makeBackend();
  });
  after(async () => h.close());

  it('serves a JavaScript model whose weights sit directly in AZUREML_MODEL_DIR', async () => {
    const t = node('js-model', 'score.js', { deployment: 'js' });
    const t0 = performance.now();
    assert.deepEqual(await h.backend.ensure(t), { ok: true });
    console.log(`# js sample: ensure() to Ready in ${(performance.now() - t0).toFixed(0)} ms`);
    const [i] = h.backend.instances('ep1', 'js');
    const res = await score(i!.url!, JSON.stringify({ data: [[1, 2], [3, 4]] }));
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), [9, 19]);
    const bad = await score(i!.url!, JSON.stringify({ nodata: true }));
    assert.equal(bad.status, 500);
    assert.match(bad.body, /expected \{\\"data\\"/);
    assert.equal(await (await instanceFetch(i!.url + '/')).text(), 'Healthy');
    const swagger = await instanceFetch(i!.url + '/swagger.json');
    assert.equal(swagger.status, 200);
    assert.equal(((await swagger.json()) as { info: { title: string } }).info.title, 'js linear model');
    const logs = await h.backend.readLogs('ep1', 'js', { container: 'inference-server', lines: 50 });
    assert.match(logs, /\[js-0\] js model loaded: 2 weights/);
    assert.match(logs, /\[js-0\] Encountered exception in run\(\):/);
    assert.match(await h.backend.readLogs('ep1', 'js', { container: 'storage-initializer', lines: 20 }), /Node host: /);
  });

  it('runs a TypeScript module with async init/run and honours a returned Response', async () => {
    assert.deepEqual(await h.backend.ensure(node('ts-model', 'score.ts', { deployment: 'ts', env: { GREETING: 'hej' } })), { ok: true });
    const [i] = h.backend.instances('ep1', 'ts');
    const res = await score(i!.url!, JSON.stringify({ name: 'ada' }), { 'x-request-id': 'r-7' });
    assert.deepEqual(JSON.parse(res.body), { message: 'hej, ada', requestId: 'r-7' });
    const teapot = await score(i!.url!, JSON.stringify({ name: 'teapot' }));
    assert.equal(teapot.status, 418);
    assert.equal(teapot.headers.get('x-teapot'), 'yes');
    const swagger = await instanceFetch(i!.url + '/swagger.json');
    assert.equal(swagger.status, 404, 'a module without a swagger export has no document');
    assert.match(await swagger.text(), /export `swagger`/);
  });

  it('fails the deployment when init() rejects, with the error in the logs', async () => {
    const result = await h.backend.ensure(node('js-init-fails', 'score.mjs', { deployment: 'jsbad' }));
    assert.equal(result.reason, 'InitFailed');
    assert.match(result.message!, /Error: cannot open model\.onnx/);
    const logs = await h.backend.readLogs('ep1', 'jsbad', { container: 'inference-server', lines: 50 });
    assert.match(logs, /\[jsbad-0\] js init starting/);
    assert.match(logs, /\[jsbad-0\] init\(\) of score\.mjs failed:/);
  });
});
