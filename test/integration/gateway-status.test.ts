// Every status code of docs/compatibility.md, "Scoring" through the real GatewayHost (worker thread, port 0) and test instances
// (real HTTP servers on 127.0.0.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { mintToken } from '../../src/gateway/token.js';
import { silentLogger } from '../../src/logger.js';
import {
  call, client, deployment, endpoint, load, newSecretHex, refusedUrl, sleep, snapshot, startTestInstance, type TestInstance,
} from './gateway-fixtures.js';

let gw: RunningGateway;
const instances: TestInstance[] = [];
const KEY = 'primary-key-123';
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const tokenSecret = newSecretHex();
let version = 1;
let blue: TestInstance, green: TestInstance, slow: TestInstance, busy: TestInstance, failing: TestInstance, hangUp: TestInstance;
let refused: string;

const inst = async (name: string, b = {}): Promise<TestInstance> => {
  const i = await startTestInstance(name, b);
  instances.push(i);
  return i;
};

function baseSnapshot(keys = [KEY, 'secondary-key']) {
  return snapshot(version++, [
    endpoint('ep', {
      keys,
      traffic: { blue: 100, green: 0 },
      deployments: [
        deployment('blue', { instances: [blue] }),
        deployment('green', { instances: [green] }),
        deployment('slow', { instances: [slow], requestTimeoutMs: 300 }),
        deployment('busy', { instances: [busy], maxConcurrentPerInstance: 1, requestTimeoutMs: 3000 }),
        deployment('failing', { instances: [failing] }),
        deployment('empty', { instances: [] }),
        deployment('hangup', { instances: [hangUp] }),
        deployment('refused', { instances: [refused] }),
        deployment('retry', { instances: [refused, green] }),
      ],
    }),
    endpoint('nothing', { keys: [KEY], deployments: [deployment('blue', { instances: [blue] })] }),
    endpoint('tok', { authMode: 'aml_token', tokenSecret, traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [blue] })] }),
  ]);
}

before(async () => {
  blue = await inst('blue-0');
  green = await inst('green-0');
  slow = await inst('slow-0', { delayMs: 1000 });
  busy = await inst('busy-0', { delayMs: 1000 });
  failing = await inst('failing-0', { status: 500, body: () => '{"detail":"boom in run()"}' });
  hangUp = await inst('hangup-0', { hangUp: true });
  refused = await refusedUrl();
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { maxBodyBytes: 64 * 1024, maxHeaderBytes: 8 * 1024 } });
  await gw.publish(baseSnapshot());
});

after(async () => {
  await gw?.close();
  await Promise.all(instances.map((i) => i.close()));
  await client.close();
});

const score = (ep = 'ep', extra: Record<string, string> = {}, body = '{"data":[1,2]}') =>
  call(`${gw.url}/endpoints/${ep}/score`, { headers: { ...HEADERS, ...extra }, body });

