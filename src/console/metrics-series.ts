// The Monitoring page's time series, from successive samples of a deployment's metrics JSON
// (GET .../deployments/:d/metrics: cumulative counters and gauges). Rates are the difference of two
// samples over the time between them; a counter that went down (the server restarted) counts from zero.

export interface MetricsSample {
  /** Seconds since the epoch, when the sample was read. */
  t: number;
  requests: number;
  byStatus: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  readyInstances: number;
  mirrorSent: number;
  mirrorDropped: number;
}

export const STATUS_CLASSES = ['2xx', '4xx', '5xx', 'other'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export function statusClass(code: string): StatusClass {
  if (/^2\d\d$/.test(code)) return '2xx';
  if (/^4\d\d$/.test(code) && code !== '499') return '4xx';
  if (/^5\d\d$/.test(code)) return '5xx';
  return 'other'; // 0 (no answer), 499 (the client left), 1xx/3xx
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

/** One sample out of the metrics JSON (untrusted shape: missing fields read as zero). */
export function sampleOf(json: unknown, t: number): MetricsSample {
  const m = obj(json);
  const mirror = obj(m.mirror);
  const byStatus: Record<string, number> = {};
  for (const [code, n] of Object.entries(obj(m.byStatus))) byStatus[code] = num(n);
  return {
    t,
    requests: num(m.requests),
    byStatus,
    p50Ms: numOrNull(m.p50Ms),
    p99Ms: numOrNull(m.p99Ms),
    readyInstances: num(m.readyInstances),
    mirrorSent: num(mirror.sent),
    mirrorDropped: num(mirror.dropped),
  };
}

/** uPlot's data: x values (seconds), then one array per series. */
export type ChartData = [number[], ...Array<Array<number | null>>];

export interface DeploymentSeries {
  requestsPerSecond: ChartData; // 2xx, 4xx, 5xx, other
  latency: ChartData; // p50, p99 (ms)
  mirror: ChartData; // sent/s, dropped/s
  ready: ChartData; // ready instances
}

const rate = (now: number, before: number, seconds: number): number => (seconds > 0 ? Math.max(0, now - before) / seconds : 0);

function classTotals(byStatus: Record<string, number>): Record<StatusClass, number> {
  const out: Record<StatusClass, number> = { '2xx': 0, '4xx': 0, '5xx': 0, other: 0 };
  for (const [code, n] of Object.entries(byStatus)) out[statusClass(code)] += n;
  return out;
}

/** Series from samples in time order; rates need two samples, so they start at the second. */
export function seriesOf(samples: readonly MetricsSample[]): DeploymentSeries {
  const xs: number[] = [];
  const perClass: Record<StatusClass, Array<number | null>> = { '2xx': [], '4xx': [], '5xx': [], other: [] };
  const p50: Array<number | null> = [];
  const p99: Array<number | null> = [];
  const sent: Array<number | null> = [];
  const dropped: Array<number | null> = [];
  const ready: Array<number | null> = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const prev = samples[i - 1];
    xs.push(s.t);
    const dt = prev ? s.t - prev.t : 0;
    const now = classTotals(s.byStatus);
    const before = prev ? classTotals(prev.byStatus) : null;
    for (const c of STATUS_CLASSES) perClass[c].push(before ? rate(now[c], before[c], dt) : null);
    sent.push(prev ? rate(s.mirrorSent, prev.mirrorSent, dt) : null);
    dropped.push(prev ? rate(s.mirrorDropped, prev.mirrorDropped, dt) : null);
    p50.push(s.p50Ms);
    p99.push(s.p99Ms);
    ready.push(s.readyInstances);
  }
  return {
    requestsPerSecond: [xs, perClass['2xx'], perClass['4xx'], perClass['5xx'], perClass.other],
    latency: [xs, p50, p99],
    mirror: [xs, sent, dropped],
    ready: [xs, ready],
  };
}

/** The last value and the peak of one series (null when it has no value yet). */
export function latestAndPeak(values: ReadonlyArray<number | null>): { latest: number | null; peak: number | null } {
  let latest: number | null = null;
  let peak: number | null = null;
  for (const v of values) {
    if (v === null) continue;
    latest = v;
    peak = peak === null ? v : Math.max(peak, v);
  }
  return { latest, peak };
}
