// The Comparison page's "agreement over time": each poll reads the comparison of the last minute
// (GET .../comparison?since=now-60s) and adds one point per shadow deployment. Pure.
import type { ShadowComparison } from '../sdk/types.js';
import type { ChartData } from './metrics-series.js';

export interface AgreementPoint {
  t: number;
  agreement: number | null;
  statusAgreement: number | null;
  pairs: number;
}

/** Appends this poll's points (one per shadow), keeping at most `keep` per shadow. */
export function addAgreementPoints(history: Map<string, AgreementPoint[]>, t: number, shadows: readonly ShadowComparison[], keep: number): void {
  for (const s of shadows) {
    const points = history.get(s.deployment) ?? [];
    points.push({ t, agreement: s.agreement, statusAgreement: s.status_agreement, pairs: s.pairs });
    if (points.length > keep) points.splice(0, points.length - keep);
    history.set(s.deployment, points);
  }
}

const percent = (v: number | null): number | null => (v === null ? null : Math.round(v * 10000) / 100);

/** uPlot data: agreement and status agreement in percent (null where the minute had no pair). */
export function agreementChart(points: readonly AgreementPoint[]): ChartData {
  return [points.map((p) => p.t), points.map((p) => percent(p.agreement)), points.map((p) => percent(p.statusAgreement))];
}

/** A share as a percentage for people: "99.5%", "—" when there was nothing to compare. */
export function formatShare(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const p = v * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(p >= 99 ? 2 : 1)}%`;
}