test('200: the model answer passes through with azureml-model-deployment and a GUID x-request-id', async () => {
  const r = await score();
  assert.equal(r.status, 200);
  assert.equal(r.headers['azureml-model-deployment'], 'blue');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.match(String(r.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(JSON.parse(r.body), { instance: 'blue-0', body: '{"data":[1,2]}' });
});

test('200: instance sees the body, the query string and x-request-id, never the Authorization header', async () => {
  const r = await call(`${gw.url}/endpoints/ep/score/?verbose=1`, { headers: { ...HEADERS, 'x-custom': 'v' }, body: 'hello' });
  assert.equal(r.status, 200);
  const seen = blue.seen.at(-1)!;
  assert.equal(seen.url, '/score?verbose=1');
  assert.equal(seen.body, 'hello');
  assert.equal(seen.headers.authorization, undefined);
  assert.equal(seen.headers['x-custom'], 'v');
  assert.equal(seen.headers['x-request-id'], r.headers['x-request-id']);
});

test('x-request-id kept when a valid GUID, replaced otherwise; x-ms-client-request-id cleaned and cut to 40', async () => {
  const guid = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const r1 = await score('ep', { 'x-request-id': guid, 'x-ms-client-request-id': 'abc_DEF-123' });
  assert.equal(r1.headers['x-request-id'], guid);
  assert.equal(r1.headers['x-ms-client-request-id'], 'abc_DEF-123');
  const r2 = await score('ep', { 'x-request-id': 'not a guid', 'x-ms-client-request-id': 'a b;c<d>' + 'x'.repeat(60) });
  assert.notEqual(r2.headers['x-request-id'], 'not a guid');
  assert.equal(r2.headers['x-ms-client-request-id'], 'abcd' + 'x'.repeat(36));
  const r3 = await score('ep', { 'x-ms-client-request-id': '!!!' });
  assert.equal(r3.headers['x-ms-client-request-id'], undefined);
  const r4 = await score('ep', {}, '{}');
  assert.equal(r4.headers['x-ms-client-request-id'], undefined);
});

test('401: missing credential (with WWW-Authenticate), wrong key; the secondary key works', async () => {
  const missing = await call(`${gw.url}/endpoints/ep/score`, { body: '{}' });
  assert.equal(missing.status, 401);
  assert.match(String(missing.headers['www-authenticate']), /^Bearer/);
  assert.ok(missing.headers['x-request-id']);
  const wrong = await score('ep', { authorization: 'Bearer nope' });
  assert.equal(wrong.status, 401);
  assert.match(String(wrong.headers['www-authenticate']), /invalid_token/);
  assert.ok(!wrong.body.includes('nope'), 'the credential is never echoed');
  assert.equal((await score('ep', { authorization: 'Bearer secondary-key' })).status, 200);
  assert.equal((await score('ep', { authorization: KEY })).status, 200, 'bare key accepted');
});

test('401 for an expired aml_token; 200 for a fresh one; a key is not a token', async () => {
  const expired = mintToken('tok', tokenSecret, 60, Date.now() - 120_000).accessToken;
  const fresh = mintToken('tok', tokenSecret, 60).accessToken;
  const otherEndpoint = mintToken('ep', tokenSecret, 60).accessToken;
  assert.equal((await score('tok', { authorization: `Bearer ${expired}` })).status, 401);
  assert.equal((await score('tok', { authorization: `Bearer ${otherEndpoint}` })).status, 401);
  assert.equal((await score('tok', { authorization: `Bearer ${KEY}` })).status, 401);
  assert.equal((await score('tok', { authorization: `Bearer ${fresh}` })).status, 200);
});

test('key rotation takes effect at the next request', async () => {
  assert.equal((await score()).status, 200);
  await gw.publish(baseSnapshot(['rotated-key', 'secondary-key']));
  try {
    assert.equal((await score()).status, 401, 'the old primary key is refused at once');
    assert.equal((await score('ep', { authorization: 'Bearer rotated-key' })).status, 200);
  } finally {
    await gw.publish(baseSnapshot());
  }
});

test('404: unknown endpoint, unknown deployment, no positive traffic, unknown route', async () => {
  const unknown = await score('nope');
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.body).error.code, 'EndpointNotFound');
  const dep = await score('ep', { 'azureml-model-deployment': 'purple' });
  assert.equal(dep.status, 404);
  assert.equal(JSON.parse(dep.body).error.code, 'DeploymentNotFound');
  const none = await score('nothing');
  assert.equal(none.status, 404);
  assert.equal(JSON.parse(none.body).error.code, 'NoTraffic');
  assert.equal((await call(`${gw.url}/endpoints/ep/other`, { headers: HEADERS })).status, 404);
  assert.equal((await call(`${gw.url}/elsewhere`, { headers: HEADERS })).status, 404);
});

