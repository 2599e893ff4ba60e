// Plain per-(endpoint, deployment) counters updated on the hot path. Incrementing a field costs
// nothing; prom-client's labelled children hash their labels on every call, so the registry reads
// these figures at scrape time instead (metrics.ts).
import { LatencyRing } from './latency-samples.js';

/** Latency buckets in seconds: 0.5 ms to 60 s (request_timeout_ms may be up to 180 s: +Inf holds it). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export class LatencyHistogram {
  /** counts[i] = observations ≤ LATENCY_BUCKETS[i] and > the previous bound; last slot is +Inf. */
  readonly counts: number[] = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Quantile estimate by linear interpolation inside the bucket, as Prometheus' histogram_quantile. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (seen + c >= rank && c > 0) {
        const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
        if (i === LATENCY_BUCKETS.length) return lower; // +Inf bucket: the best we can say
        const upper = LATENCY_BUCKETS[i]!;
        return lower + (upper - lower) * ((rank - seen) / c);
      }
      seen += c;
    }
    return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]!;
  }
}

export type MirrorOutcome = 'sent' | 'dropped' | 'failed' | 'succeeded';

export class DeploymentStats {
  /** Live (client-facing) answers by status code. */
  readonly live = new Map<number, number>();
  /** Answers of mirror copies by status code (0 = no answer: connection error or timeout). */
  readonly mirror = new Map<number, number>();
  readonly liveLatency = new LatencyHistogram();
  readonly mirrorLatency = new LatencyHistogram();
  /** Recent latencies, for the rollout gates (window p99, Mann-Whitney). */
  readonly liveSamples = new LatencyRing();
  readonly mirrorSamples = new LatencyRing();
  readonly mirrorCopies = { sent: 0, dropped: 0, failed: 0, succeeded: 0 };
  /** Dropped copies by reason ('lane_full', 'stale', 'no_instance', 'busy'). */
  readonly mirrorDrops = new Map<string, number>();
  inFlight = 0;
  queued = 0;
  mirrorInFlight = 0;
  readyInstances = 0;
  /** Whether the current snapshot still carries the deployment (gone ones stop reporting gauges). */
  present = true;

  constructor(readonly endpoint: string, readonly deployment: string) {}

  countLive(status: number, seconds: number): void {
    this.live.set(status, (this.live.get(status) ?? 0) + 1);
    if (seconds >= 0) {
      this.liveLatency.observe(seconds);
      this.liveSamples.push(seconds);
    }
  }

  /** A copy not sent to this shadow, by reason (protocol.ts DropReason). */
  countMirrorDrop(reason: string): void {
    this.mirrorCopies.dropped++;
    this.mirrorDrops.set(reason, (this.mirrorDrops.get(reason) ?? 0) + 1);
  }

  countMirror(status: number, seconds: number): void {
    this.mirror.set(status, (this.mirror.get(status) ?? 0) + 1);
    if (seconds >= 0) {
      this.mirrorLatency.observe(seconds);
      this.mirrorSamples.push(seconds);
    }
  }
}

/**
 * All stats by endpoint and deployment. Counters are cumulative, so entries survive snapshot swaps;
 * requests rejected before a deployment is known (401, 404, 413) count under deployment ''. Requests
 * for unknown endpoints count under endpoint '' (a client must not mint label values at will).
 */
export class StatsBook {
  private readonly byKey = new Map<string, DeploymentStats>();

  get(endpoint: string, deployment: string): DeploymentStats {
    const key = `${endpoint}\u0000${deployment}`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = new DeploymentStats(endpoint, deployment);
      this.byKey.set(key, s);
    }
    return s;
  }

  all(): IterableIterator<DeploymentStats> {
    return this.byKey.values();
  }
}
