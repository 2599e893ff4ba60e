// CPU time spent by the proxy under test (gateway process, nginx master+workers, or the instance for
// the direct row) during a load run, from /proc/PID/stat utime+stime (all threads included). Divided
// by the requests served it gives CPU µs per request: the cost that decides throughput on a shared core,
// independent of what else the machine was doing.
import { readFileSync, readdirSync } from 'node:fs';

const TICK_US = 10_000; // USER_HZ is 100 on Linux

function statOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields after "(comm)", starting at state
    return { pgid: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
  } catch { return null; }
}

/** utime+stime in µs of the given pids, or of every process in the given process groups. */
export function cpuMicros({ pids = [], groups = [] }) {
  let ticks = 0;
  for (const pid of pids) ticks += statOf(pid)?.ticks ?? 0;
  if (groups.length) {
    const want = new Set(groups);
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const st = statOf(d);
      if (st && want.has(st.pgid)) ticks += st.ticks;
    }
  }
  return ticks * TICK_US;
}

/** Run `fn` (a load run returning {requests}) and add cpuUsPerReq for `who`. */
export async function withCpu(who, fn) {
  if (!who) return fn();
  const before = cpuMicros(who);
  const r = await fn();
  const used = cpuMicros(who) - before;
  return { ...r, cpuUsPerReq: r.requests ? used / r.requests : null };
}