test('header routing: a 0% deployment answers when named, and on an endpoint without traffic', async () => {
  const r = await score('ep', { 'azureml-model-deployment': 'green' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['azureml-model-deployment'], 'green');
  assert.equal(JSON.parse(r.body).instance, 'green-0');
  const n = await score('nothing', { 'azureml-model-deployment': 'blue' });
  assert.equal(n.status, 200);
});

test('408: request_timeout_ms elapsed; the upstream request is aborted', async () => {
  const abortedBefore = slow.aborted;
  const t0 = Date.now();
  const r = await score('ep', { 'azureml-model-deployment': 'slow' });
  const took = Date.now() - t0;
  assert.equal(r.status, 408);
  assert.equal(r.headers['azureml-model-deployment'], 'slow');
  // Answered at the timeout, well before the instance (1 s) would have.
  assert.ok(took >= 290 && took < 1000, `answered after ${took} ms`);
  for (let i = 0; i < 50 && slow.aborted === abortedBefore; i++) await sleep(10);
  assert.equal(slow.aborted, abortedBefore + 1, 'the instance saw the request cancelled');
});

test('413: Content-Length over the limit, and a chunked body that grows over it', async () => {
  const big = Buffer.alloc(64 * 1024 + 1, 0x61);
  const r = await score('ep', {}, big.toString());
  assert.equal(r.status, 413);
  // Streamed without Content-Length: undici sends an async iterable chunked.
  const { request } = await import('undici');
  const chunks = async function* () {
    for (let i = 0; i < 80; i++) yield Buffer.alloc(1024, 0x62);
  };
  const res = await request(`${gw.url}/endpoints/ep/score`, { method: 'POST', headers: HEADERS, body: chunks() }).catch((e: Error) => e);
  if (res instanceof Error) {
    // The gateway may cut the upload after answering; undici then reports the socket error instead.
    assert.match(res.message, /other side closed|socket|reset|EPIPE/i);
  } else {
    assert.equal(res.statusCode, 413);
    await res.body.text();
  }
  assert.equal((await score('ep', {}, 'x'.repeat(1000))).status, 200, 'smaller bodies still pass');
});

test('424: the model answered non-2xx → its body with the ms-azureml-model-error-* headers', async () => {
  const r = await score('ep', { 'azureml-model-deployment': 'failing' });
  assert.equal(r.status, 424);
  assert.equal(r.headers['ms-azureml-model-error-statuscode'], '500');
  assert.ok(r.headers['ms-azureml-model-error-reason']);
  assert.equal(r.body, '{"detail":"boom in run()"}');
  assert.equal(r.headers['azureml-model-deployment'], 'failing');
});

test('424: no healthy instance (none ready; only one refusing connections)', async () => {
  const empty = await score('ep', { 'azureml-model-deployment': 'empty' });
  assert.equal(empty.status, 424);
  assert.equal(empty.headers['ms-azureml-model-error-reason'], 'no_healthy_instance');
  assert.ok(empty.headers['ms-azureml-model-error-statuscode']);
  const ref = await score('ep', { 'azureml-model-deployment': 'refused' });
  assert.equal(ref.status, 424);
  assert.equal(ref.headers['ms-azureml-model-error-reason'], 'instance_unreachable');
});

test('retry only when the connection was refused: another instance answers; a crash mid-request is not retried', async () => {
  const before = green.scored;
  for (let i = 0; i < 5; i++) {
    const r = await score('ep', { 'azureml-model-deployment': 'retry' });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).instance, 'green-0');
  }
  assert.equal(green.scored, before + 5);
  const hung = hangUp.scored;
  const r = await score('ep', { 'azureml-model-deployment': 'hangup' });
  assert.equal(r.status, 424);
  assert.equal(hangUp.scored, hung + 1, 'the request that reached an instance is never sent twice');
});

