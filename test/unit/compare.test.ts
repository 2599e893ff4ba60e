// Pure answer comparison (spec/compare.ts), the KS test (control/distribution-test.ts) and the
// comparer's windows (control/comparer.ts) with a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAnswers, compareValues, numbersClose, readTolerance, DEFAULT_TOLERANCE } from '../../src/spec/compare.js';
import { ksTwoSample, kolmogorovQ } from '../../src/control/distribution-test.js';
import { Comparer, SAMPLE_COUNT } from '../../src/control/comparer.js';
import type { PairRecord } from '../../src/gateway/protocol.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

test('numbers: absolute or relative tolerance (math.isclose), non-finite only equal to itself', () => {
  const tol = { abs: 1e-6, rel: 1e-3 };
  assert.ok(numbersClose(1, 1 + 5e-7, tol));
  assert.ok(numbersClose(1000, 1000.5, tol), 'relative');
  assert.ok(!numbersClose(1, 1.01, tol));
  assert.ok(!numbersClose(0, 1e-5, tol));
  assert.ok(numbersClose(Infinity, Infinity, tol));
  assert.ok(!numbersClose(NaN, NaN, tol));
});

test('JSON-aware: arrays element-wise, objects by key, strings exactly, text when not JSON', () => {
  assert.equal(compareAnswers(bytes('[1, 2.0000000001]'), bytes('[1,2]')).equal, true, 'formatting and float noise');
  assert.equal(compareAnswers(bytes('{"a":1,"b":[1,2]}'), bytes('{"b":[1,2],"a":1}')).equal, true, 'key order');
  const arr = compareAnswers(bytes('[1,2,3]'), bytes('[1,2]'));
  assert.deepEqual([arr.equal, arr.first?.path], [false, '$.length']);
  const obj = compareValues({ a: { b: 'x' }, c: 1 }, { a: { b: 'y' }, d: 1 });
  assert.equal(obj.differences, 3);
  assert.deepEqual(obj.first, { path: '$.a.b', live: 'x', shadow: 'y' });
  const num = compareValues({ scores: [0.1, 0.5] }, { scores: [0.1, 0.7] });
  assert.equal(num.first?.path, '$.scores[1]');
  assert.deepEqual(num.absDiffs.map((d) => Number(d.toFixed(6))), [0, 0.2]);
  assert.deepEqual(num.liveNumbers, [0.1, 0.5]);
  assert.equal(compareValues({ 'a b': 1 }, { 'a b': 2 }).first?.path, '$["a b"]');
  assert.equal(compareValues('1', 1).equal, false, 'a string is not a number');
  const text = compareAnswers(bytes('hello'), bytes('hullo'));
  assert.deepEqual([text.equal, text.first?.path], [false, '$']);
  assert.equal(compareAnswers(bytes('hello'), bytes('hello')).equal, true);
  assert.equal(compareAnswers(null, bytes('')).equal, true);
});

test('tolerance settings: defaults, validation', () => {
  assert.deepEqual(readTolerance(undefined), DEFAULT_TOLERANCE);
  assert.deepEqual(readTolerance({ abs_tolerance: 0.01 }), { abs: 0.01, rel: DEFAULT_TOLERANCE.rel });
  assert.deepEqual(readTolerance({ rel_tolerance: 0.5, calibrate_percent: 10 }), { abs: DEFAULT_TOLERANCE.abs, rel: 0.5 });
  assert.throws(() => readTolerance({ abs_tolerance: -1 }), /abs_tolerance/);
  assert.throws(() => readTolerance({ tolerance: 1 }), /no field 'tolerance'/);
});

test('KS: identical samples never shift; a shifted sample does; Q is a survival function', () => {
  const a = Array.from({ length: 200 }, (_, i) => i / 200);
  assert.equal(ksTwoSample(a, a)!.statistic, 0);
  assert.equal(ksTwoSample(a, a)!.p_value, 1);
  const b = a.map((v) => v + 0.3);
  const r = ksTwoSample(a, b)!;
  assert.ok(Math.abs(r.statistic - 0.3) < 0.01, String(r.statistic));
  assert.ok(r.p_value < 1e-6);
  assert.ok(kolmogorovQ(0.5) > kolmogorovQ(1) && kolmogorovQ(1) > kolmogorovQ(2));
  assert.ok(Math.abs(kolmogorovQ(1.36) - 0.05) < 0.002, 'the 5% critical value');
  assert.equal(ksTwoSample([], a), null);
});

function pair(over: Partial<PairRecord>): PairRecord {
  return {
    endpoint: 'e', live: 'blue', shadow: 'green', kind: 'mirror', requestId: 'r', at: 0, request: bytes('{"x":1}'), requestBytes: 7,
    liveStatus: 200, liveMs: 2, liveBody: bytes('{"y":1}'), shadowStatus: 200, shadowMs: 3, shadowError: null, shadowBody: bytes('{"y":1}'),
    ...over,
  };
}

test('comparer: agreement, statuses, samples bounded; since/mark windows', () => {
  let now = 1_000_000;
  const c = new Comparer(undefined, () => now);
  c.ingest([pair({}), pair({ shadowBody: bytes('{"y":2}') }), pair({ shadowStatus: 500 }), pair({ liveStatus: 500, shadowStatus: 503 })],
    [{ endpoint: 'e', shadow: 'green', reason: 'lane_full', n: 3 }]);
  let [s] = c.read('e');
  assert.equal(s!.pairs, 4);
  assert.equal(s!.agreement, 0.5, 'equal pair + both-failed pair');
  assert.equal(s!.status_agreement, 0.75);
  assert.deepEqual(s!.statuses, { both_ok: 2, shadow_failed: 1, live_failed: 0, both_failed: 1 });
  assert.equal(s!.shadow_errors, 2);
  assert.deepEqual([s!.dropped, s!.dropped_by_reason], [3, { lane_full: 3 }]);
  assert.equal(s!.samples.length, 2);
  assert.equal(s!.abs_diff.max, 1);
  assert.equal(c.read('e', { samples: false })[0]!.samples_withheld, true);

  // A mark closes the open bucket: a read since it sees only later pairs, an unbounded read sees all.
  now += 1000;
  const mark = c.mark('e');
  now += 1;
  c.ingest([pair({})]);
  assert.equal(c.read('e', { since: mark })[0]!.pairs, 1);
  assert.equal(c.read('e', { since: mark })[0]!.agreement, 1);
  assert.equal(c.read('e')[0]!.pairs, 5);

  // Samples stay bounded whatever the number of disagreements.
  c.ingest(Array.from({ length: 100 }, (_, i) => pair({ requestId: `r${i}`, shadowBody: bytes('{"y":9}') })));
  s = c.read('e')[0];
  assert.equal(s!.samples.length, SAMPLE_COUNT);
  assert.equal(s!.samples[0]!.request_id, 'r99', 'most recent first');

  // Buckets older than the retention are forgotten.
  now += 2 * 3600_000;
  c.ingest([pair({})]);
  assert.equal(c.read('e')[0]!.pairs, 1);
});
