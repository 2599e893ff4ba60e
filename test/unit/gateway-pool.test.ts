// Instance choice and the deployment pool's queue/admission, without sockets (undici pools are created
// lazily and never connect here because nothing is dispatched).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { pickInstance, type Candidate } from '../../src/gateway/pick.js';
import { DeploymentPool, NO_INSTANCE, QUEUED, type Waiter } from '../../src/gateway/pool.js';
import { DeploymentStats } from '../../src/gateway/stats.js';
import { UpstreamRegistry, type Upstream } from '../../src/gateway/upstream.js';
import type { DeploymentRoute } from '../../src/gateway/snapshot.js';

const c = (outstanding: number, downUntil = 0): Candidate => ({ outstanding, isDown: (now) => downUntil > now });

test('pickInstance: least outstanding below the limit; ties rotate from start; -1 when all full', () => {
  const table: Array<[string, number[], number, number, number]> = [
    // name, outstanding per instance, limit, start, expected
    ['single idle', [0], 1, 0, 0],
    ['single full', [1], 1, 0, -1],
    ['least loaded wins', [2, 0, 1], 3, 0, 1],
    ['tie goes to start', [0, 0, 0], 1, 1, 1],
    ['tie wraps around', [0, 0, 0], 1, 2, 2],
    ['start past a full one', [1, 0, 0], 1, 0, 1],
    ['all full', [2, 2, 2], 2, 1, -1],
    ['below limit but loaded', [1, 1], 2, 1, 1],
  ];
  for (const [name, loads, limit, start, want] of table) {
    assert.equal(pickInstance(loads.map((l) => c(l)), limit, start, 0), want, name);
  }
});

test('pickInstance: a recently refused instance is a last resort; excluded ones never', () => {
  const now = 1000;
  const up = c(1);
  const down = c(0, 5000);
  assert.equal(pickInstance([down, up], 2, 0, now), 1, 'up beats down even when busier');
  assert.equal(pickInstance([down, c(2)], 2, 0, now), 0, 'down is tried when nothing else has room');
  assert.equal(pickInstance([down, up], 2, 0, now, [up]), 0, 'excluded instance skipped');
  assert.equal(pickInstance([down, up], 2, 0, now, [up, down]), -1);
  assert.equal(pickInstance([c(0, 500)], 1, 0, now), 0, 'cool-down over');
});

test('pickInstance: round robin over idle instances when the caller advances start', () => {
  const cs = [c(0), c(0), c(0)];
  const seen: number[] = [];
  let start = 0;
  for (let i = 0; i < 6; i++) {
    const idx = pickInstance(cs, 1, start, 0);
    seen.push(idx);
    start = idx + 1;
  }
  assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
});

const registry = new UpstreamRegistry();
after(() => registry.closeAll());

function route(urls: string[], limit = 1, instanceCount = urls.length): DeploymentRoute {
  return {
    name: 'blue', requestTimeoutMs: 1000, maxConcurrentPerInstance: limit, instanceCount,
    instances: urls.map((url, i) => ({ name: `blue-${i}`, url })), scorePath: '/score', swaggerPath: '/swagger.json',
  };
}

class TestWaiter implements Waiter {
  tried: Upstream[] | null = null;
  granted: Upstream | null = null;
  none = false;
  grant(u: Upstream): void { this.granted = u; }
  noInstance(): void { this.none = true; }
}

test('DeploymentPool: 429 bound is 2 × limit × instanceCount on admitted requests', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:1', 'http://127.0.0.1:2'], 3), registry, new DeploymentStats('ep', 'blue'));
  assert.equal(pool.maxInFlight, 12);
  for (let i = 0; i < 12; i++) assert.ok(pool.admit());
  assert.equal(pool.admit(), false);
  pool.leave();
  assert.ok(pool.admit());
});

test('DeploymentPool: the bound uses the desired instance count, not only the ready ones', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:3'], 2, 3), registry, new DeploymentStats('ep', 'blue'));
  assert.equal(pool.maxInFlight, 12);
});

test('DeploymentPool: spreads to idle instances, queues FIFO when all are at their limit', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:11', 'http://127.0.0.1:12']), registry, new DeploymentStats('ep', 'blue'));
  const a = pool.acquire(new TestWaiter()) as Upstream;
  const b = pool.acquire(new TestWaiter()) as Upstream;
  assert.notEqual(a.url, b.url);
  const w1 = new TestWaiter();
  const w2 = new TestWaiter();
  assert.equal(pool.acquire(w1), QUEUED);
  assert.equal(pool.acquire(w2), QUEUED);
  assert.equal(pool.stats.queued, 2);
  pool.release(b);
  assert.equal(w1.granted?.url, b.url, 'first in, first served');
  assert.equal(w2.granted, null);
  pool.release(a);
  assert.equal(w2.granted?.url, a.url);
  assert.equal(pool.stats.queued, 0);
  pool.release(w1.granted!);
  pool.release(w2.granted!);
  assert.equal(a.outstanding + b.outstanding, 0);
});

test('DeploymentPool: a cancelled waiter leaves the queue; a newcomer does not overtake the queue', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:21']), registry, new DeploymentStats('ep', 'blue'));
  const held = pool.acquire(new TestWaiter()) as Upstream;
  const w1 = new TestWaiter();
  const w2 = new TestWaiter();
  pool.acquire(w1);
  pool.acquire(w2);
  pool.cancel(w1);
  pool.release(held);
  assert.equal(w1.granted, null);
  assert.ok(w2.granted);
  pool.release(w2.granted!);
});

test('DeploymentPool: no instance → NO_INSTANCE; instances vanishing fail the queue promptly', () => {
  const empty = new DeploymentPool('ep', route([]), registry, new DeploymentStats('ep', 'x'));
  assert.equal(empty.acquire(new TestWaiter()), NO_INSTANCE);
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:31']), registry, new DeploymentStats('ep', 'blue'));
  const held = pool.acquire(new TestWaiter()) as Upstream;
  const w = new TestWaiter();
  pool.acquire(w);
  pool.update(route([]));
  assert.equal(w.none, true);
  pool.release(held);
});

test('DeploymentPool: retries never get an instance they already tried', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:41', 'http://127.0.0.1:42']), registry, new DeploymentStats('ep', 'blue'));
  const first = pool.acquire(new TestWaiter()) as Upstream;
  pool.release(first);
  const retry = new TestWaiter();
  retry.tried = [first];
  const second = pool.acquire(retry) as Upstream;
  assert.notEqual(second.url, first.url);
  pool.release(second);
  retry.tried = [first, second];
  assert.equal(pool.acquire(retry), NO_INSTANCE);
});

test('DeploymentPool: a URL kept across update() keeps its outstanding count (limit holds across swaps)', () => {
  const pool = new DeploymentPool('ep', route(['http://127.0.0.1:51']), registry, new DeploymentStats('ep', 'blue'));
  const held = pool.acquire(new TestWaiter()) as Upstream;
  pool.update(route(['http://127.0.0.1:51', 'http://127.0.0.1:52']));
  const next = pool.acquire(new TestWaiter()) as Upstream;
  assert.equal(next.url, 'http://127.0.0.1:52', 'the busy instance is still busy after the swap');
  assert.equal(pool.instances[0], held, 'same upstream object (same connections) after the swap');
  pool.release(held);
  pool.release(next);
});
