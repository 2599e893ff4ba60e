import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, restartDelayMs } from '../../src/runtime/local/backoff.js';
import { KeyedSerial } from '../../src/runtime/local/keyed-serial.js';
import { ProbeCounter, startupTimeoutMs } from '../../src/runtime/local/probes.js';

describe('restart backoff', () => {
  it('doubles from the base up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => restartDelayMs(n)), [200, 400, 800, 1600, 3200]);
    assert.equal(restartDelayMs(20), DEFAULT_BACKOFF.maxMs);
    assert.equal(restartDelayMs(3, { baseMs: 50, factor: 3, maxMs: 300 }), 300);
    assert.equal(restartDelayMs(0), 200);
  });
});

describe('probe counting', () => {
  const settings = { initial_delay: 0, period: 1, timeout: 1, success_threshold: 2, failure_threshold: 3 };
  it('flips after failure_threshold failures and back after success_threshold successes', () => {
    const c = new ProbeCounter(settings);
    assert.deepEqual([false, false].map((ok) => c.record(ok)), [false, false]);
    assert.equal(c.passing, true);
    assert.equal(c.record(false), true);
    assert.equal(c.passing, false);
    assert.equal(c.record(true), false);
    assert.equal(c.record(false), false);
    assert.equal(c.record(true), false);
    assert.equal(c.record(true), true);
    assert.equal(c.passing, true);
  });
  it('gives an instance initial_delay + period × failure_threshold to start', () => {
    assert.equal(startupTimeoutMs({ initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 }), 310_000);
  });
});

describe('keyed serial execution', () => {
  it('runs tasks of one key in order and other keys alongside', async () => {
    const q = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([q.run('a', task('a1', 30)), q.run('a', task('a2', 1)), q.run('b', task('b1', 1))]);
    assert.deepEqual(results, ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'));
    assert.ok(log.indexOf('end b1') < log.indexOf('end a1'));
  });
  it('keeps going after a task fails', async () => {
    const q = new KeyedSerial();
    await assert.rejects(q.run('k', async () => { throw new Error('boom'); }));
    assert.equal(await q.run('k', async () => 'next'), 'next');
    await q.idle();
  });
});
