// CPU priority of an instance's processes (a shadow yields at saturation: shadow-only deployments run
// at nice 19, the lowest priority an unprivileged process can take). On Linux a nice value belongs to
// each thread, and an instance is a process group (spawned detached: the group id is the leader's pid)
// whose threads started before the change keep their value: so every thread (/proc/<pid>/task) of every
// process of the group is set. Threads and children started later inherit it. SCHED_IDLE would be
// stronger but needs sched_setattr, which Node cannot call; cgroup cpu.weight needs a delegated cgroup,
// which the local runtime does not assume. Raising priority back (19 → 0) needs CAP_SYS_NICE (root has
// it); without it the change is refused (EACCES) and reported.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

export const IDLE_NICE = 19;
export const NORMAL_NICE = 0;

/** Pids of the processes in process group `pgid` (from /proc/<pid>/stat, field 5). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      // comm (field 2) may hold spaces and parentheses: fields after it start past the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Sets `nice` on every thread of every process of the group. Returns threads set and refused. */
export function setGroupNice(pgid: number, nice: number): { set: number; refused: number } {
  let set = 0;
  let refused = 0;
  for (const pid of groupMembers(pgid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      tids = [String(pid)];
    }
    for (const tid of tids) {
      try {
        setPriority(Number(tid), nice);
        set++;
      } catch (e) {
        if ((e as { code?: string }).code !== 'ESRCH') refused++;
      }
    }
  }
  return { set, refused };
}
