// The comparer: turns pairs of answers (gateway/pairing.ts, by message from the gateway's worker) into
// per-shadow evidence. It runs on the main thread, never on the scoring thread. Memory is bounded per
// shadow: figures live in time buckets (BUCKET_MS, kept RETAIN_MS) of counters and DDSketch quantile
// sketches, a small reservoir of numeric outputs per bucket for the distribution test, and the most
// recent disagreements (SAMPLE_COUNT, each answer cut to SAMPLE_ANSWER_BYTES).
//
// Windows: read() merges the buckets that began at or after `since` (all retained ones without it).
// mark() closes the endpoint's open buckets, so a read since the time it returns covers exactly the
// pairs compared after it (the rollout controller marks when it changes traffic).
import { DDSketch } from '@datadog/sketches-js';
import type { DropReason, PairRecord } from '../gateway/protocol.js';
import { compareAnswers, DEFAULT_TOLERANCE, MAX_PATHS, type Difference, type Tolerance } from '../spec/compare.js';
import { ksTwoSample } from './distribution-test.js';

export const BUCKET_MS = 10_000;
export const RETAIN_MS = 60 * 60_000;
export const SAMPLE_COUNT = 20;
export const SAMPLE_ANSWER_BYTES = 2048;
/** Pairs per bucket whose numeric outputs are kept for the distribution test, and outputs per pair. */
const RESERVOIR_PAIRS = 64;
const RESERVOIR_LEAVES = 8;
/** Fewest pairs before the distribution test may flag a shift, and its significance level. */
export const SHIFT_MIN_PAIRS = 30;
export const SHIFT_P_VALUE = 0.01;
const SKETCH_ACCURACY = 0.01;

const sketch = (): DDSketch => new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
const ok = (status: number): boolean => status >= 200 && status < 300;

/** One disagreement, as `compare` shows it (users' data: Contributor and above only). */
export interface ComparisonSample {
  at: string;
  request_id: string;
  live_deployment: string;
  request: string;
  request_bytes: number;
  live: { status: number; latency_ms: number; body: string };
  shadow: { status: number; error: string | null; latency_ms: number; body: string };
  /** The first difference (path, both values) and how many leaves differ; null for status-only. */
  difference: (Difference & { count: number }) | null;
}

export interface Quantiles {
  mean: number | null;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** The figures of one shadow over a window: the `shadows[]` entries of `compare` and the REST API. */
export interface ShadowComparison {
  deployment: string;
  /** The rule that sends copies to it: Azure's mirror_traffic or the shadow_traffic extension. */
  kind: 'mirror' | 'shadow';
  window: { since: string; until: string };
  pairs: number;
  /** Share of pairs whose statuses agree and, both 2xx, whose answers are equal within tolerance. */
  agreement: number | null;
  /** Share of pairs where both succeeded (2xx) or both failed. */
  status_agreement: number | null;
  statuses: { both_ok: number; shadow_failed: number; live_failed: number; both_failed: number };
  /** |live − shadow| over the numeric outputs of pairs where both answered 2xx. */
  abs_diff: Quantiles;
  /** |live − shadow| / max(|live|, |shadow|), same outputs. */
  rel_diff: Quantiles;
  latency_ms: { live_p50: number | null; live_p99: number | null; shadow_p50: number | null; shadow_p99: number | null };
  /** Pairs where the shadow answered non-2xx or not at all (timeout, connection). */
  shadow_errors: number;
  /** Copies that produced no pair, and why. */
  dropped: number;
  dropped_by_reason: Record<string, number>;
  /** Requests compared, by the deployment that answered the client. */
  live_deployments: Record<string, number>;
  /**
   * Noise calibration (shadow_compare.calibrate_percent): the live deployments compared with
   * themselves; outputs that differ there (noisy_paths) are not held against the shadow. `ignored`:
   * pairs of this window counted as agreeing because they differed only there. Null when off.
   */
  noise: { pairs: number; agreement: number | null; noisy_paths: string[]; ignored: number } | null;
  /** Two-sample KS test of the shadow's numeric outputs against the live ones over the window. */
  distribution: { test: 'ks'; statistic: number; p_value: number; shifted: boolean; pairs: number } | null;
  tolerance: { abs: number; rel: number };
  /** Most recent disagreements first; empty (and samples_withheld) for roles below Contributor. */
  samples: ComparisonSample[];
  samples_withheld?: boolean;
}

class Bucket {
  end: number | null = null;
  pairs = 0;
  agree = 0;
  bothOk = 0;
  shadowFailed = 0;
  liveFailed = 0;
  bothFailed = 0;
  noiseIgnored = 0;
  readonly abs = sketch();
  readonly rel = sketch();
  readonly liveLatency = sketch();
  readonly shadowLatency = sketch();
  readonly dropped = new Map<string, number>();
  readonly lives = new Map<string, number>();
  /** Reservoir (algorithm R) of pairs' numeric outputs, live and shadow side by side. */
  readonly liveValues: number[][] = [];
  readonly shadowValues: number[][] = [];
  private seen = 0;

