// What the rollout controller reads from the gateway for one endpoint: per deployment and role (live
// answers, mirror copies it received as a shadow), the cumulative answers by status and the newest
// latency samples with their running total. The controller takes differences between two readings to
// get a window; `epoch` changes when the worker restarts (its counters start again from zero).
import { randomUUID } from 'node:crypto';
import type { DeploymentStats } from './stats.js';
import type { LatencyRing } from './latency-samples.js';

export interface RoleFigures {
  /** Answers by status code since the worker started (0: a mirror copy that got no answer). */
  by_status: Record<string, number>;
  /** Latency samples pushed since the worker started. */
  samples_total: number;
  /** The newest samples (seconds), oldest first; at most the ring's size. */
  samples: number[];
  /**
   * Several gateway workers (worker-merge.ts): each worker's own total and ring, in a fixed order, so a
   * window takes the samples each one added; `samples` above is then their concatenation.
   */
  parts?: Array<{ samples_total: number; samples: number[] }>;
}

export interface DeploymentFigures {
  live: RoleFigures;
  mirror: RoleFigures;
}

export interface EndpointFigures {
  epoch: string;
  deployments: Record<string, DeploymentFigures>;
}

const WORKER_EPOCH = randomUUID();

const role = (byStatus: Map<number, number>, ring: LatencyRing): RoleFigures => ({
  by_status: Object.fromEntries([...byStatus].map(([code, n]) => [String(code), n])),
  samples_total: ring.total,
  samples: ring.newest(),
});

export function endpointFigures(all: Iterable<DeploymentStats>, endpoint: string): EndpointFigures {
  const deployments: Record<string, DeploymentFigures> = {};
  for (const s of all) {
    if (s.endpoint !== endpoint || s.deployment === '') continue;
    deployments[s.deployment] = { live: role(s.live, s.liveSamples), mirror: role(s.mirror, s.mirrorSamples) };
  }
  return { epoch: WORKER_EPOCH, deployments };
}
