// An endpoint's traffic in one line ("blue 90% · green 10%", "mirror: green 10%") and its deployments,
// from the endpoint view alone (show fills 0 for deployments without traffic; mirror-only ones are
// listed in mirror_traffic).
import type { EndpointView } from '../sdk/types.js';

export function deploymentNames(e: Pick<EndpointView, 'traffic' | 'mirror_traffic'>): string[] {
  return [...new Set([...Object.keys(e.traffic ?? {}), ...Object.keys(e.mirror_traffic ?? {})])].sort();
}

export function liveSummary(e: Pick<EndpointView, 'traffic'>): string {
  const parts = Object.entries(e.traffic ?? {}).filter(([, p]) => p > 0).sort(([, a], [, b]) => b - a).map(([n, p]) => `${n} ${p}%`);
  return parts.join(' · ') || 'no live traffic';
}

export function mirrorSummary(e: Pick<EndpointView, 'mirror_traffic'>): string | null {
  const parts = Object.entries(e.mirror_traffic ?? {}).filter(([, p]) => p > 0).map(([n, p]) => `${n} ${p}%`);
  return parts.length ? `mirror: ${parts.join(' · ')}` : null;
}