  constructor(readonly start: number) {}

  keep(live: number[], shadow: number[]): void {
    this.seen++;
    const l = live.slice(0, RESERVOIR_LEAVES);
    const s = shadow.slice(0, RESERVOIR_LEAVES);
    if (this.liveValues.length < RESERVOIR_PAIRS) {
      this.liveValues.push(l);
      this.shadowValues.push(s);
      return;
    }
    const k = Math.floor(Math.random() * this.seen);
    if (k < RESERVOIR_PAIRS) {
      this.liveValues[k] = l;
      this.shadowValues[k] = s;
    }
  }
}

/** Upper bounds of the difference histogram exported to Prometheus (absolute differences). */
export const DIFF_BUCKETS: readonly number[] = [1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000];

/** Since the comparer started, never windowed: what Prometheus scrapes (counters only grow). */
export class ShadowTotals {
  pairs = 0;
  agree = 0;
  statusAgree = 0;
  shadowErrors = 0;
  readonly dropped = new Map<string, number>();
  /** diffCounts[i]: absolute differences ≤ DIFF_BUCKETS[i] and > the previous bound; last: +Inf. */
  readonly diffCounts: number[] = new Array<number>(DIFF_BUCKETS.length + 1).fill(0);
  diffSum = 0;
  diffCount = 0;

  observeDiff(d: number): void {
    let i = 0;
    while (i < DIFF_BUCKETS.length && d > DIFF_BUCKETS[i]!) i++;
    this.diffCounts[i]!++;
    this.diffSum += d;
    this.diffCount++;
  }
}

class ShadowWindow {
  readonly buckets: Bucket[] = [];
  readonly samples: Array<ComparisonSample & { atMs: number }> = [];
  readonly totals = new ShadowTotals();
  kind: 'mirror' | 'shadow' = 'mirror';

  constructor(readonly endpoint: string, readonly deployment: string) {}

  current(now: number): Bucket {
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.end === null && now - last.start < BUCKET_MS) return last;
    if (last !== undefined && last.end === null) last.end = now;
    const b = new Bucket(now);
    this.buckets.push(b);
    while (this.buckets.length > 0 && this.buckets[0]!.start < now - RETAIN_MS) this.buckets.shift();
    return b;
  }

  close(now: number): void {
    const last = this.buckets[this.buckets.length - 1];
    if (last !== undefined && last.end === null) last.end = now;
  }
}

const key = (endpoint: string, deployment: string): string => `${endpoint}\u0000${deployment}`;

/** A live deployment compared with itself (noise calibration), since the server started. */
class NoiseWindow {
  pairs = 0;
  agree = 0;
  readonly pathCounts = new Map<string, number>();

  /** Paths that differed in at least 1% of the calibration pairs (and at least twice). */
  noisy(): Set<string> {
    const min = Math.max(2, Math.ceil(this.pairs * 0.01));
    const out = new Set<string>();
    for (const [p, n] of this.pathCounts) if (n >= min) out.add(p);
    return out;
  }
}
const MAX_NOISE_PATHS = 256;

function text(bytes: Uint8Array | null, cap: number): string {
  if (bytes === null) return '';
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = b.subarray(0, cap).toString('utf8');
  return b.length > cap ? `${s}… (${b.length} bytes)` : s;
}

export interface ReadOptions {
  deployment?: string;
  since?: Date;
  samples?: boolean;
}

