// Small statistics over repeated runs: the median is what BENCHMARKS.md reports (robust to the one
// run a 2-core machine spends fighting a background job); min and max show the spread.
export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Median, min and max of every numeric field that all runs share. */
export function summarise(runs) {
  const out = {};
  const keys = Object.keys(runs[0] ?? {}).filter((k) => runs.every((r) => typeof r[k] === 'number'));
  for (const k of keys) {
    const xs = runs.map((r) => r[k]);
    out[k] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  }
  return out;
}

export const round = (x, digits = 3) => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
