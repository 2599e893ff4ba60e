// Traffic split, mirroring, snapshot swaps and drain through the real GatewayHost and test instances.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { call, client, deployment, endpoint, load, sleep, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

let gw: RunningGateway;
const instances: TestInstance[] = [];
const KEY = 'k-routing';
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
let version = 1;

const inst = async (name: string, b = {}): Promise<TestInstance> => {
  const i = await startTestInstance(name, b);
  instances.push(i);
  return i;
};

before(async () => {
  // Shedding of mirror copies when the gateway is busy is off here: these tests count exact shares on a
  // machine other work may saturate (shedding: gateway-shadow-compare.test.ts).
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { shedUtilization: 0, shedLoopDelayMs: 0, shedQueuedRequests: 0 } });
});

after(async () => {
  await gw?.close();
  await Promise.all(instances.map((i) => i.close()));
  await client.close();
});

const score = (ep: string, extra: Record<string, string> = {}) => call(`${gw.url}/endpoints/${ep}/score`, { headers: { ...HEADERS, ...extra }, body: '{"x":1}' });

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
}

test('weighted split over 2,000 requests: each deployment within ±2 points of its weight', async () => {
  const a = await inst('split-a-0');
  const b = await inst('split-b-0');
  const c = await inst('split-c-0');
  for (const weights of [{ a: 90, b: 10, c: 0 }, { a: 50, b: 30, c: 20 }]) {
    await gw.publish(snapshot(version++, [endpoint('split', {
      keys: [KEY], traffic: weights,
      deployments: [
        deployment('a', { instances: [a], maxConcurrentPerInstance: 8 }),
        deployment('b', { instances: [b], maxConcurrentPerInstance: 8 }),
        deployment('c', { instances: [c], maxConcurrentPerInstance: 8 }),
      ],
    })]));
    const rs = await load(2000, 8, 60_000, () => score('split'));
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const r of rs) {
      assert.equal(r.status, 200);
      counts[String(r.headers['azureml-model-deployment'])]!++;
    }
    for (const [name, w] of Object.entries(weights)) {
      const share = (counts[name]! / 2000) * 100;
      assert.ok(Math.abs(share - w) <= 2, `${JSON.stringify(weights)}: ${name} got ${share.toFixed(2)}%`);
    }
    assert.equal(counts.c, weights.c === 0 ? 0 : counts.c, '0% gets exactly none');
  }
});

test('mirror: exactly the configured share of unnamed requests is copied; clients only see the live answer', async () => {
  const live = await inst('mir-blue-0', { body: () => '{"from":"blue"}' });
  const shadow = await inst('mir-green-0', { body: () => '{"from":"green-shadow"}' });
  await gw.publish(snapshot(version++, [endpoint('mir', {
    keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent: 10 },
    deployments: [
      deployment('blue', { instances: [live], maxConcurrentPerInstance: 8 }),
      deployment('green', { instances: [shadow], maxConcurrentPerInstance: 16 }),
    ],
  })]));
  const rs = await load(1000, 4, 60_000, () => score('mir'));
  for (const r of rs) {
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"from":"blue"}');
    assert.equal(r.headers['azureml-model-deployment'], 'blue');
  }
  // Named requests are never mirrored, not even when they name the live deployment.
  await load(100, 4, 30_000, () => score('mir', { 'azureml-model-deployment': 'blue' }));
  await waitFor(() => shadow.scored >= 100, 5000);
  await sleep(100);
  assert.equal(shadow.scored, 100, '10% of 1,000 unnamed requests, exactly');
  assert.equal(live.scored, 1100);
  const m = (await gw.metricsJson()) as { endpoints: Record<string, Record<string, { mirror: { sent: number; dropped: number; succeeded: number; received: number } }>> };
  const g = m.endpoints.mir!.green!.mirror;
  assert.deepEqual({ sent: g.sent, dropped: g.dropped, succeeded: g.succeeded, received: g.received }, { sent: 100, dropped: 0, succeeded: 100, received: 100 });
});

