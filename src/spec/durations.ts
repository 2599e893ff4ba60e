// Durations as a rollout policy writes them: an integer and a unit, `500ms`, `30s`, `5m`, `1h` (the
// schema's Duration pattern refuses anything else at the door). Pure; the policy keeps the text the
// user wrote and turns it into milliseconds where it is used.
import { SwitchyardError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const PATTERN = /^(\d{1,9})(ms|s|m|h)$/;

/** Milliseconds of `30s`; throws InvalidValue naming `field` for anything else. */
export function parseDuration(field: string, value: unknown): number {
  const m = typeof value === 'string' ? PATTERN.exec(value.trim()) : null;
  if (!m) throw new SwitchyardError('InvalidValue', `${field} must be a duration such as 30s, 5m or 1h (units: ms, s, m, h), got ${JSON.stringify(value)}.`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** The shortest exact text of a duration in milliseconds (`90000` → `90s`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
