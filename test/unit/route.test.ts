// route(): table-driven, no sockets. Split accuracy is checked with the gateway's own draw sources
// (route-draws.ts) over short runs, as the gateway uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route, findDeployment } from '../../src/gateway/route.js';
import { goldenSequence, ShareAccumulator } from '../../src/gateway/route-draws.js';
import type { DeploymentRoute, EndpointRoute } from '../../src/gateway/snapshot.js';

function dep(name: string): DeploymentRoute {
  return { name, requestTimeoutMs: 5000, maxConcurrentPerInstance: 1, instanceCount: 1, instances: [{ name: `${name}-0`, url: 'http://127.0.0.1:1' }], scorePath: '/score', swaggerPath: '/swagger.json' };
}

function ep(traffic: Record<string, number>, opts: { mirror?: { deployment: string; percent: number }; extra?: string[] } = {}): EndpointRoute {
  const names = new Set([...Object.keys(traffic), ...(opts.extra ?? []), ...(opts.mirror ? [opts.mirror.deployment] : [])]);
  return {
    name: 'ep', authMode: 'key', keyHashes: [], tokenSecret: '',
    traffic: Object.entries(traffic).filter(([, w]) => w > 0).map(([deployment, weight]) => ({ deployment, weight })),
    mirror: opts.mirror ?? null,
    deployments: Object.fromEntries([...names].map((n) => [n, dep(n)])),
  };
}

function split(e: EndpointRoute, n: number, seed: number): Map<string, number> {
  const rand = goldenSequence(seed);
  const acc = new ShareAccumulator();
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = route(e, undefined, rand, acc.draw);
    assert.equal(r.error, undefined);
    counts.set(r.live!.name, (counts.get(r.live!.name) ?? 0) + 1);
  }
  return counts;
}

const splits: Array<Record<string, number>> = [
  { blue: 100 },
  { blue: 90, green: 10 },
  { blue: 50, green: 50 },
  { blue: 99, green: 1 },
  { blue: 1, green: 99 },
  { a: 33, b: 33, c: 34 },
  { a: 10, b: 20, c: 30, d: 40 },
  { a: 5, b: 5, c: 5, d: 5, e: 80 },
  { blue: 97, green: 2, red: 1 },
];

test('weighted split: within ±2 points of each weight over 1,000 requests (any start, many tables)', () => {
  for (const weights of splits) {
    for (const seed of [0, 0.123, 0.5, 0.77, 0.999]) {
      const counts = split(ep(weights), 1000, seed);
      for (const [name, w] of Object.entries(weights)) {
        const got = counts.get(name) ?? 0;
        assert.ok(Math.abs(got - w * 10) <= 20, `${JSON.stringify(weights)} seed ${seed}: ${name} got ${got}/1000, want ${w * 10} ± 20`);
      }
    }
  }
});

test('weighted split: within ±2 requests of 10 over any 100 consecutive requests, ±1 over any 1,000', () => {
  const e = ep({ blue: 90, green: 10 });
  const rand = goldenSequence(0.31);
  const seq: string[] = [];
  for (let i = 0; i < 2000; i++) seq.push(route(e, undefined, rand).live!.name);
  for (let start = 0; start + 100 <= seq.length; start++) {
    const green = seq.slice(start, start + 100).filter((n) => n === 'green').length;
    assert.ok(green >= 8 && green <= 12, `window of 100 at ${start}: ${green} green`);
  }
  for (let start = 0; start + 1000 <= seq.length; start += 7) {
    const green = seq.slice(start, start + 1000).filter((n) => n === 'green').length;
    assert.ok(green >= 99 && green <= 101, `window of 1000 at ${start}: ${green} green`);
  }
});

test('0% means exactly none: a deployment with weight 0 never gets unnamed requests', () => {
  const e = ep({ blue: 100, green: 0 });
  const rand = goldenSequence(0.4);
  for (let i = 0; i < 5000; i++) assert.equal(route(e, undefined, rand).live!.name, 'blue');
  // Also with a hostile draw source that returns the edges.
  for (const u of [0, 0.9999999999, 1, -1, NaN]) assert.equal(route(e, undefined, () => u).live!.name, 'blue');
});

