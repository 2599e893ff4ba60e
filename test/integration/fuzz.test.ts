// Bounded REST fuzz: for every route of the OpenAPI document (GET /api/v1/openapi.json) of a real
// `switchyard serve`, requests with random JSON of random shapes, mutated valid bodies, random bytes,
// random content types, random strings in path parameters and random query values. A seeded PRNG makes a
// run repeatable (FUZZ_SEED=<n> to replay; FUZZ_REQUESTS to change the count). Asserts no 5xx answer,
// no dropped connection, and a healthy server afterwards; prints the seed and the counts.
//
// Bounds: FUZZ_REQUESTS requests (default 1500), at most 45 s of sending, 4 requests in flight.
// Deployment bodies name a code artifact that was never uploaded, so no valid mutation starts instances.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { raw, removeDir, startServe, tempDir, uploadFolder, type ServerProcess } from './resilience-harness.js';
import { seededRandom } from './seeded-random.js';

const SEED = Number(process.env.FUZZ_SEED ?? (Date.now() % 2 ** 31));
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const MAX_SEND_MS = 45_000;
const IN_FLIGHT = 4;

const rand = seededRandom(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chance = (p: number): boolean => rand() < p;

const ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz', 'ABCXYZ0123456789-_', '../%2F\\\0 \t\n', 'éß漢字🙂\u202e\ufeff', '{}[]":,\'$*?#&=+;',
];
function randomString(max = 24): string {
  const alphabet = pick(ALPHABETS);
  const chars = Array.from(alphabet);
  let s = '';
  for (let i = int(max + 1); i > 0; i--) s += pick(chars);
  return s;
}

const SPECIAL_NUMBERS = [0, -1, 1, 1.5, 50, 51, 100, 101, 180000, 180001, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2];
function randomScalar(): unknown {
  switch (int(6)) {
    case 0: return null;
    case 1: return chance(0.5);
    case 2: return pick(SPECIAL_NUMBERS);
    case 3: return int(1000) - 500;
    case 4: return randomString(chance(0.05) ? 5000 : 24);
    default: return pick(['azureml:', 'azureml:x:1', 'azureml:x@latest', `sha256:${'0'.repeat(64)}`, 'key', 'aml_token', 'aad_token', 'latest', '__proto__', 'constructor']);
  }
}