export class Comparer {
  private readonly windows = new Map<string, ShadowWindow>();
  private readonly noise = new Map<string, NoiseWindow>();

  /** `tolerance` gives an endpoint's comparison settings (read per batch from the endpoint's spec). */
  constructor(private readonly tolerance: (endpoint: string) => Tolerance = () => DEFAULT_TOLERANCE, private readonly now: () => number = Date.now) {}

  private window(endpoint: string, deployment: string): ShadowWindow {
    const k = key(endpoint, deployment);
    let w = this.windows.get(k);
    if (w === undefined) {
      w = new ShadowWindow(endpoint, deployment);
      this.windows.set(k, w);
    }
    return w;
  }

  /** A batch from the gateway (host.ts onEvidence). */
  ingest(pairs: readonly PairRecord[], drops: ReadonlyArray<{ endpoint: string; shadow: string; reason: DropReason; n: number }> = []): void {
    const now = this.now();
    const tolerances = new Map<string, Tolerance>();
    // Calibration pairs first: what they teach applies to the shadows' pairs of the same batch.
    const ordered = pairs.some((p) => p.kind === 'noise') ? [...pairs.filter((p) => p.kind === 'noise'), ...pairs.filter((p) => p.kind !== 'noise')] : pairs;
    for (const p of ordered) {
      let tol = tolerances.get(p.endpoint);
      if (tol === undefined) {
        tol = this.tolerance(p.endpoint);
        tolerances.set(p.endpoint, tol);
      }
      this.add(p, tol, now);
    }
    for (const d of drops) {
      const w = this.window(d.endpoint, d.shadow);
      const b = w.current(now);
      b.dropped.set(d.reason, (b.dropped.get(d.reason) ?? 0) + d.n);
      w.totals.dropped.set(d.reason, (w.totals.dropped.get(d.reason) ?? 0) + d.n);
    }
  }

  private addNoise(p: PairRecord, tol: Tolerance): void {
    const k = key(p.endpoint, p.live);
    let n = this.noise.get(k);
    if (n === undefined) {
      n = new NoiseWindow();
      this.noise.set(k, n);
    }
    if (!(ok(p.liveStatus) && p.shadowError === null && ok(p.shadowStatus))) return;
    n.pairs++;
    const c = compareAnswers(p.liveBody, p.shadowBody, tol);
    if (c.equal) {
      n.agree++;
      return;
    }
    for (const path of c.paths) {
      if (n.pathCounts.has(path) || n.pathCounts.size < MAX_NOISE_PATHS) n.pathCounts.set(path, (n.pathCounts.get(path) ?? 0) + 1);
    }
  }

  private add(p: PairRecord, tol: Tolerance, now: number): void {
    if (p.kind === 'noise') return this.addNoise(p, tol);
    const w = this.window(p.endpoint, p.shadow);
    w.kind = p.kind;
    const b = w.current(now);
    b.pairs++;
    b.lives.set(p.live, (b.lives.get(p.live) ?? 0) + 1);
    b.liveLatency.accept(Math.max(0, p.liveMs));
    if (p.shadowError === null) b.shadowLatency.accept(Math.max(0, p.shadowMs));
    const liveOk = ok(p.liveStatus);
    const shadowOk = p.shadowError === null && ok(p.shadowStatus);
    let agree: boolean;
    let difference: ComparisonSample['difference'] = null;
    if (liveOk && shadowOk) {
      b.bothOk++;
      const c = compareAnswers(p.liveBody, p.shadowBody, tol);
      for (const d of c.absDiffs) {
        b.abs.accept(d);
        w.totals.observeDiff(d);
      }
      for (const d of c.relDiffs) b.rel.accept(d);
      if (c.liveNumbers.length > 0 || c.shadowNumbers.length > 0) b.keep(c.liveNumbers, c.shadowNumbers);
      agree = c.equal;
      if (!agree && c.paths.length < MAX_PATHS) {
        // Differences only where the live model differs from itself are noise, not the shadow's doing.
        const noisy = this.noise.get(key(p.endpoint, p.live))?.noisy();
        if (noisy !== undefined && noisy.size > 0 && c.paths.every((x) => noisy.has(x))) {
          agree = true;
          b.noiseIgnored++;
        }
      }
      if (c.first !== null) difference = { ...c.first, count: c.differences };
    } else if (liveOk) {
      b.shadowFailed++;
      agree = false;
    } else if (shadowOk) {
      b.liveFailed++;
      agree = false;
    } else {
      b.bothFailed++;
      agree = true;
    }
    const t = w.totals;
    t.pairs++;
    if (liveOk === shadowOk) t.statusAgree++;
    if (!shadowOk) t.shadowErrors++;
    if (agree) {
      b.agree++;
      t.agree++;
      return;
    }
    w.samples.unshift({
      atMs: now,
      at: new Date(p.at).toISOString(),
      request_id: p.requestId,
      live_deployment: p.live,
      request: text(p.request, SAMPLE_ANSWER_BYTES),
      request_bytes: p.requestBytes,
      live: { status: p.liveStatus, latency_ms: round(p.liveMs), body: text(p.liveBody, SAMPLE_ANSWER_BYTES) },
      shadow: { status: p.shadowStatus, error: p.shadowError, latency_ms: round(p.shadowMs), body: text(p.shadowBody, SAMPLE_ANSWER_BYTES) },
      difference,
    });
    if (w.samples.length > SAMPLE_COUNT) w.samples.length = SAMPLE_COUNT;
  }

