// Shadow evaluation through the real GatewayHost (worker thread) and test instances: mirrored answers
// are paired with the live ones in the worker, handed over by message and compared by the Comparer on
// this (main) thread. Waits on the comparer's counts (the system's own signal), never on sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { Comparer, type ShadowComparison } from '../../src/control/comparer.js';
import { silentLogger } from '../../src/logger.js';
import { call, client, deployment, endpoint, load, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

let gw: RunningGateway;
const comparer = new Comparer();
const instances: TestInstance[] = [];
const KEY = 'k-shadow';
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
let version = 1;

const inst = async (name: string, b = {}): Promise<TestInstance> => {
  const i = await startTestInstance(name, b);
  instances.push(i);
  return i;
};

/** A deterministic "model": y = f(x) for the request {"x": n}. */
const model = (f: (x: number) => unknown) => (_req: IncomingMessage, body: Buffer): string => {
  const x = (JSON.parse(body.toString('utf8')) as { x: number }).x;
  return JSON.stringify({ y: f(x), label: 'ok' });
};

before(async () => {
  // Shedding off: these tests count every copy, on a machine that other work may load (the shedding
  // itself is tested with its own gateway below).
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { shedUtilization: 0, shedLoopDelayMs: 0, shedQueuedRequests: 0 } });
  gw.onEvidence((pairs, drops) => comparer.ingest(pairs, drops));
});

after(async () => {
  await gw?.close();
  await Promise.all(instances.map((i) => i.close()));
  await client.close();
});

const score = (ep: string, x: number) => call(`${gw.url}/endpoints/${ep}/score`, { headers: HEADERS, body: JSON.stringify({ x }) });

