// Choosing an instance is separate from sending to it (as undici's BalancedPool only yields candidates).
// Pure: the outstanding counts in, an index out.

export interface Candidate {
  outstanding: number;
  isDown(now: number): boolean;
}

/**
 * The instance with the fewest outstanding requests among those below `limit`; ties go to the first at
 * or after `start` in circular order (round robin, when the caller advances start). Instances that
 * recently refused a connection are chosen only when no other has room. `excluded` lists instances
 * already tried for this request. −1 when none has room.
 */
export function pickInstance(
  candidates: readonly Candidate[],
  limit: number,
  start: number,
  now: number,
  excluded?: readonly Candidate[] | null,
): number {
  const n = candidates.length;
  let best = -1;
  let bestLoad = Infinity;
  let bestDown = true;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    const c = candidates[i]!;
    const load = c.outstanding;
    if (load >= limit) continue;
    if (excluded && excluded.includes(c)) continue;
    const down = c.isDown(now);
    // Prefer up over down, then the lower load; strict comparisons keep the first in circular order.
    if ((bestDown && !down) || (down === bestDown && load < bestLoad)) {
      best = i;
      bestLoad = load;
      bestDown = down;
    }
  }
  return best;
}

/** True when some instance not in `excluded` exists at all (whatever its load). */
export function hasUntried(candidates: readonly Candidate[], excluded: readonly Candidate[]): boolean {
  for (const c of candidates) if (!excluded.includes(c)) return true;
  return false;
}