function randomJson(depth = 0): unknown {
  if (depth >= 4 || chance(0.4)) return randomScalar();
  if (chance(0.5)) return Array.from({ length: int(5) }, () => randomJson(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(6); i > 0; i--) o[chance(0.5) ? randomString(12) : pick(KNOWN_KEYS)] = randomJson(depth + 1);
  return o;
}

const KNOWN_KEYS = [
  'name', 'version', 'path', 'type', 'description', 'tags', 'auth_mode', 'traffic', 'mirror_traffic', 'compute', 'identity',
  'public_network_access', 'model', 'code_configuration', 'code', 'scoring_script', 'environment', 'environment_variables',
  'instance_type', 'instance_count', 'request_settings', 'request_timeout_ms', 'max_concurrent_requests_per_instance',
  'liveness_probe', 'readiness_probe', 'scale_settings', 'image', 'conda_file', 'build', 'inference_config', 'keyType',
  'command', 'interpreter', 'role', 'expires_in', 'resources', '$schema', 'id', 'provisioning_state',
];

/** Mutates a valid body: drop, retype, add, or deepen one field (recursively, a few times). */
function mutate(value: unknown, rounds = 1 + int(3)): unknown {
  let v: unknown = structuredClone(value);
  for (let r = 0; r < rounds; r++) v = mutateOnce(v);
  return v;
}
function mutateOnce(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return chance(0.7) ? randomScalar() : randomJson(2);
  if (Array.isArray(v)) {
    if (v.length && chance(0.5)) { const i = int(v.length); v[i] = mutateOnce(v[i]); } else v.push(randomJson(3));
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const op = int(5);
  if (op === 0 && keys.length) delete o[pick(keys)];
  else if (op === 1 && keys.length) { const k = pick(keys); o[k] = mutateOnce(o[k]); }
  else if (op === 2) o[chance(0.5) ? randomString(10) : pick(KNOWN_KEYS)] = randomJson(2);
  else if (op === 3 && keys.length) { const k = pick(keys); o[k] = randomScalar(); }
  else return randomJson(1);
  return o;
}

interface Route { method: string; path: string; params: string[]; query: string[]; body: boolean }

let server: ServerProcess;
let work: string;

before(async () => {
  work = tempDir('sy-fuzz-');
  server = await startServe(join(work, 'data'), { SWITCHYARD_MAX_ARTIFACT_BYTES: String(256 * 1024) });
});
after(async () => {
  await server?.stop();
  if (work) removeDir(work);
});

it('fuzzes every route of the OpenAPI document without a 5xx', { timeout: 120_000 }, async () => {
  console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${REQUESTS} requests`);
  const doc = await server.api('GET', '/api/v1/openapi.json');
  assert.equal(doc.status, 200);
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters = (op.parameters ?? []) as Array<{ name: string; in: string }>;
      routes.push({
        method: method.toUpperCase(), path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        body: Boolean(op.requestBody) || method === 'post' || method === 'patch',
      });
    }
  }
  assert.ok(routes.length >= 20, `only ${routes.length} routes in the OpenAPI document`);

  // Known-good values, so some requests get past the lookups to the validation behind them.
  const code = await uploadFolder(server, { 'score.py': 'def init():\n    pass\ndef run(d):\n    return d\n' });
  const created = await server.api('POST', '/api/v1/endpoints', { name: 'fz-ep' });
  assert.equal(created.status, 202, created.text);
  const missing = `sha256:${'e'.repeat(64)}`;
  const known: Record<string, string[]> = {
    name: ['fz-ep', 'fz-model', 'fz-env', 'blue'], endpoint: ['fz-ep'], version: ['1', 'latest'],
    digest: [code], id: [created.body.operation.id],
  };
  const templates: Record<string, unknown[]> = {
    '/api/v1/endpoints': [{ name: 'fz-new', auth_mode: 'key', description: 'd', tags: { a: 'b' } }],
    '/api/v1/endpoints/{name}': [{ traffic: { blue: 100 }, mirror_traffic: { green: 10 }, description: 'x', tags: {} }],
    '/api/v1/endpoints/{name}/regenerate-keys': [{ keyType: 'primary' }],
    '/api/v1/endpoints/{endpoint}/deployments': [{
      name: 'blue', code_configuration: { code: missing, scoring_script: 'score.py' }, environment: { image: 'python:3.11' },
      instance_type: 'Standard_DS3_v2', instance_count: 1, request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1 },
      liveness_probe: { period: 10 }, environment_variables: { A: '1' }, model: 'azureml:fz-model:1',
    }],
    '/api/v1/endpoints/{endpoint}/deployments/{name}': [{ instance_count: 2, environment_variables: { B: '2' }, request_settings: { request_timeout_ms: 100 } }],
    '/api/v1/models': [{ name: 'fz-model', version: '1', path: missing, type: 'custom_model', tags: {} }],
    '/api/v1/environments': [{ name: 'fz-env', version: '1', image: 'python:3.11', conda_file: { dependencies: ['python=3.11'] }, inference_config: { scoring_route: { port: 5001, path: '/score' } } }],
  };
  const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/gzip', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', ''];

  const statuses = new Map<number, number>();
  const perRoute = new Map<string, number>();
  const serverErrors: string[] = [];
  const dropped: string[] = [];
  let sent = 0;
  const started = Date.now();

  // The whole plan is drawn first, in order, so a seed always gives the same requests.
  interface Planned { method: string; key: string; url: string; headers: Record<string, string>; body?: string | Buffer; shown: string }
  const plan: Planned[] = [];
  for (let n = 0; n < REQUESTS; n++) {
    const route = pick(routes);
    let path = route.path;
    for (const p of route.params) {
      const value = route.method !== 'DELETE' && known[p] && chance(0.5) ? pick(known[p]!) : randomString(chance(0.1) ? 300 : 20);
      path = path.replace(`{${p}}`, encodeURIComponent(value));
    }
    const query: string[] = [];
    for (const q of route.query) {
      if (chance(0.3)) continue;
      // `wait` long-polls: only values that answer at once (invalid, or at most 1 s).
      const value = q === 'wait' ? pick(['abc', '-1', '0', '1', '61', '1e9', '', randomString(6)])
        : q === 'kind' && chance(0.5) ? pick(['dir', 'file']) : String(chance(0.5) ? randomScalar() : randomString(10));
      query.push(`${encodeURIComponent(q)}=${encodeURIComponent(value)}`);
    }
    if (chance(0.1)) query.push(`${encodeURIComponent(randomString(8))}=${encodeURIComponent(randomString(8))}`);
    const url = path + (query.length ? `?${query.join('&')}` : '');
    const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
    let body: string | Buffer | undefined;
    if (route.body || chance(0.1)) {
      const kind = int(10);
      const template = templates[route.path];
      if (kind < 4 && template) body = JSON.stringify(mutate(pick(template)));
      else if (kind < 7) body = JSON.stringify(randomJson());
      else if (kind === 7) body = Buffer.from(Array.from({ length: int(2048) }, () => int(256)));
      else if (kind === 8) body = JSON.stringify(randomJson()).slice(0, -1 - int(3));
      else body = '';
      const type = chance(0.75) ? (route.path === '/api/v1/artifacts' && chance(0.6) ? 'application/gzip' : 'application/json') : pick(CONTENT_TYPES);
      if (type) headers['content-type'] = type;
    }
    if (chance(0.03)) delete headers.authorization;
    const shown = `${route.method} ${url.slice(0, 200)} ${typeof body === 'string' ? body.slice(0, 300) : body ? `<${body.length} bytes>` : ''}`;
    plan.push({ method: route.method, key: `${route.method} ${route.path}`, url, headers, ...(body !== undefined ? { body } : {}), shown });
  }

  const one = async (req: Planned): Promise<void> => {
    sent++;
    perRoute.set(req.key, (perRoute.get(req.key) ?? 0) + 1);
    try {
      const r = await raw(server.controlUrl + req.url, { method: req.method, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}), timeoutMs: 15_000 });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status >= 500) serverErrors.push(`${r.status} ← ${req.shown}\n    ${r.text.slice(0, 300)}`);
    } catch (e) {
      dropped.push(`${(e as Error).message} ← ${req.shown}`);
    }
  };

  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < plan.length && Date.now() - started < MAX_SEND_MS) await one(plan[next++]!);
  }));
  const elapsed = Date.now() - started;
  const healthy = await server.healthy();
  const byStatus = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ');
  console.log(`fuzz seed ${SEED}: ${sent} requests over ${perRoute.size} of ${routes.length} routes in ${elapsed} ms; statuses ${byStatus}; 5xx ${serverErrors.length}; dropped ${dropped.length}; healthy ${healthy}`);
  assert.deepEqual(serverErrors, [], `5xx answers (seed ${SEED}):\n${serverErrors.join('\n')}`);
  assert.deepEqual(dropped, [], `dropped connections (seed ${SEED}):\n${dropped.join('\n')}`);
  assert.ok(healthy, 'server unhealthy after the fuzz run');
  assert.equal(server.child.exitCode, null, 'server exited during the fuzz run');
  assert.ok(sent >= Math.min(REQUESTS, 300), `only ${sent} requests sent in ${MAX_SEND_MS} ms`);
});
