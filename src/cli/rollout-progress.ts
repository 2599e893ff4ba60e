// What `rollout start --wait` shows while it waits: on a terminal one line redrawn in place (step,
// traffic, gate values); otherwise a plain line each time something changes. Both on stderr, so
// stdout keeps only the final result for scripts.
import type { GateResult, RolloutView } from '../sdk/types.js';
import type { Io } from './command.js';

const MARK: Record<string, string> = { pass: 'ok', fail: 'FAIL', pending: '…', not_applicable: 'n/a' };

const map = (m: Record<string, number>): string => Object.entries(m).map(([d, p]) => `${d}=${p}`).join(' ') || '-';

function gate(g: GateResult): string {
  const value = g.value === null ? '-' : g.gate === 'min_requests' ? `${g.value}/${g.threshold}` : String(g.value);
  return g.gate === 'min_requests' ? `requests ${value}` : `${g.gate} ${value} (${g.gate.startsWith('min_') ? '≥' : g.gate === 'latency_mann_whitney' ? 'p≥' : '≤'}${g.threshold}) ${MARK[g.verdict] ?? g.verdict}`;
}

/** One line describing the rollout now. */
export function describeRollout(r: RolloutView): string {
  const s = r.status;
  const mirror = Object.keys(r.routing.mirror_traffic).length ? `, shadow ${map(r.routing.mirror_traffic)}` : '';
  const bake = s.state === 'Progressing' ? `, baked ${Math.round(s.bake_ms / 1000)}s` : '';
  const gates = s.gates.filter((g) => g.verdict !== 'not_applicable').map(gate).join('; ');
  const reason = s.reason && s.state !== 'Progressing' ? ` — ${s.reason.message}` : '';
  return `${s.state} step ${r.current_step} | traffic ${map(r.routing.traffic)}${mirror}${bake}${gates ? ` | ${gates}` : ''}${reason}`;
}

export class RolloutProgress {
  private last = '';
  constructor(private readonly io: Io, private readonly tty = io.stderrIsTTY) {}

  show(r: RolloutView): void {
    const line = describeRollout(r);
    if (line === this.last) return;
    this.last = line;
    if (this.tty) this.io.err(`\r\x1b[K${line.slice(0, 400)}`);
    else this.io.err(`${new Date().toISOString()} ${line}\n`);
  }

  /** Ends the redrawn line (the final state is printed as a plain line). */
  end(r: RolloutView): void {
    if (this.tty) this.io.err(`\r\x1b[K${describeRollout(r)}\n`);
    else if (describeRollout(r) !== this.last) this.io.err(`${new Date().toISOString()} ${describeRollout(r)}\n`);
  }
}
