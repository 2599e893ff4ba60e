// Exponential backoff between restarts of a crashed instance.

export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, factor: 2, maxMs: 30_000 };

/** Delay before restart number `attempt` (1 for the first restart after a crash). */
export function restartDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (attempt <= 1) return policy.baseMs;
  const delay = policy.baseMs * Math.pow(policy.factor, attempt - 1);
  return Math.min(policy.maxMs, Math.round(delay));
}
