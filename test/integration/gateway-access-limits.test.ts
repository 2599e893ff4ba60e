// Who may talk to the gateway (issue 10, findings 4 and 7): a flood of bad credentials from one source
// gets 429 with Retry-After past the limit while valid keys keep working (from that source too) and
// other sources are untouched; `public_network_access: disabled` answers loopback only. Real GatewayHost
// in front of a real test instance; the attacker is a second loopback address (127.0.0.2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { deployment, endpoint, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

const KEY = 'access-limits-key';
const LIMIT = 20;
let gw: RunningGateway;
let blue: TestInstance;

before(async () => {
  blue = await startTestInstance('limits-blue-0');
  gw = await GatewayHost.start({
    host: '127.0.0.1', port: 0, logger: silentLogger(),
    limits: { authFailureLimit: LIMIT, authFailureWindowMs: 2_000, authFailureSources: 100 },
  });
  await gw.publish(snap([]));
});

after(async () => {
  await gw.close();
  await blue.close();
});

function snap(extra: ReturnType<typeof endpoint>[]) {
  const dep = deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 });
  return snapshot(1, [endpoint('ep', { keys: [KEY], traffic: { blue: 100 }, deployments: [dep] }), ...extra]);
}

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

const agents = new Map<string, Agent>();
/** POST /score from a chosen local address, keep-alive. */
function score(url: string, from: string, key: string | null, path = '/endpoints/ep/score'): Promise<Answer> {
  let agent = agents.get(from);
  if (agent === undefined) agents.set(from, (agent = new Agent({ keepAlive: true, maxSockets: 4 })));
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST', agent, localAddress: from,
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.end('{"x":1}');
  });
}

after(() => {
  for (const a of agents.values()) a.destroy();
});

test('a 401 flood from one source meets 429 with Retry-After; valid keys and other sources are not limited', async () => {
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < LIMIT + 30; i++) {
    const a = await score(gw.url, '127.0.0.2', i % 2 === 0 ? 'wrong-key' : null);
    statuses.push(a.status);
    if (a.status === 429) {
      retryAfter = a.headers['retry-after'] as string;
      assert.equal(JSON.parse(a.body).error.code, 'TooManyRequests');
    }
    // A valid key keeps working during the flood, from the flooding source and from another one.
    if (i % 10 === 9) {
      assert.equal((await score(gw.url, '127.0.0.2', KEY)).status, 200);
      assert.equal((await score(gw.url, '127.0.0.1', KEY)).status, 200);
    }
  }
  assert.deepEqual(statuses.slice(0, LIMIT), Array(LIMIT).fill(401));
  assert.deepEqual(statuses.slice(LIMIT), Array(30).fill(429));
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 2, `Retry-After ${retryAfter}`);
  // Another source still gets the honest 401 for a wrong key.
  assert.equal((await score(gw.url, '127.0.0.3', 'wrong-key')).status, 401);
  // When the window the gateway named has passed, the source is back to 401 (polled, bounded).
  const deadline = Date.now() + 10_000;
  let status = 429;
  while (status === 429 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    status = (await score(gw.url, '127.0.0.2', 'wrong-key')).status;
  }
  assert.equal(status, 401);
});

const external = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

test('public_network_access: disabled answers loopback sources only (403 to any other)', { skip: external === undefined && 'no non-loopback IPv4 address on this machine' }, async () => {
  // A second listener on this machine's own non-loopback address (traffic never leaves the host).
  const outside = await GatewayHost.start({ host: external!, port: 0, logger: silentLogger() });
  try {
    const priv = endpoint('private', { keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 })] });
    priv.publicNetworkAccess = 'disabled';
    for (const g of [gw, outside]) await g.publish({ ...snap([priv]), version: 2 });
    assert.equal((await score(gw.url, '127.0.0.1', KEY, '/endpoints/private/score')).status, 200);
    const refused = await score(outside.url, external!, KEY, '/endpoints/private/score');
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).error.code, 'PublicNetworkAccessDisabled');
    // Refused before authentication: no credential check, no failure counted.
    assert.equal((await score(outside.url, external!, null, '/endpoints/private/score')).status, 403);
    // The endpoint next to it (enabled) answers from anywhere.
    assert.equal((await score(outside.url, external!, KEY)).status, 200);
  } finally {
    await outside.close();
  }
});