  /** Closes the endpoint's open buckets; read({since: the returned time}) covers only later pairs. */
  mark(endpoint: string): Date {
    const now = this.now();
    for (const w of this.windows.values()) if (w.endpoint === endpoint) w.close(now);
    return new Date(now);
  }

  /** Cumulative figures of every shadow, for Prometheus. */
  *totals(): IterableIterator<{ endpoint: string; deployment: string; totals: ShadowTotals; window: () => ShadowComparison }> {
    for (const w of this.windows.values()) {
      yield { endpoint: w.endpoint, deployment: w.deployment, totals: w.totals, window: () => this.read(w.endpoint, { deployment: w.deployment, samples: false })[0]! };
    }
  }

  /** Forgets the figures of endpoints no longer in `names` (deleted: a new one of that name starts afresh). */
  retain(names: ReadonlySet<string>): void {
    for (const [k, w] of this.windows) if (!names.has(w.endpoint)) this.windows.delete(k);
    for (const k of this.noise.keys()) if (!names.has(k.slice(0, k.indexOf('\u0000')))) this.noise.delete(k);
  }

  /** Forgets an endpoint (deleted) or one of its shadows. */
  forget(endpoint: string, deployment?: string): void {
    for (const [k, w] of this.windows) {
      if (w.endpoint === endpoint && (deployment === undefined || w.deployment === deployment)) this.windows.delete(k);
    }
  }

  /** Calibration of the endpoint's live deployments, merged; null when there is none. */
  private noiseFor(endpoint: string): { pairs: number; agree: number; paths: Set<string> } | null {
    let out: { pairs: number; agree: number; paths: Set<string> } | null = null;
    for (const [k, n] of this.noise) {
      if (!k.startsWith(`${endpoint}\u0000`)) continue;
      out ??= { pairs: 0, agree: 0, paths: new Set() };
      out.pairs += n.pairs;
      out.agree += n.agree;
      for (const p of n.noisy()) out.paths.add(p);
    }
    return out;
  }

  /** The entry of a shadow with no pairs (yet) in the window. */
  empty(endpoint: string, deployment: string, since: Date | undefined, withSamples: boolean): ShadowComparison {
    const now = this.now();
    return summarise(new ShadowWindow(endpoint, deployment), [], since?.getTime() ?? now, now, this.tolerance(endpoint), withSamples, this.noiseFor(endpoint));
  }

