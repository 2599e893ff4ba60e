// The process's open-file limit (RLIMIT_NOFILE). Both listeners, every upstream connection, the store
// and the instances' pipes share it. Node itself raises the soft limit to the hard one when it starts
// (node::PlatformInit; tested in test/unit/gateway-settings.test.ts), so there is nothing to raise
// here: serve reads the limit and sizes the gateway's connection cap under it (gateway/settings.ts).
// Raising the hard limit needs privileges (or `ulimit -Hn` / systemd's LimitNOFILE= before start).
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
