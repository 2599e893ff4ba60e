// A window of gate data: the difference between two readings of the gateway's cumulative figures
// (rollout-figures.ts), for the candidate and for the baseline. Pure.
//
// On a shadow step the candidate's figures are the mirror copies it answered; on a traffic step its
// live answers. The baseline is always the live answers of the baseline deployments.
import type { DeploymentFigures, EndpointFigures, RoleFigures } from '../gateway/rollout-figures.js';

export interface SideWindow {
  /** Answers in the window (a client that left, 499, is not counted). */
  requests: number;
  /** 5xx, 424 (upstream failed), 408 (timed out), and 0 (a mirror copy that got no answer). */
  errors: number;
  /** Latencies (seconds) of the window's answers, the newest the gateway still holds. */
  samples: number[];
}

export interface GateWindow {
  candidate: SideWindow;
  baseline: SideWindow;
}

export const isErrorStatus = (code: number): boolean => code >= 500 || code === 424 || code === 408 || code === 0;

const EMPTY_ROLE: RoleFigures = { by_status: {}, samples_total: 0, samples: [] };
const EMPTY_PART = { samples_total: 0, samples: [] as number[] };

function roleDelta(before: RoleFigures | undefined, now: RoleFigures | undefined): SideWindow | 'reset' {
  const b = before ?? EMPTY_ROLE;
  const n = now ?? EMPTY_ROLE;
  let requests = 0;
  let errors = 0;
  for (const [code, count] of Object.entries(n.by_status)) {
    const delta = count - (b.by_status[code] ?? 0);
    if (delta < 0) return 'reset';
    if (code === '499') continue;
    requests += delta;
    if (isErrorStatus(Number(code))) errors += delta;
  }
  const fresh = n.samples_total - b.samples_total;
  if (fresh < 0) return 'reset';
  // Several gateway workers: the newest samples of each worker's own ring (none before: all zero).
  const bp = b.parts ?? (b.samples_total === 0 ? n.parts?.map(() => EMPTY_PART) : undefined);
  if (n.parts !== undefined && bp !== undefined && n.parts.length === bp.length) {
    const samples: number[] = [];
    for (let i = 0; i < n.parts.length; i++) {
      const p = n.parts[i]!;
      const f = p.samples_total - bp[i]!.samples_total;
      if (f < 0) return 'reset';
      if (f > 0) for (const s of p.samples.slice(-Math.min(f, p.samples.length))) samples.push(s);
    }
    return { requests, errors, samples };
  }
  return { requests, errors, samples: fresh === 0 ? [] : n.samples.slice(-Math.min(fresh, n.samples.length)) };
}

function sum(parts: SideWindow[]): SideWindow {
  return {
    requests: parts.reduce((a, p) => a + p.requests, 0),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    samples: parts.flatMap((p) => p.samples),
  };
}

/**
 * The window between two readings, or 'reset' when the gateway's counters went backwards (its worker
 * restarted): the caller starts a new window from `now`.
 */
export function gateWindow(
  before: EndpointFigures, now: EndpointFigures, candidate: string, baseline: readonly string[], shadow: boolean,
): GateWindow | 'reset' {
  if (before.epoch !== now.epoch) return 'reset';
  const pick = (name: string, role: keyof DeploymentFigures) => roleDelta(before.deployments[name]?.[role], now.deployments[name]?.[role]);
  const cand = pick(candidate, shadow ? 'mirror' : 'live');
  if (cand === 'reset') return 'reset';
  const base: SideWindow[] = [];
  for (const name of baseline) {
    const w = pick(name, 'live');
    if (w === 'reset') return 'reset';
    base.push(w);
  }
  return { candidate: cand, baseline: sum(base) };
}
