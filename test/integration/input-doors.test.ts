// The same bad values through the three doors a resource comes in by: the REST API (Fastify's validation
// of the route schema, which is also the OpenAPI document's), a YAML file given to the CLI, and the input
// checks called directly (spec/*-input.ts). Each door must refuse each value with the same code and the
// same message; the YAML door adds where the value is (" in <file> (line N)") and nothing else, and
// refuses before sending anything (the message names the file). The published OpenAPI schema must refuse
// the value too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { removeDir, startHarness, type Harness } from './control-harness.js';
import { runCli } from '../../src/cli/run.js';
import { normaliseDeploymentInput } from '../../src/spec/deployment-input.js';
import { normaliseEndpointInput } from '../../src/spec/endpoint-input.js';
import { normaliseEnvironmentInput, normaliseModelInput } from '../../src/spec/asset-input.js';
import { schemaAjv } from '../../src/spec/schema/check.js';
import { SwitchyardError } from '../../src/errors.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const EP = 'doors-ep';

type Kind = 'endpoint' | 'deployment' | 'model' | 'environment';
interface Case { kind: Kind; name: string; body: Record<string, unknown> }

const endpoint = (change: Record<string, unknown>) => ({ name: 'doors-new', ...change });
const deployment = (change: Record<string, unknown>) => ({
  name: 'blue', endpoint_name: EP, instance_type: 'Standard_DS3_v2', instance_count: 1,
  code_configuration: { code: DIGEST, scoring_script: 'score.py' }, environment: { image: 'python:3.11' }, ...change,
});
const model = (change: Record<string, unknown>) => ({ name: 'doors-model', version: '1', path: DIGEST, ...change });
const environment = (change: Record<string, unknown>) => ({ name: 'doors-env', version: '1', image: 'python:3.11', ...change });
const without = (body: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));

const CASES: Case[] = [
  { kind: 'endpoint', name: 'name too short', body: endpoint({ name: 'ab' }) },
  { kind: 'endpoint', name: 'name with _', body: endpoint({ name: 'my_endpoint' }) },
  { kind: 'endpoint', name: 'auth_mode password', body: endpoint({ auth_mode: 'password' }) },
  { kind: 'endpoint', name: 'auth_mode aad_token', body: endpoint({ auth_mode: 'aad_token' }) },
  { kind: 'endpoint', name: 'public_network_access open', body: endpoint({ public_network_access: 'open' }) },
  { kind: 'endpoint', name: 'unknown key', body: endpoint({ kind2: 'Managed' }) },
  { kind: 'endpoint', name: 'tags a list', body: endpoint({ tags: ['a', 'b'] }) },
  { kind: 'endpoint', name: 'traffic 101', body: endpoint({ traffic: { blue: 101 } }) },
  { kind: 'endpoint', name: 'identity a string', body: endpoint({ identity: 'system' }) },
  { kind: 'deployment', name: 'instance_count 0', body: deployment({ instance_count: 0 }) },
  { kind: 'deployment', name: 'instance_count 51', body: deployment({ instance_count: 51 }) },
  { kind: 'deployment', name: 'instance_count 1.5', body: deployment({ instance_count: 1.5 }) },
  { kind: 'deployment', name: 'instance_count two', body: deployment({ instance_count: 'two' }) },
  { kind: 'deployment', name: 'no instance_count', body: without(deployment({}), 'instance_count') },
  { kind: 'deployment', name: 'no environment', body: without(deployment({}), 'environment') },
  { kind: 'deployment', name: 'request_timeout_ms 180001', body: deployment({ request_settings: { request_timeout_ms: 180001 } }) },
  { kind: 'deployment', name: 'max_concurrent 0', body: deployment({ request_settings: { max_concurrent_requests_per_instance: 0 } }) },
  { kind: 'deployment', name: 'unknown request setting', body: deployment({ request_settings: { retries: 3 } }) },
  { kind: 'deployment', name: 'probe period 0', body: deployment({ liveness_probe: { period: 0 } }) },
  { kind: 'deployment', name: 'probe threshold a word', body: deployment({ readiness_probe: { failure_threshold: 'many' } }) },
  { kind: 'deployment', name: 'unknown key', body: deployment({ replicas: 3 }) },
  { kind: 'deployment', name: 'bad name', body: deployment({ name: 'Blue_1' }) },
  { kind: 'deployment', name: 'scale type turbo', body: deployment({ scale_settings: { type: 'turbo' } }) },
  { kind: 'deployment', name: 'min_instances 51', body: deployment({ scale_settings: { type: 'target_utilization', min_instances: 51 } }) },
  { kind: 'deployment', name: 'egress maybe', body: deployment({ egress_public_network_access: 'maybe' }) },
  { kind: 'deployment', name: 'type serverless', body: deployment({ type: 'serverless' }) },
  { kind: 'deployment', name: 'malformed model reference', body: deployment({ model: 'azureml:sk' }) },
  { kind: 'deployment', name: 'environment not a reference', body: deployment({ environment: 'python:3.11' }) },
  { kind: 'deployment', name: 'scoring script outside the code', body: deployment({ code_configuration: { code: DIGEST, scoring_script: '../x.py' } }) },
  { kind: 'deployment', name: 'route port 70000', body: deployment({ environment: { image: 'x', inference_config: { scoring_route: { port: 70000, path: '/s' } } } }) },
  { kind: 'deployment', name: 'route path relative', body: deployment({ environment: { image: 'x', inference_config: { scoring_route: { path: 'score' } } } }) },
  { kind: 'deployment', name: 'command a string', body: deployment({ environment: { image: 'x', command: 'python serve.py' } }) },
  { kind: 'deployment', name: 'environment_variables a list value', body: deployment({ environment_variables: { A: [1] } }) },
  { kind: 'deployment', name: 'unknown inline model key', body: deployment({ model: { path: DIGEST, colour: 'red' } }) },
  { kind: 'model', name: 'type onnx_magic', body: model({ type: 'onnx_magic' }) },
  { kind: 'model', name: 'version with a slash', body: model({ version: '1/../2' }) },
  { kind: 'model', name: 'name with a slash', body: model({ name: 'a/b' }) },
  { kind: 'model', name: 'unknown key', body: model({ weights: 'heavy' }) },
  { kind: 'model', name: 'no path', body: without(model({}), 'path') },
  { kind: 'environment', name: 'port a word', body: environment({ inference_config: { scoring_route: { port: 'http', path: '/s' } } }) },
  { kind: 'environment', name: 'unknown key', body: environment({ gpu: true }) },
  { kind: 'environment', name: 'version latest', body: environment({ version: 'latest' }) },
];