/** Waits until the comparer has seen `n` copies (pairs + drops) for the shadow, bounded in time. */
async function settled(ep: string, shadow: string, n: number, timeoutMs = 20_000): Promise<ShadowComparison> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = comparer.read(ep, { deployment: shadow })[0];
    if (s !== undefined && s.pairs + s.dropped >= n) return s;
    if (Date.now() > end) throw new Error(`comparer saw ${s ? s.pairs + s.dropped : 0} of ${n} copies for ${ep}/${shadow}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function publishMirror(name: string, live: TestInstance, shadow: TestInstance, shadowTimeoutMs = 5000): Promise<void> {
  await gw.publish(snapshot(version++, [endpoint(name, {
    keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent: 100 },
    deployments: [
      deployment('blue', { instances: [live], maxConcurrentPerInstance: 8 }),
      deployment('green', { instances: [shadow], maxConcurrentPerInstance: 8, requestTimeoutMs: shadowTimeoutMs }),
    ],
  })]));
}

test('identical models agree (>= 0.99); clients only ever see the live answer', async () => {
  await publishMirror('same', await inst('same-blue', { body: model((x) => x * 0.5) }), await inst('same-green', { body: model((x) => x * 0.5) }));
  const rs = await load(200, 8, 60_000, (i) => score('same', i));
  for (const r of rs) {
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-instance'], 'same-blue');
    assert.equal(r.headers['azureml-model-deployment'], 'blue');
  }
  const s = await settled('same', 'green', 200);
  assert.equal(s.pairs, 200, JSON.stringify(s.dropped_by_reason));
  assert.ok(s.agreement! >= 0.99, `agreement ${s.agreement}`);
  assert.equal(s.status_agreement, 1);
  assert.equal(s.shadow_errors, 0);
  assert.equal(s.abs_diff.max, 0);
  assert.equal(s.distribution?.shifted, false);
  assert.equal(s.samples.length, 0);
  assert.deepEqual(s.live_deployments, { blue: 200 });
  assert.ok(s.latency_ms.live_p50 !== null && s.latency_ms.shadow_p99 !== null);
});

test('different models disagree (<= 0.01); samples show the difference; the distribution test flags the shift', async () => {
  await publishMirror('diff', await inst('diff-blue', { body: model((x) => x * 0.5) }), await inst('diff-green', { body: model((x) => x * 0.5 + 40) }));
  const rs = await load(200, 8, 60_000, (i) => score('diff', i));
  for (const r of rs) {
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-instance'], 'diff-blue', 'the shadow answer never reaches the client');
    assert.equal((JSON.parse(r.body) as { y: number }).y * 2 % 1, 0);
  }
  const s = await settled('diff', 'green', 200);
  assert.equal(s.pairs, 200);
  assert.ok(s.agreement! <= 0.01, `agreement ${s.agreement}`);
  assert.equal(s.status_agreement, 1, 'statuses agree: both 200');
  assert.ok(Math.abs(s.abs_diff.p50! - 40) < 1, `abs diff p50 ${s.abs_diff.p50}`);
  assert.equal(s.distribution?.shifted, true, JSON.stringify(s.distribution));
  assert.ok(s.samples.length > 0 && s.samples.length <= 20);
  const sample = s.samples[0]!;
  assert.equal(sample.difference?.path, '$.y');
  const x = (JSON.parse(sample.request) as { x: number }).x;
  assert.equal(sample.difference?.live, x * 0.5);
  assert.equal(sample.difference?.shadow, x * 0.5 + 40);
  assert.equal(JSON.parse(sample.live.body).y, x * 0.5);
  assert.equal(JSON.parse(sample.shadow.body).y, x * 0.5 + 40);
});

test('a shadow failing every request yields status disagreement, not gateway errors', async () => {
  await publishMirror('fail', await inst('fail-blue', { body: model((x) => x) }), await inst('fail-green', { status: 500, body: () => '{"error":"boom"}' }));
  const rs = await load(100, 8, 60_000, (i) => score('fail', i));
  for (const r of rs) assert.equal(r.status, 200);
  const s = await settled('fail', 'green', 100);
  assert.equal(s.pairs, 100);
  assert.equal(s.status_agreement, 0);
  assert.equal(s.agreement, 0);
  assert.equal(s.shadow_errors, 100);
  assert.equal(s.statuses.shadow_failed, 100);
  assert.equal(s.samples[0]?.shadow.status, 500);
});

test('pairing memory stays bounded when the shadow never answers', async () => {
  // The shadow reads each request and never answers; its request timeout is 300 ms.
  await publishMirror('hang', await inst('hang-blue', { body: model((x) => x) }), await inst('hang-green', { delayMs: 600_000 }), 300);
  const n = 400;
  const rs = await load(n, 16, 60_000, (i) => score('hang', i));
  for (const r of rs) assert.equal(r.status, 200);
  // Every copy ends as a pair (the shadow timed out) or a counted drop (lane full); nothing waits forever.
  const s = await settled('hang', 'green', n);
  assert.equal(s.pairs + s.dropped, n);
  assert.ok(s.pairs > 0 && s.shadow_errors === s.pairs, JSON.stringify({ pairs: s.pairs, errors: s.shadow_errors }));
  assert.ok((s.dropped_by_reason.lane_full ?? 0) + (s.dropped_by_reason.stale ?? 0) === s.dropped, JSON.stringify(s.dropped_by_reason));
  assert.equal(s.samples[0]?.shadow.error, 'timeout');
  const m = (await gw.metricsJson()) as { pairing: { openPairs: number; capturedBytes: number; unacked: number } };
  assert.equal(m.pairing.openPairs, 0);
  assert.equal(m.pairing.capturedBytes, 0);
});

test('extension: a mirror and two shadows at once, each sampled independently, all compared', async () => {
  const blue = await inst('multi-blue', { body: model((x) => x) });
  const green = await inst('multi-green', { body: model((x) => x) });
  const purple = await inst('multi-purple', { body: model((x) => x + 1) });
  const red = await inst('multi-red', { body: model((x) => x) });
  await gw.publish(snapshot(version++, [{
    ...endpoint('multi', {
      keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent: 20 },
      deployments: ['blue', 'green', 'purple', 'red'].map((n, i) => deployment(n, { instances: [[blue, green, purple, red][i]!], maxConcurrentPerInstance: 8 })),
    }),
    shadows: [{ deployment: 'purple', percent: 100 }, { deployment: 'red', percent: 50 }],
  }]));
  const n = 200;
  const rs = await load(n, 8, 60_000, (i) => score('multi', i));
  for (const r of rs) assert.equal(r.headers['x-instance'], 'multi-blue');
  const g = await settled('multi', 'green', n * 0.2);
  const p = await settled('multi', 'purple', n);
  const r = await settled('multi', 'red', n * 0.5);
  assert.deepEqual([g.kind, g.pairs + g.dropped, g.agreement], ['mirror', 40, 1]);
  assert.deepEqual([p.kind, p.pairs + p.dropped, p.agreement], ['shadow', 200, 0]);
  assert.deepEqual([r.kind, r.pairs + r.dropped, r.agreement], ['shadow', 100, 1]);
  assert.equal(green.scored + purple.scored + red.scored, 340);
});

test('extension: a shadow on a deployment that also serves live traffic gets only the other deployment\'s requests', async () => {
  const blue = await inst('both-blue', { body: model((x) => x) });
  const green = await inst('both-green', { body: model((x) => x) });
  await gw.publish(snapshot(version++, [{
    ...endpoint('both', {
      keys: [KEY], traffic: { blue: 50, green: 50 },
      deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 }), deployment('green', { instances: [green], maxConcurrentPerInstance: 8 })],
    }),
    shadows: [{ deployment: 'green', percent: 100 }],
  }]));
  const rs = await load(200, 8, 60_000, (i) => score('both', i));
  const byBlue = rs.filter((x) => x.headers['azureml-model-deployment'] === 'blue').length;
  assert.ok(byBlue > 80 && byBlue < 120, String(byBlue));
  const s = await settled('both', 'green', byBlue);
  assert.equal(s.pairs + s.dropped, byBlue, 'only requests answered by blue were copied to green');
  assert.deepEqual(s.live_deployments, { blue: s.pairs });
  assert.equal(s.agreement, 1);
  assert.equal(green.scored, 200 - byBlue + byBlue, 'green: its live share plus the copies');
});

test('extension: sticky keys never move while weights stay, move about in proportion when they change; unkeyed traffic keeps the exact split', async () => {
  const blue = await inst('sticky-blue');
  const green = await inst('sticky-green');
  const publish = (w: Record<string, number>) => gw.publish(snapshot(version++, [{
    ...endpoint('sticky', {
      keys: [KEY], traffic: w,
      deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 }), deployment('green', { instances: [green], maxConcurrentPerInstance: 8 })],
    }),
    stickyHeader: 'x-user-id',
  }]));
  const keyed = async (): Promise<Map<string, string>> => {
    const seen = new Map<string, string>();
    const keys = Array.from({ length: 400 }, (_, i) => `u${i}`);
    await load(keys.length * 2, 8, 60_000, async (i) => {
      const k = keys[i % keys.length]!;
      const r = await call(`${gw.url}/endpoints/sticky/score`, { headers: { ...HEADERS, 'x-user-id': k }, body: '{}' });
      const d = String(r.headers['azureml-model-deployment']);
      const prev = seen.get(k);
      assert.ok(prev === undefined || prev === d, `key ${k} moved from ${prev} to ${d} with the same weights`);
      seen.set(k, d);
    });
    return seen;
  };
  await publish({ blue: 70, green: 30 });
  const first = await keyed();
  const unkeyed = await load(1000, 8, 60_000, (i) => score('sticky', i));
  const blueShare = unkeyed.filter((r) => r.headers['azureml-model-deployment'] === 'blue').length / 10;
  assert.ok(Math.abs(blueShare - 70) <= 1, `unkeyed: blue got ${blueShare}%`);
  await publish({ blue: 50, green: 50 });
  const second = await keyed();
  let moved = 0;
  for (const [k, d] of first) {
    if (second.get(k) === d) continue;
    moved++;
    assert.deepEqual([d, second.get(k)], ['blue', 'green'], `key ${k}`);
  }
  // 20 of blue's 70 points moved: ~20% of all keys (400 keys: ±7 points).
  assert.ok(Math.abs(moved / 400 - 0.2) < 0.07, `moved ${moved / 400}`);
});

test('a busy gateway sheds mirror copies first, counted as dropped (busy)', async () => {
  // Its own gateway, shedding when more than 2 live requests wait for an instance.
  const busyGw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { shedUtilization: 0, shedLoopDelayMs: 0, shedQueuedRequests: 2 } });
  const c = new Comparer();
  busyGw.onEvidence((p, d) => c.ingest(p, d));
  try {
    const blue = await inst('busy-blue', { delayMs: 40 });
    const green = await inst('busy-green');
    await busyGw.publish(snapshot(1, [endpoint('busy', {
      keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent: 100 },
      deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 1, instanceCount: 8 }), deployment('green', { instances: [green], maxConcurrentPerInstance: 8 })],
    })]));
    // 16 at once on a live instance taking one at a time: the queue stays long for a while.
    const rs = await load(120, 16, 60_000, (i) => call(`${busyGw.url}/endpoints/busy/score`, { headers: HEADERS, body: JSON.stringify({ x: i }) }));
    for (const r of rs) assert.equal(r.status, 200);
    const end = Date.now() + 20_000;
    let s: ShadowComparison | undefined;
    while (Date.now() < end) {
      s = c.read('busy', { deployment: 'green' })[0];
      if (s !== undefined && s.pairs + s.dropped >= 120) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(s!.pairs + s!.dropped, 120);
    assert.ok((s!.dropped_by_reason.busy ?? 0) > 0, JSON.stringify(s!.dropped_by_reason));
    const m = (await busyGw.metricsJson()) as { endpoints: Record<string, Record<string, { mirror: { droppedByReason: Record<string, number> } }>> };
    assert.equal(m.endpoints.busy!.green!.mirror.droppedByReason.busy, s!.dropped_by_reason.busy);
  } finally {
    await busyGw.close();
  }
});

test('noise calibration: an output that varies on its own is not held against the shadow; real differences still are', async () => {
  const noisy = (shift: number) => (_req: IncomingMessage, body: Buffer): string => {
    const x = (JSON.parse(body.toString('utf8')) as { x: number }).x;
    return JSON.stringify({ y: x + shift, sampled_at: Math.random() });
  };
  const blue = [await inst('noise-blue-0', { body: noisy(0) }), await inst('noise-blue-1', { body: noisy(0) })];
  const green = await inst('noise-green', { body: noisy(0) });
  const purple = await inst('noise-purple', { body: noisy(5) });
  await gw.publish(snapshot(version++, [{
    ...endpoint('noise', {
      keys: [KEY], traffic: { blue: 100 },
      deployments: [
        deployment('blue', { instances: blue, maxConcurrentPerInstance: 8 }),
        deployment('green', { instances: [green], maxConcurrentPerInstance: 8 }),
        deployment('purple', { instances: [purple], maxConcurrentPerInstance: 8 }),
      ],
    }),
    shadows: [{ deployment: 'green', percent: 100 }, { deployment: 'purple', percent: 100 }],
    calibratePercent: 100,
  }]));
  const n = 200;
  await load(n, 4, 60_000, (i) => score('noise', i));
  const g = await settled('noise', 'green', n);
  const p = await settled('noise', 'purple', n);
  assert.deepEqual(g.noise?.noisy_paths, ['$.sampled_at']);
  assert.ok(g.noise!.pairs > 0 && g.noise!.agreement! < 0.05, JSON.stringify(g.noise));
  // The first few pairs may be compared before the noise is known (a path is noisy after 2 sightings).
  assert.ok(g.agreement! >= 0.95, `green agreement ${g.agreement} (noise ${JSON.stringify(g.noise)})`);
  assert.ok(g.noise!.ignored >= g.pairs * 0.9);
  assert.ok(p.agreement! <= 0.01, `purple agreement ${p.agreement}`);
  assert.equal(p.samples[0]?.difference?.path, '$.y');
});