test('mirror: a failing shadow fails nothing live; a saturated, slow shadow drops copies and counts them', async () => {
  const live = await inst('mir2-blue-0');
  const failing = await inst('mir2-fail-0', { status: 500 });
  const slow = await inst('mir2-slow-0', { delayMs: 2000 });
  const publish = (shadow: TestInstance, percent: number) => gw.publish(snapshot(version++, [endpoint('mir2', {
    keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent },
    deployments: [
      deployment('blue', { instances: [live], maxConcurrentPerInstance: 8 }),
      deployment('green', { instances: [shadow], maxConcurrentPerInstance: 2, requestTimeoutMs: 5000 }),
    ],
  })]));
  await publish(failing, 50);
  const rs = await load(200, 4, 30_000, () => score('mir2'));
  assert.ok(rs.every((r) => r.status === 200));
  await waitFor(() => failing.scored >= 100, 5000);
  let m = (await gw.metricsJson()) as { endpoints: Record<string, Record<string, { mirror: { sent: number; dropped: number; failed: number; byStatus: Record<string, number> } }>> };
  assert.equal(m.endpoints.mir2!.green!.mirror.failed, 100);
  assert.equal(m.endpoints.mir2!.green!.mirror.byStatus['500'], 100);

  await publish(slow, 50);
  const t0 = Date.now();
  const rs2 = await load(200, 4, 30_000, () => score('mir2'));
  const took = Date.now() - t0;
  assert.ok(rs2.every((r) => r.status === 200));
  // Waiting on the shadow would take ≥ 100 copies × 2 s / 4 clients = 50 s; 10 s is a loose bound.
  assert.ok(took < 10_000, `200 live requests took ${took} ms with a 2 s shadow`);
  m = (await gw.metricsJson()) as typeof m;
  const g = m.endpoints.mir2!.green!.mirror;
  // Lane: 2 running + 32 queued at most (the queue's floor); the other copies are dropped.
  assert.ok(g.dropped >= 60, `dropped ${g.dropped}`);
  assert.ok(g.sent >= 100 + 2 && g.sent <= 100 + 8, `sent ${g.sent}`);
});

test('snapshot swaps under load drop nothing (rolling instance sets, weight changes)', async () => {
  const pool = await Promise.all(Array.from({ length: 4 }, (_, i) => inst(`swap-${i}`, { delayMs: 2 })));
  const snap = (set: TestInstance[], weights: Record<string, number>) => snapshot(version++, [endpoint('swap', {
    keys: [KEY], traffic: weights,
    deployments: [
      deployment('blue', { instances: set, maxConcurrentPerInstance: 4, instanceCount: 2 }),
      deployment('green', { instances: [pool[3]!], maxConcurrentPerInstance: 4 }),
    ],
  })]);
  await gw.publish(snap([pool[0]!], { blue: 100 }));
  let stop = false;
  const swapper = (async () => {
    const sets = [[pool[0]!, pool[1]!], [pool[1]!], [pool[1]!, pool[2]!], [pool[2]!], [pool[2]!, pool[0]!], [pool[0]!]];
    for (let i = 0; !stop && i < 60; i++) {
      await gw.publish(snap(sets[i % sets.length]!, i % 3 === 0 ? { blue: 90, green: 10 } : { blue: 100 }));
      await sleep(15);
    }
  })();
  const rs = await load(3000, 12, 60_000, () => score('swap'));
  stop = true;
  await swapper;
  const bad = rs.filter((r) => r.status !== 200);
  assert.equal(bad.length, 0, `non-200 answers: ${JSON.stringify(bad.slice(0, 3).map((r) => [r.status, r.body]))}`);
  for (const p of pool.slice(0, 3)) assert.ok(p.maxRunning <= 4, `${p.name} ran ${p.maxRunning} at once (limit 4 held across swaps)`);
});

test('drain(): resolves once the snapshot excludes the URLs and their in-flight requests finished', async () => {
  const old = await inst('drain-old-0', { delayMs: 600 });
  const fresh = await inst('drain-new-0');
  const snap = (set: TestInstance[]) => snapshot(version++, [endpoint('drain', {
    keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: set, maxConcurrentPerInstance: 4 })],
  })]);
  await gw.publish(snap([old]));
  const inFlight = score('drain');
  await waitFor(() => old.running === 1, 2000);
  // Still listed: drain cannot finish, whatever the in-flight count.
  assert.equal(await gw.drain([old.url], 100), false);
  await gw.publish(snap([fresh]));
  const drained = await gw.drain([old.url], 5000);
  assert.equal(drained, true);
  assert.equal(old.running, 0, 'drain resolved only once the instance had finished the in-flight request');
  const r = await inFlight;
  assert.equal(r.status, 200, 'the in-flight request finished on the instance it started on');
  assert.equal(JSON.parse(r.body).instance, 'drain-old-0');
  assert.equal(JSON.parse((await score('drain')).body).instance, 'drain-new-0');
  assert.equal(await gw.drain(['http://127.0.0.1:1'], 100), true, 'unknown URLs are drained already');
});

test('a stale snapshot version is ignored', async () => {
  const a = await inst('stale-a-0');
  await gw.publish(snapshot(version++, [endpoint('stale', { keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [a] })] })]));
  await gw.publish(snapshot(1, []));
  assert.equal((await score('stale')).status, 200);
});
