import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GATES, DEFAULT_STEPS, normaliseRolloutPolicy } from '../../src/spec/rollout-policy.js';
import { formatDuration, parseDuration } from '../../src/spec/durations.js';
import type { ErrorCode } from '../../src/errors.js';

const refused = (c: ErrorCode, message: RegExp) => (e: any) => { assert.equal(e.code, c, e.message); assert.match(e.message, message); return true; };

describe('durations', () => {
  it('reads ms, s, m and h', () => {
    assert.equal(parseDuration('d', '500ms'), 500);
    assert.equal(parseDuration('d', '30s'), 30_000);
    assert.equal(parseDuration('d', '5m'), 300_000);
    assert.equal(parseDuration('d', '1h'), 3_600_000);
  });
  for (const bad of ['5', '5 m', '1.5m', '-1s', '1d', 30, null]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseDuration('steps[0].duration', bad), refused('InvalidValue', /steps\[0\]\.duration must be a duration such as 30s/)));
  }
  it('formats the shortest exact unit', () => {
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(120_000), '2m');
    assert.equal(formatDuration(250), '250ms');
  });
});

describe('normaliseRolloutPolicy', () => {
  it('fills in the documented defaults', () => {
    const p = normaliseRolloutPolicy(undefined);
    assert.deepEqual(p.steps, DEFAULT_STEPS);
    assert.deepEqual(p.gates, DEFAULT_GATES);
    assert.equal(p.interval, '30s');
    assert.equal(p.on_failure, 'rollback');
    assert.equal(p.delete_baseline_on_success, false);
  });

  it('keeps a full policy', () => {
    const p = normaliseRolloutPolicy({
      steps: [{ shadow: 10, duration: '1m' }, { traffic: 10, duration: '5m' }, { traffic: 100, duration: '1m' }],
      gates: { max_error_rate: 0.02, max_latency_p99_ratio: 1.2, min_agreement: 0.99, min_requests: 500, latency_mann_whitney: { significance: 0.01 } },
      interval: '10s', on_failure: 'Pause', delete_baseline_on_success: true,
    });
    assert.deepEqual(p.steps[2], { traffic: 100, duration: '1m' });
    assert.deepEqual(p.gates.latency_mann_whitney, { significance: 0.01, allowed_increase: 0 });
    assert.equal(p.on_failure, 'pause');
    assert.equal(p.gates.min_agreement, 0.99);
  });

  const cases: Array<[string, unknown, ErrorCode, RegExp]> = [
    ['an unknown top-level key', { stpes: [] }, 'UnknownKey', /Unknown key "stpes" in the rollout policy\. Known keys: delete_baseline_on_success, gates, interval, on_failure, steps/],
    ['an unknown gate', { gates: { max_eror_rate: 0.1 } }, 'UnknownKey', /"gates\.max_eror_rate"/],
    ['an unknown key in a step', { steps: [{ traffic: 50, duration: '1m', pause: true }, { traffic: 100 }] }, 'UnknownKey', /"steps\.0\.pause" in the rollout policy\. Known keys under steps\.0: duration, shadow, traffic/],
    ['a percent over 100', { steps: [{ traffic: 150, duration: '1m' }, { traffic: 100 }] }, 'InvalidValue', /steps\.0\.traffic must be an integer from 1 to 100, got 150/],
    ['a step with both kinds', { steps: [{ traffic: 50, shadow: 10, duration: '1m' }, { traffic: 100 }] }, 'InvalidValue', /exactly one of shadow or traffic/],
    ['a last step below 100', { steps: [{ traffic: 50, duration: '1m' }] }, 'InvalidValue', /last step must be \{traffic: 100\}/],
    ['100 before the end', { steps: [{ traffic: 100, duration: '1m' }, { traffic: 100 }] }, 'InvalidValue', /must be the last step/],
    ['a step without duration', { steps: [{ traffic: 50 }, { traffic: 100 }] }, 'MissingField', /needs a duration/],
    ['a zero duration', { steps: [{ traffic: 50, duration: '0s' }, { traffic: 100 }] }, 'InvalidValue', /more than 0/],
    ['decreasing traffic', { steps: [{ traffic: 50, duration: '1m' }, { traffic: 20, duration: '1m' }, { traffic: 100 }] }, 'InvalidValue', /traffic steps must increase/],
    ['a shadow step after a traffic step', { steps: [{ traffic: 50, duration: '1m' }, { shadow: 20, duration: '1m' }, { traffic: 100 }] }, 'InvalidValue', /shadow steps come first/],
    ['an error rate given in percent', { gates: { max_error_rate: 5 } }, 'InvalidValue', /gates\.max_error_rate must be a number from 0 to 1/],
    ['a fractional min_requests', { gates: { min_requests: 2.5 } }, 'InvalidValue', /gates\.min_requests/],
    ['Mann-Whitney without significance', { gates: { latency_mann_whitney: {} } }, 'MissingField', /significance/],
    ['a bad on_failure', { on_failure: 'retry' }, 'InvalidValue', /on_failure must be one of rollback, pause/],
    ['a tiny interval', { interval: '10ms' }, 'InvalidValue', /interval must be at least 200ms/],
    ['an empty step list', { steps: [] }, 'InvalidValue', /non-empty list/],
  ];
  for (const [what, input, code, message] of cases) {
    it(`refuses ${what}`, () => assert.throws(() => normaliseRolloutPolicy(input), refused(code, message)));
  }
});
