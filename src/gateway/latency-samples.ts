// The most recent latencies of one deployment and role, for the rollout gates (a p99 over a window,
// a Mann-Whitney test of candidate against baseline). A fixed ring: one store per request on the hot
// path, bounded memory; `total` counts every sample ever pushed, so a reader that remembers it can
// tell which samples are new since its last look.
export const LATENCY_RING_SIZE = 2048;

export class LatencyRing {
  private readonly buf = new Float64Array(LATENCY_RING_SIZE);
  total = 0;

  push(seconds: number): void {
    this.buf[this.total % LATENCY_RING_SIZE] = seconds;
    this.total++;
  }

  /** The newest min(n, held) samples, oldest first, in seconds. */
  newest(n: number = LATENCY_RING_SIZE): number[] {
    const count = Math.min(n, this.total, LATENCY_RING_SIZE);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.buf[(this.total - count + i) % LATENCY_RING_SIZE]!;
    return out;
  }
}