test('429: more than 2 × max_concurrent × instance_count in flight fails fast; the rest queue and finish', async () => {
  // busy: 1 instance × 1 concurrent → bound 2 (one running, one queued); the instance takes 1 s.
  const t0 = Date.now();
  const rs = await Promise.all(Array.from({ length: 6 }, () => score('ep', { 'azureml-model-deployment': 'busy' }).then((r) => ({ ...r, at: Date.now() - t0 }))));
  const ok = rs.filter((r) => r.status === 200);
  const limited = rs.filter((r) => r.status === 429);
  assert.equal(ok.length, 2, `statuses ${rs.map((r) => r.status)}`);
  assert.equal(limited.length, 4);
  const firstOk = Math.min(...ok.map((r) => r.at));
  for (const r of limited) assert.ok(r.at < firstOk, `429 answered after ${r.at} ms, before any 200 (${firstOk} ms): fail fast`);
  assert.ok(Math.max(...ok.map((r) => r.at)) >= 1900, 'the queued one ran after the first (concurrency 1)');
  assert.equal(busy.maxRunning, 1, 'the per-instance limit held');
});

test('405 for the wrong method; swagger.json proxied with the same auth', async () => {
  assert.equal((await call(`${gw.url}/endpoints/ep/score`, { method: 'GET', headers: HEADERS })).status, 405);
  const sw = await call(`${gw.url}/endpoints/ep/swagger.json`, { method: 'GET', headers: HEADERS });
  assert.equal(sw.status, 200);
  assert.deepEqual(JSON.parse(sw.body), { openapi: '3.0.0', info: { title: 'blue-0' } });
  assert.equal((await call(`${gw.url}/endpoints/ep/swagger.json`, { method: 'GET' })).status, 401);
});

test('healthz answers 200', async () => {
  const r = await call(`${gw.url}/healthz`, { method: 'GET' });
  assert.equal(r.status, 200);
});

test('headers over maxHeaderBytes are refused (431); a client that never finishes its head is cut', async () => {
  const r = await call(`${gw.url}/endpoints/ep/score`, { headers: { ...HEADERS, 'x-big': 'y'.repeat(10 * 1024) } }).catch((e: Error) => e);
  if (!(r instanceof Error)) assert.equal(r.status, 431);
});

test('metrics: Prometheus text and JSON carry per-deployment figures', async () => {
  await load(20, 4, 10_000, () => score());
  const text = await gw.metricsText();
  assert.match(text, /switchyard_gateway_requests_total\{endpoint="ep",deployment="blue",role="live",code="200"\} \d+/);
  assert.match(text, /switchyard_gateway_request_duration_seconds_bucket\{endpoint="ep",deployment="blue",role="live",le="0.0005"\}/);
  assert.match(text, /switchyard_gateway_ready_instances\{endpoint="ep",deployment="blue"\} 1/);
  assert.match(text, /switchyard_gateway_in_flight\{endpoint="ep",deployment="blue"\} 0/);
  const json = (await gw.metricsJson()) as { endpoints: Record<string, Record<string, { requests: number; byStatus: Record<string, number>; p50Ms: number; readyInstances: number }>> };
  const b = json.endpoints.ep!.blue!;
  assert.ok(b.requests >= 20);
  assert.ok(b.byStatus['200']! >= 20);
  assert.ok(b.p50Ms > 0);
  assert.equal(b.readyInstances, 1);
  assert.ok(json.endpoints.ep!['']!.byStatus['401']! >= 1, 'refusals before routing are counted per endpoint');
});

test('a slow client that never finishes its request head is disconnected', async () => {
  const gw2 = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
  try {
    const t0 = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const s = connect(gw2.port, '127.0.0.1', () => s.write('POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\n'));
      s.on('data', () => {});
      s.on('close', () => resolve(Date.now() - t0));
      s.on('error', () => {});
      setTimeout(() => { s.destroy(); reject(new Error('slow client still connected after 5 s')); }, 5000);
    });
    assert.ok(closedAfter >= 250, `closed after ${closedAfter} ms`);
  } finally {
    await gw2.close();
  }
});