  /** Per-shadow figures of an endpoint, by deployment name. */
  read(endpoint: string, options: ReadOptions = {}): ShadowComparison[] {
    const out: ShadowComparison[] = [];
    const since = options.since?.getTime() ?? -Infinity;
    const now = this.now();
    const tol = this.tolerance(endpoint);
    for (const w of this.windows.values()) {
      if (w.endpoint !== endpoint) continue;
      if (options.deployment !== undefined && w.deployment !== options.deployment) continue;
      const buckets = w.buckets.filter((b) => b.start >= since && b.start >= now - RETAIN_MS);
      out.push(summarise(w, buckets, since, now, tol, options.samples !== false, this.noiseFor(endpoint)));
    }
    return out.sort((a, b) => a.deployment.localeCompare(b.deployment));
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;
const q = (s: DDSketch, p: number): number | null => (s.count === 0 ? null : round(s.getValueAtQuantile(p)));

function summarise(
  w: ShadowWindow, buckets: Bucket[], since: number, now: number, tol: Tolerance, withSamples: boolean,
  noise: { pairs: number; agree: number; paths: Set<string> } | null,
): ShadowComparison {
  let ignored = 0;
  const abs = sketch();
  const rel = sketch();
  const liveLat = sketch();
  const shadowLat = sketch();
  let pairs = 0;
  let agree = 0;
  const statuses = { both_ok: 0, shadow_failed: 0, live_failed: 0, both_failed: 0 };
  const dropped: Record<string, number> = {};
  const lives: Record<string, number> = {};
  const liveValues: number[] = [];
  const shadowValues: number[] = [];
  let reservoirPairs = 0;
  for (const b of buckets) {
    pairs += b.pairs;
    agree += b.agree;
    statuses.both_ok += b.bothOk;
    statuses.shadow_failed += b.shadowFailed;
    statuses.live_failed += b.liveFailed;
    statuses.both_failed += b.bothFailed;
    ignored += b.noiseIgnored;
    if (b.abs.count > 0) abs.merge(b.abs);
    if (b.rel.count > 0) rel.merge(b.rel);
    if (b.liveLatency.count > 0) liveLat.merge(b.liveLatency);
    if (b.shadowLatency.count > 0) shadowLat.merge(b.shadowLatency);
    for (const [r, n] of b.dropped) dropped[r] = (dropped[r] ?? 0) + n;
    for (const [d, n] of b.lives) lives[d] = (lives[d] ?? 0) + n;
    for (const v of b.liveValues) liveValues.push(...v);
    for (const v of b.shadowValues) shadowValues.push(...v);
    reservoirPairs += b.liveValues.length;
  }
  const ks = ksTwoSample(liveValues, shadowValues, reservoirPairs);
  const quantiles = (s: DDSketch): Quantiles => ({
    mean: s.count === 0 ? null : s.sum / s.count, p50: q(s, 0.5), p99: q(s, 0.99), max: s.count === 0 ? null : s.max,
  });
  const first = buckets[0];
  const samples = withSamples ? w.samples.filter((s) => s.atMs >= since).map(({ atMs: _atMs, ...s }) => s) : [];
  const result: ShadowComparison = {
    deployment: w.deployment,
    kind: w.kind,
    window: {
      since: new Date(Number.isFinite(since) ? since : first?.start ?? now).toISOString(),
      until: new Date(now).toISOString(),
    },
    pairs,
    agreement: pairs === 0 ? null : agree / pairs,
    status_agreement: pairs === 0 ? null : (statuses.both_ok + statuses.both_failed) / pairs,
    statuses,
    abs_diff: quantiles(abs),
    rel_diff: quantiles(rel),
    latency_ms: { live_p50: q(liveLat, 0.5), live_p99: q(liveLat, 0.99), shadow_p50: q(shadowLat, 0.5), shadow_p99: q(shadowLat, 0.99) },
    shadow_errors: statuses.shadow_failed + statuses.both_failed,
    dropped: Object.values(dropped).reduce((a, b) => a + b, 0),
    dropped_by_reason: dropped,
    live_deployments: lives,
    noise: noise === null ? null : {
      pairs: noise.pairs, agreement: noise.pairs === 0 ? null : noise.agree / noise.pairs, noisy_paths: [...noise.paths].sort(), ignored,
    },
    distribution: ks === null ? null : {
      test: 'ks', statistic: round(ks.statistic), p_value: ks.p_value, pairs: reservoirPairs,
      shifted: reservoirPairs >= SHIFT_MIN_PAIRS && ks.p_value < SHIFT_P_VALUE,
    },
    tolerance: { abs: tol.abs, rel: tol.rel },
    samples,
  };
  if (!withSamples) result.samples_withheld = true;
  return result;
}
