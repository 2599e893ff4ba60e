// The Mann-Whitney U test (Wilcoxon rank-sum), one-sided: is the candidate's latency stochastically
// greater than the baseline's? Normal approximation with the tie correction and a continuity
// correction, as Kayenta's judge and SciPy's `mannwhitneyu(method='asymptotic')` do; the samples the
// gates read are hundreds to thousands of latencies, where the approximation is accurate.
import { errorFunction } from 'simple-statistics';

export interface MannWhitneyResult {
  /** U of the first sample. */
  u: number;
  z: number;
  /** P(U ≥ u) under "no difference": small when the first sample is larger. */
  p: number;
}

const normalUpperTail = (z: number): number => 0.5 * (1 - errorFunction(z / Math.SQRT2));

/** One-sided test that `x` tends to be larger than `y`. Both samples need at least one value. */
export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new Error('mannWhitneyGreater needs two non-empty samples');
  const all = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))].sort((a, b) => a.v - b.v);
  const n = all.length;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2; // ranks are 1-based; a tie shares the mean rank
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.fromX) rankSumX += rank;
    i = j + 1;
  }
  const u = rankSumX - (nx * (nx + 1)) / 2;
  const mean = (nx * ny) / 2;
  const variance = ((nx * ny) / 12) * ((n + 1) - tieTerm / (n * (n - 1) || 1));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, p: normalUpperTail(z) };
}
