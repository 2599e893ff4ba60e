// The sticky split (gateway/route-sticky.ts): consistent, proportional, minimal movement on change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stickyDeployment, stickyDraw } from '../../src/gateway/route-sticky.js';
import { route } from '../../src/gateway/route.js';
import type { DeploymentRoute, EndpointRoute } from '../../src/gateway/snapshot.js';

const KEYS = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
const t = (w: Record<string, number>) => Object.entries(w).map(([deployment, weight]) => ({ deployment, weight }));
const assign = (w: Record<string, number>) => KEYS.map((k) => stickyDeployment(t(w), k)!);
const share = (a: string[], d: string) => a.filter((x) => x === d).length / a.length;

test('the same key always gets the same deployment while the weights stay', () => {
  const w = t({ blue: 70, green: 20, red: 10 });
  for (const k of KEYS.slice(0, 500)) assert.equal(stickyDeployment(w, k), stickyDeployment([...w].reverse(), k), 'order does not matter');
  assert.deepEqual(assign({ blue: 70, green: 20, red: 10 }), assign({ blue: 70, green: 20, red: 10 }));
});

test('keys spread in proportion to the weights (±1.5 points over 20,000 keys)', () => {
  for (const w of [{ blue: 90, green: 10 }, { blue: 50, green: 30, red: 20 }, { a: 1, b: 99 }]) {
    const a = assign(w);
    for (const [d, p] of Object.entries(w)) assert.ok(Math.abs(share(a, d) * 100 - p) < 1.5, `${JSON.stringify(w)} ${d}: ${share(a, d)}`);
  }
});

test('when weights change, about the changed share moves, and only towards the deployment that gained', () => {
  const before = assign({ blue: 90, green: 10 });
  const after = assign({ blue: 80, green: 20 });
  let moved = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    assert.deepEqual([before[i], after[i]], ['blue', 'green'], 'a key only moves from the one that lost weight');
  }
  assert.ok(Math.abs(moved / KEYS.length - 0.1) < 0.015, `moved ${moved / KEYS.length}`);
  // A third deployment joining with 10% takes ~10% of the keys, from the others, nothing else moves.
  const third = assign({ blue: 72, green: 18, red: 10 });
  let changed = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (third[i] !== after[i]) {
      changed++;
      assert.equal(third[i], 'red');
    }
  }
  assert.ok(Math.abs(changed / KEYS.length - 0.1) < 0.015, `changed ${changed / KEYS.length}`);
});

test('stickyDraw makes route() pick the key\'s deployment; a deployment with 0 weight never gets keys', () => {
  const dep = (name: string): DeploymentRoute => ({ name, requestTimeoutMs: 1000, maxConcurrentPerInstance: 1, instanceCount: 1, instances: [], scorePath: '/score', swaggerPath: '/swagger.json' });
  const ep: EndpointRoute = {
    name: 'e', authMode: 'key', keyHashes: [], tokenSecret: '', mirror: null,
    traffic: t({ blue: 60, green: 40 }), deployments: { blue: dep('blue'), green: dep('green'), red: dep('red') },
  };
  for (const k of KEYS.slice(0, 2000)) {
    const x = stickyDraw(ep.traffic, k);
    assert.equal(route(ep, undefined, () => x).live?.name, stickyDeployment(ep.traffic, k));
  }
  assert.ok(!assign({ blue: 100, red: 0 }).includes('red'));
});
