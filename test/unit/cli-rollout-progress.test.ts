import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RolloutProgress, describeRollout } from '../../src/cli/rollout-progress.js';
import type { Io } from '../../src/cli/command.js';

const view = (state: string, gates: any[] = [], reason: any = null): any => ({
  current_step: '2 of 4: traffic 20% for 5m',
  routing: { traffic: { blue: 80, green: 20 }, mirror_traffic: {} },
  status: { state, bake_ms: 12_400, gates, reason },
});
const gates = [
  { gate: 'min_requests', value: 143, threshold: 200, verdict: 'pending' },
  { gate: 'max_error_rate', value: 0, threshold: 0.01, verdict: 'pending' },
  { gate: 'max_latency_p99_ratio', value: 1.08, threshold: 1.5, verdict: 'pass' },
  { gate: 'min_agreement', value: null, threshold: 0.99, verdict: 'not_applicable' },
];

function io(tty: boolean): Io & { text: string } {
  const o = { text: '', out() {}, err(t: string) { o.text += t; }, stdoutIsTTY: tty, stderrIsTTY: tty, stdinIsTTY: false, prompt: async () => '' };
  return o;
}

describe('rollout progress', () => {
  it('says step, traffic, bake time and gate values in one line', () => {
    assert.equal(describeRollout(view('Progressing', gates)),
      'Progressing step 2 of 4: traffic 20% for 5m | traffic blue=80 green=20, baked 12s | requests 143/200; max_error_rate 0 (≤0.01) …; max_latency_p99_ratio 1.08 (≤1.5) ok');
    assert.match(describeRollout(view('RolledBack', [], { message: 'Gate max_error_rate failed' })), /^RolledBack .* — Gate max_error_rate failed$/);
  });
  it('redraws one line on a terminal, prints plain lines otherwise (only when something changed)', () => {
    const tty = io(true);
    const p = new RolloutProgress(tty);
    p.show(view('Progressing', gates));
    p.show(view('Progressing', gates));
    p.end(view('Succeeded'));
    assert.equal(tty.text.split('\r\x1b[K').length, 3);
    assert.ok(tty.text.endsWith('\n'));
    const plain = io(false);
    const q = new RolloutProgress(plain);
    q.show(view('Progressing', gates));
    q.show(view('Progressing', gates));
    q.end(view('Succeeded'));
    assert.ok(!plain.text.includes('\r'));
    assert.equal(plain.text.trim().split('\n').length, 2);
  });
});
