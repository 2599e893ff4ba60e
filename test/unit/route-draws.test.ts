import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goldenSequence, ShareAccumulator } from '../../src/gateway/route-draws.js';

test('goldenSequence: stays in [0, 1) and fills every tenth evenly', () => {
  const next = goldenSequence(0.9);
  const bins = new Array(10).fill(0);
  for (let i = 0; i < 1000; i++) {
    const u = next();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]++;
  }
  for (const b of bins) assert.ok(b >= 98 && b <= 102, `bin ${b}`);
});

test('goldenSequence: a bad seed is treated as 0', () => {
  for (const seed of [NaN, -1, 1, 7]) assert.ok(goldenSequence(seed)() < 1);
});

test('ShareAccumulator: exact counts for several shares and run lengths', () => {
  for (const p of [0, 1, 3, 10, 33, 50, 99, 100]) {
    const acc = new ShareAccumulator();
    let taken = 0;
    for (let n = 1; n <= 700; n++) {
      if (acc.take(p)) taken++;
      assert.equal(taken, Math.floor((n * p) / 100));
    }
  }
});

test('ShareAccumulator: a change of share restarts the count', () => {
  const acc = new ShareAccumulator();
  for (let i = 0; i < 7; i++) acc.take(50);
  let taken = 0;
  for (let i = 0; i < 10; i++) if (acc.take(10)) taken++;
  assert.equal(taken, 1);
});