const REST_PATH: Record<Kind, string> = {
  endpoint: '/api/v1/endpoints', deployment: `/api/v1/endpoints/${EP}/deployments`, model: '/api/v1/models', environment: '/api/v1/environments',
};
const CLI: Record<Kind, string[]> = {
  endpoint: ['online-endpoint', 'create'], deployment: ['online-deployment', 'create'], model: ['model', 'create'], environment: ['environment', 'create'],
};
const noAssets = { model: () => undefined, environment: () => undefined, artifact: () => undefined };
const DIRECT: Record<Kind, (body: unknown) => unknown> = {
  endpoint: normaliseEndpointInput,
  deployment: (body) => normaliseDeploymentInput(body, { endpoint: EP, resolve: noAssets }),
  model: normaliseModelInput,
  environment: normaliseEnvironmentInput,
};

let h: Harness;
let work: string;
let openapi: any;
const ajv = schemaAjv();

before(async () => {
  h = await startHarness();
  work = mkdtempSync(join(tmpdir(), 'sy-doors-'));
  assert.equal((await h.call('POST', '/api/v1/endpoints', { name: EP })).status, 202);
  openapi = (await h.call('GET', '/api/v1/openapi.json')).body;
});
after(async () => {
  await h?.close();
  if (work) removeDir(work);
});

describe('the same bad value is refused the same through every door', () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.kind}: ${c.name}`, async () => {
      // Door 1: REST.
      const rest = await h.call('POST', REST_PATH[c.kind], c.body);
      assert.equal(rest.status, 400, rest.text);
      const { code, message } = rest.body.error as { code: string; message: string };

      // The schema of the OpenAPI document refuses it too.
      const schema = openapi.paths[REST_PATH[c.kind].replace(EP, '{endpoint}')].post.requestBody.content['application/json'].schema;
      assert.equal(ajv.validate(schema, c.body), false, 'the OpenAPI schema accepts it');

      // Door 2: the input checks, called directly.
      assert.throws(() => DIRECT[c.kind](c.body), (e: unknown) => {
        assert.ok(e instanceof SwitchyardError, String(e));
        assert.deepEqual({ code: e.code, message: e.message }, { code, message });
        return true;
      });

      // Door 3: a YAML file through the CLI, refused before anything is sent (the message names the file).
      const file = join(work, `${i}.yml`);
      writeFileSync(file, stringify(c.body));
      const err: string[] = [];
      const io = { out: () => {}, err: (t: string) => void err.push(t), stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: false, prompt: async () => 'n' };
      const exit = await runCli([...CLI[c.kind], '-f', file], { io, env: { SWITCHYARD_URL: h.url, SWITCHYARD_TOKEN: h.token }, cwd: work, home: work, version: 'test' });
      assert.equal(exit, 1, err.join(''));
      const printed = err.join('').trim();
      assert.ok(printed.includes(` in ${file}`), `the CLI did not refuse it itself: ${printed}`);
      const located = new RegExp(` in ${file.replace(/[.]/g, '\\.')}(?: \\(line \\d+\\))?`);
      assert.equal(printed.replace(located, ''), `ERROR: ${message}`);
    });
  }
});
