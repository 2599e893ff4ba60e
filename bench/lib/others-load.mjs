// How much CPU the rest of the machine used while a run measured: machine busy time (/proc/stat)
// minus the CPU of this benchmark's own process tree (the runner and every descendant: servers,
// instances, nginx, load generators; reaped children count through cutime/cstime). On a shared
// 2-core machine this is the main source of noise, so every run records it.
import { readFileSync, readdirSync } from 'node:fs';

function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((s, x) => s + x, 0);
  return { total, busy: total - f[3] - (f[4] ?? 0) };
}

function ourTicks() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch { /* exited meanwhile */ }
  }
  const children = new Map();
  for (const [pid, p] of procs) { if (!children.has(p.ppid)) children.set(p.ppid, []); children.get(p.ppid).push(pid); }
  let ticks = 0;
  const stack = [process.pid];
  while (stack.length) {
    const pid = stack.pop();
    ticks += procs.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

export const loadMark = () => ({ ...machineTicks(), ours: ourTicks() });

/** Percent of all CPUs used by processes outside this benchmark between two marks. */
export function othersPct(a, b) {
  const total = b.total - a.total;
  if (total <= 0) return null;
  return Math.max(0, Math.round(((b.busy - a.busy - (b.ours - a.ours)) / total) * 1000) / 10);
}
