// Draw sources for route(): deterministic, low-discrepancy sequences that make short runs match the
// configured weights, instead of Math.random whose error over 1,000 requests is ±2–3 points.

/** 1/φ: the irrational step whose multiples mod 1 are spread most evenly (three-gap theorem). */
const INV_PHI = 0.6180339887498949;

/**
 * Golden-ratio additive recurrence u(n+1) = frac(u(n) + 1/φ). Any interval of length w in [0, 1) holds
 * w·n ± O(log n) of the first n points, so a deployment with weight w% gets w% of any run of requests
 * to within a fraction of a point. The start is random so that gateways fed the same snapshot do not
 * march in step (and tests can pass a fixed seed).
 */
export function goldenSequence(seed: number = Math.random()): () => number {
  let u = seed >= 0 && seed < 1 ? seed : 0;
  return () => {
    u += INV_PHI;
    if (u >= 1) u -= 1;
    return u;
  };
}

/**
 * Exact-share sampler: of n eligible requests, exactly ⌊n·p/100⌋ are sampled, spread evenly (request n
 * is sampled when ⌊n·p/100⌋ increases). A change of p restarts the count so the new share holds from
 * the change on.
 */
export class ShareAccumulator {
  private n = 0;
  private percent = -1;

  take(percent: number): boolean {
    if (percent !== this.percent) {
      this.percent = percent;
      this.n = 0;
    }
    if (!(percent > 0)) return false;
    if (percent >= 100) return true;
    const before = Math.floor((this.n * percent) / 100);
    this.n++;
    // Keep n bounded: after 100 requests the pattern repeats exactly (percent is an integer in the
    // snapshot, but fractional values also work, just with a longer period).
    const after = Math.floor((this.n * percent) / 100);
    if (this.n >= 1_000_000 && Number.isInteger(percent)) this.n = 0;
    return after > before;
  }

  /** For the gateway: the sampler as the MirrorDraw route() expects. */
  readonly draw = (percent: number): boolean => this.take(percent);
}
