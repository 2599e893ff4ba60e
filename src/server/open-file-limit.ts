// The process's open-file limit (RLIMIT_NOFILE). Both listeners, every upstream connection, the store
// and the instances' pipes share it, so at start `serve` raises the soft limit to the hard one (always
// allowed without privileges). Node has no setrlimit API: util-linux's `prlimit --pid` does it for the
// running process (Linux only; elsewhere, or without prlimit, the limit stays and serve logs it). The
// gateway's connection cap is then sized from the result (gateway/settings.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** The current limit from /proc/self/limits, or null where there is none (not Linux). */
export function openFileLimit(): OpenFileLimit | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return null;
  const n = (s: string): number => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: n(m[1]!), hard: n(m[2]!) };
}

/** Raises the soft limit to the hard limit; says what it found, what it got, and why not when it could not. */
export function raiseOpenFileLimit(): { before: OpenFileLimit | null; after: OpenFileLimit | null; error?: string } {
  const before = openFileLimit();
  if (before === null) return { before, after: null, error: 'no /proc/self/limits (not Linux): the open-file limit is left as it is' };
  if (before.soft >= before.hard) return { before, after: before };
  const hard = Number.isFinite(before.hard) ? String(before.hard) : 'unlimited';
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], { encoding: 'utf8', timeout: 5_000 });
  const after = openFileLimit();
  if (r.error || r.status !== 0) {
    return { before, after, error: `prlimit could not raise the open-file limit: ${r.error?.message ?? r.stderr.trim()}` };
  }
  return { before, after };
}
