// Every instance runs as the leader of its own process group (spawned detached), so a signal to the
// group reaches the workers it forked too.

/** Signal the process group led by `pid`; if there is no such group, the process itself (unless groupOnly). */
export function signalGroup(pid: number, signal: NodeJS.Signals, groupOnly = false): void {
  try {
    process.kill(-pid, signal);
  } catch {
    if (groupOnly) return;
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}
