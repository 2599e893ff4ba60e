// Two-sample Kolmogorov–Smirnov test: do two sets of numbers come from the same distribution? Used by
// the comparer on a shadow's numeric outputs against the live ones over a window, so a shift shows
// even when every single pair is within tolerance. Pure.

export interface KsResult {
  /** Largest distance between the two empirical CDFs (0..1). */
  statistic: number;
  /** Asymptotic p-value (Kolmogorov distribution with Stephens' small-sample correction). */
  p_value: number;
  live_n: number;
  shadow_n: number;
}

/**
 * `effectiveN` (optional) replaces each side's size in the p-value when the values are not independent
 * (several outputs of one request): the comparer passes the number of requests, which is conservative.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[], effectiveN?: number): KsResult | null {
  const x = a.filter(Number.isFinite).sort((p, q) => p - q);
  const y = b.filter(Number.isFinite).sort((p, q) => p - q);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return null;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i]! <= v) i++;
    while (j < m && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = effectiveN !== undefined ? Math.min(effectiveN, n, m) / 2 : (n * m) / (n + m);
  return { statistic: d, p_value: d === 0 ? 1 : kolmogorovQ((Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d), live_n: n, shadow_n: m };
}

/** Q_KS(λ) = 2 Σ (−1)^(j−1) e^(−2 j² λ²), the Kolmogorov survival function. */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += (j % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-12) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