test('edge draws map to the first and last positive slices', () => {
  const e = ep({ a: 30, b: 70 });
  assert.equal(route(e, undefined, () => 0).live!.name, 'a');
  assert.equal(route(e, undefined, () => 0.2999).live!.name, 'a');
  assert.equal(route(e, undefined, () => 0.3).live!.name, 'b');
  assert.equal(route(e, undefined, () => 0.9999999999999999).live!.name, 'b');
});

test('no positive traffic → NoTraffic (404), also with deployments present', () => {
  assert.deepEqual(route(ep({}), undefined, Math.random), { error: 'NoTraffic' });
  assert.deepEqual(route(ep({}, { extra: ['blue', 'green'] }), undefined, Math.random), { error: 'NoTraffic' });
  assert.deepEqual(route(ep({}, { mirror: { deployment: 'green', percent: 50 } }), undefined, Math.random), { error: 'NoTraffic' });
});

test('header routing: any deployment by name, 0% and mirror-only included, never mirrored', () => {
  const e = ep({ blue: 100 }, { extra: ['green'], mirror: { deployment: 'shadow', percent: 50 } });
  const always = (): boolean => true;
  const table: Array<[string, string]> = [['blue', 'blue'], ['green', 'green'], ['shadow', 'shadow'], ['GREEN', 'green']];
  for (const [header, want] of table) {
    const r = route(e, header, Math.random, always);
    assert.equal(r.live?.name, want, header);
    assert.equal(r.mirror, null, `${header}: named requests are never mirrored`);
  }
});

test('header routing works when the endpoint has no traffic at all', () => {
  const e = ep({}, { extra: ['green'] });
  assert.equal(route(e, 'green', Math.random).live?.name, 'green');
});

test('unknown deployment named → UnknownDeployment (404)', () => {
  const e = ep({ blue: 100 });
  assert.deepEqual(route(e, 'nope', Math.random), { error: 'UnknownDeployment' });
  assert.deepEqual(route(e, 'constructor', Math.random), { error: 'UnknownDeployment' });
  assert.deepEqual(route(e, '__proto__', Math.random), { error: 'UnknownDeployment' });
});

test('an empty header counts as absent', () => {
  assert.equal(route(ep({ blue: 100 }), '', Math.random).live?.name, 'blue');
});

test('a traffic entry naming a deployment the snapshot lacks → UnknownDeployment, not a crash', () => {
  const e = ep({ blue: 100 });
  e.traffic = [{ deployment: 'ghost', weight: 100 }];
  assert.deepEqual(route(e, undefined, Math.random), { error: 'UnknownDeployment' });
});

test('mirror share is exact: ⌊n·p/100⌋ copies of n unnamed requests, spread evenly', () => {
  for (const percent of [1, 10, 25, 50]) {
    const e = ep({ blue: 100 }, { mirror: { deployment: 'green', percent } });
    const acc = new ShareAccumulator();
    const rand = goldenSequence(0.2);
    let mirrored = 0;
    for (let n = 1; n <= 1000; n++) {
      const r = route(e, undefined, rand, acc.draw);
      if (r.mirror !== null) {
        assert.equal(r.mirror!.name, 'green');
        mirrored++;
      }
      assert.equal(mirrored, Math.floor((n * percent) / 100), `p=${percent} after ${n}`);
    }
  }
});

test('mirror never targets the live deployment, and 0% mirrors nothing', () => {
  const always = (): boolean => true;
  const self = ep({ blue: 100 }, { mirror: { deployment: 'blue', percent: 50 } });
  assert.equal(route(self, undefined, Math.random, always).mirror, null);
  const zero = ep({ blue: 100 }, { mirror: { deployment: 'green', percent: 0 } });
  assert.equal(route(zero, undefined, Math.random, always).mirror, null);
});

test('findDeployment: exact, case-insensitive, and not fooled by prototype names', () => {
  const e = ep({ Blue: 100 });
  assert.equal(findDeployment(e, 'Blue')?.name, 'Blue');
  assert.equal(findDeployment(e, 'blue')?.name, 'Blue');
  assert.equal(findDeployment(e, 'toString'), undefined);
});
