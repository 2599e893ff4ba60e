// What N gateway workers report, merged into what one gateway would (gateway-workers.ts): counts are
// summed; a deployment's ready instances are the same in every worker (max); the snapshot version in
// force everywhere is the smallest; latency percentiles cannot be summed, so the merged p50/p99 are the
// slowest worker's (an upper bound). Rollout figures keep each worker's latency ring as a part, so a
// window takes exactly the samples each worker added (control/rollout-window.ts). Pure.
import type { DeploymentSummary, GatewaySummary } from './metrics.js';
import type { DeploymentFigures, EndpointFigures, RoleFigures } from './rollout-figures.js';

type Counts = Record<string, number>;

function addCounts(into: Counts, from: Counts): Counts {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  return into;
}

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

function mergeDeployment(a: DeploymentSummary, b: DeploymentSummary): DeploymentSummary {
  return {
    requests: a.requests + b.requests,
    byStatus: addCounts({ ...a.byStatus }, b.byStatus),
    inFlight: a.inFlight + b.inFlight,
    queued: a.queued + b.queued,
    readyInstances: Math.max(a.readyInstances, b.readyInstances),
    p50Ms: maxOrNull(a.p50Ms, b.p50Ms),
    p99Ms: maxOrNull(a.p99Ms, b.p99Ms),
    mirror: {
      received: a.mirror.received + b.mirror.received,
      sent: a.mirror.sent + b.mirror.sent,
      dropped: a.mirror.dropped + b.mirror.dropped,
      failed: a.mirror.failed + b.mirror.failed,
      succeeded: a.mirror.succeeded + b.mirror.succeeded,
      inFlight: a.mirror.inFlight + b.mirror.inFlight,
      byStatus: addCounts({ ...a.mirror.byStatus }, b.mirror.byStatus),
      droppedByReason: addCounts({ ...a.mirror.droppedByReason }, b.mirror.droppedByReason),
    },
  };
}

type WorkerSummary = GatewaySummary & { pairing?: Counts };

/** One summary from the workers' summaries (worker-loop.ts, 'metrics' json), with `workers`: how many. */
export function mergeSummaries(parts: readonly WorkerSummary[]): WorkerSummary & { workers: number } {
  const endpoints: GatewaySummary['endpoints'] = {};
  let version = Number.POSITIVE_INFINITY;
  let pairing: Counts | undefined;
  for (const p of parts) {
    version = Math.min(version, p.snapshotVersion);
    for (const [ep, deps] of Object.entries(p.endpoints)) {
      const into = (endpoints[ep] ??= {});
      for (const [dep, d] of Object.entries(deps)) into[dep] = into[dep] === undefined ? d : mergeDeployment(into[dep]!, d);
    }
    if (p.pairing !== undefined) pairing = addCounts(pairing ?? {}, p.pairing);
  }
  return {
    snapshotVersion: parts.length === 0 ? 0 : version,
    endpoints,
    ...(pairing !== undefined ? { pairing } : {}),
    workers: parts.length,
  };
}

function mergeRole(parts: ReadonlyArray<RoleFigures | undefined>): RoleFigures {
  const byStatus: Counts = {};
  let total = 0;
  const samples: number[] = [];
  const each: Array<{ samples_total: number; samples: number[] }> = [];
  for (const r of parts) {
    const x = r ?? { by_status: {}, samples_total: 0, samples: [] };
    addCounts(byStatus, x.by_status);
    total += x.samples_total;
    for (const s of x.samples) samples.push(s);
    each.push({ samples_total: x.samples_total, samples: x.samples });
  }
  return { by_status: byStatus, samples_total: total, samples, parts: each };
}

/** One endpoint's figures from the workers' (same order every time); the epoch changes when any worker restarts. */
export function mergeFigures(parts: readonly EndpointFigures[]): EndpointFigures {
  const names = new Set<string>();
  for (const p of parts) for (const d of Object.keys(p.deployments)) names.add(d);
  const deployments: Record<string, DeploymentFigures> = {};
  for (const d of names) {
    deployments[d] = {
      live: mergeRole(parts.map((p) => p.deployments[d]?.live)),
      mirror: mergeRole(parts.map((p) => p.deployments[d]?.mirror)),
    };
  }
  return { epoch: parts.map((p) => p.epoch).join(','), deployments };
}
