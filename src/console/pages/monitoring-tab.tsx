// Monitoring: live charts per deployment from the gateway's figures (GET .../metrics every 3 s):
// requests per second by status, latency p50/p99, mirror copies sent/dropped, ready instances.
// Live and shadow deployments side by side, as SageMaker's shadow-test dashboard shows them.
import { useMemo } from 'preact/hooks';
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { usePoll } from '../use-poll.js';
import { sampleOf, seriesOf, type MetricsSample } from '../metrics-series.js';
import { Chart, type SeriesSpec } from '../components/chart.js';
import { ErrorNotice } from '../components/notice.js';

const REFRESH_MS = 3000;
/** Ten minutes of samples. */
const KEEP = 200;

const STATUS_SERIES: SeriesSpec[] = [
  { label: '2xx', color: '#1a7f37' }, { label: '4xx', color: '#b35900' }, { label: '5xx', color: '#c62828' }, { label: 'other', color: '#6b7280', dash: [4, 4] },
];
const LATENCY_SERIES: SeriesSpec[] = [{ label: 'p50', color: '#1f4fd1' }, { label: 'p99', color: '#7c3aed', dash: [6, 3] }];
const MIRROR_SERIES: SeriesSpec[] = [{ label: 'sent', color: '#0e7490' }, { label: 'dropped', color: '#c62828' }];
const READY_SERIES: SeriesSpec[] = [{ label: 'ready', color: '#1a7f37' }];

export function MonitoringTab({ client, onUnauthorized, data }: SignedIn & { data: EndpointData }) {
  const { endpoint, deployments } = data;
  const names = deployments.map((d) => d.name).join('\n');
  // Samples kept since this page opened, per deployment; a new endpoint or deployment list starts anew.
  const samples = useMemo(() => new Map<string, MetricsSample[]>(), [endpoint.name, names]);
  const polled = usePoll(async () => {
    try {
      const list = names ? names.split('\n') : [];
      const results = await Promise.all(list.map((d) => client.getDeploymentMetrics(endpoint.name, d)));
      const t = Date.now() / 1000;
      list.forEach((d, i) => {
        const kept = samples.get(d) ?? [];
        kept.push(sampleOf(results[i], t));
        if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
        samples.set(d, kept);
      });
      return t;
    } catch (e) { onUnauthorized(e); throw e; }
  }, REFRESH_MS, [client, endpoint.name, names]);
  const error = polled.error;

  const series = useMemo(() => new Map(deployments.map((d) => [d.name, seriesOf(samples.get(d.name) ?? [])])), [polled.data, samples]);

  if (!deployments.length) return <p class="muted">No deployments to monitor yet.</p>;
  return (
    <div class="stack">
      <p class="muted small">Refreshed every {REFRESH_MS / 1000} s from the gateway's counters since this page opened; latency percentiles are the gateway's, since it started.</p>
      {error ? <ErrorNotice message={error} /> : null}
      <div class="monitor-grid">
        {deployments.map((d) => {
          const s = series.get(d.name)!;
          const live = endpoint.traffic?.[d.name] ?? 0;
          const mirror = endpoint.mirror_traffic?.[d.name] ?? 0;
          const id = `m-${d.name}`;
          return (
            <section class="card" key={d.name} aria-labelledby={`${id}-h`} data-deployment={d.name}>
              <div class="card-head">
                <h2 id={`${id}-h`}>{d.name}</h2>
                <span class={`pill ${mirror ? 'pill-shadow' : live ? 'pill-ok' : 'pill-muted'}`}>{mirror ? `shadow · mirror ${mirror}%` : `live ${live}%`}</span>
              </div>
              <div class="charts">
                <Chart id={`${id}-rps`} title="Requests per second by status" unit="/s" series={STATUS_SERIES} data={s.requestsPerSecond} />
                <Chart id={`${id}-lat`} title="Latency" unit=" ms" series={LATENCY_SERIES} data={s.latency} />
                <Chart id={`${id}-mirror`} title="Mirror copies per second" unit="/s" series={MIRROR_SERIES} data={s.mirror} />
                <Chart id={`${id}-ready`} title="Ready instances" unit="" series={READY_SERIES} data={s.ready} />
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}
