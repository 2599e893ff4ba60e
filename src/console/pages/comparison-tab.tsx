// Comparison (issue 12's REST resource): for each shadow deployment, how its answers compare with the
// live ones: agreement over time, status agreement, the difference distribution, latency side by side
// with live (as SageMaker's shadow-test dashboard shows them), the KS shift test, dropped copies, and
// the samples of disagreements (Contributors and Owners; withheld for Readers by the server).
import { useMemo } from 'preact/hooks';
import type { EndpointComparison, ShadowComparison } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { usePoll } from '../use-poll.js';
import { addAgreementPoints, agreementChart, formatShare, type AgreementPoint } from '../comparison-series.js';
import { Chart, type SeriesSpec } from '../components/chart.js';
import { ErrorNotice, InfoNotice, Loading } from '../components/notice.js';
import { HttpStatusPill } from '../components/status-pill.js';
import { dateTime } from '../time-format.js';

const REFRESH_MS = 5000;
const MINUTE_MS = 60_000;
const KEEP = 120;
const AGREEMENT_SERIES: SeriesSpec[] = [{ label: 'agreement', color: '#1a7f37' }, { label: 'status agreement', color: '#1f4fd1', dash: [6, 3] }];

const num = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : Number(v.toPrecision(digits)).toString());

export function ComparisonTab({ client, onUnauthorized, data }: SignedIn & { data: EndpointData }) {
  const { endpoint } = data;
  // The agreement history belongs to this endpoint: a new endpoint starts a new one.
  const history = useMemo(() => new Map<string, AgreementPoint[]>(), [endpoint.name]);
  const polled = usePoll(async () => {
    try {
      const now = Date.now();
      const [all, minute] = await Promise.all([
        client.getComparison(endpoint.name),
        client.getComparison(endpoint.name, { since: new Date(now - MINUTE_MS).toISOString() }),
      ]);
      addAgreementPoints(history, now / 1000, minute.shadows, KEEP);
      return all;
    } catch (e) { onUnauthorized(e); throw e; }
  }, REFRESH_MS, [client, endpoint.name]);
  const { data: whole, error } = polled;

  if (error && !whole) return <ErrorNotice message={error} />;
  if (!whole) return <Loading what="the comparison" />;
  return (
    <div class="stack">
      <p class="muted small">Mirrored copies are paired with the live answer to the same request and compared JSON-aware (numbers within a tolerance). Refreshed every {REFRESH_MS / 1000} s; agreement over time is per minute.</p>
      {error ? <ErrorNotice message={error} /> : null}
      {whole.shadows.length === 0 ? (
        <InfoNotice>No shadow deployment yet: mirror a share of traffic to a deployment (traffic editor on the Details tab, or <code>online-endpoint update --mirror-traffic "green=10"</code>) and its answers are compared here.</InfoNotice>
      ) : whole.shadows.map((s) => <ShadowCard key={s.deployment} shadow={s} points={history.get(s.deployment) ?? []} />)}
    </div>
  );
}

function ShadowCard({ shadow: s, points }: { shadow: ShadowComparison; points: AgreementPoint[] }) {
  const id = `cmp-${s.deployment}`;
  const lives = Object.entries(s.live_deployments).map(([d, n]) => `${d} (${n})`).join(', ') || '—';
  return (
    <section class="card" aria-labelledby={`${id}-h`} data-shadow={s.deployment}>
      <div class="card-head">
        <h2 id={`${id}-h`}>{s.deployment} <span class="pill pill-shadow">{s.kind}</span></h2>
        <span class="muted small">window {dateTime(s.window.since)} – {dateTime(s.window.until)} · compared with {lives}</span>
      </div>
      <div class="kpis">
        <Kpi label="Pairs compared" value={String(s.pairs)} testId="pairs" />
        <Kpi label="Agreement" value={formatShare(s.agreement)} testId="agreement" tone={s.agreement !== null && s.agreement < 0.99 ? 'bad' : undefined} />
        <Kpi label="Status agreement" value={formatShare(s.status_agreement)} />
        <Kpi label="Shadow errors" value={String(s.shadow_errors)} tone={s.shadow_errors ? 'bad' : undefined} />
        <Kpi label="Dropped copies" value={String(s.dropped)} hint={Object.entries(s.dropped_by_reason).map(([r, n]) => `${r} ${n}`).join(', ')} />
        <Kpi label="Distribution shift (KS)" value={s.distribution ? (s.distribution.shifted ? 'shifted' : 'no shift') : '—'}
          hint={s.distribution ? `D=${num(s.distribution.statistic)}, p=${num(s.distribution.p_value)}` : 'needs more pairs'} tone={s.distribution?.shifted ? 'bad' : undefined} />
      </div>
      <div class="charts">
        <Chart id={`${id}-agree`} title="Agreement over time" unit="%" series={AGREEMENT_SERIES} data={agreementChart(points)} />
        <div>
          <h4>Differences (both answered 2xx; tolerance abs {s.tolerance.abs}, rel {s.tolerance.rel})</h4>
          <table class="table compact">
            <thead><tr><th scope="col" /><th scope="col">mean</th><th scope="col">p50</th><th scope="col">p99</th><th scope="col">max</th></tr></thead>
            <tbody>
              <tr><th scope="row">|live − shadow|</th><td>{num(s.abs_diff.mean)}</td><td>{num(s.abs_diff.p50)}</td><td>{num(s.abs_diff.p99)}</td><td>{num(s.abs_diff.max)}</td></tr>
              <tr><th scope="row">relative</th><td>{num(s.rel_diff.mean)}</td><td>{num(s.rel_diff.p50)}</td><td>{num(s.rel_diff.p99)}</td><td>{num(s.rel_diff.max)}</td></tr>
            </tbody>
          </table>
          <h4 class="spaced">Latency, live and shadow (ms)</h4>
          <table class="table compact">
            <thead><tr><th scope="col" /><th scope="col">p50</th><th scope="col">p99</th></tr></thead>
            <tbody>
              <tr><th scope="row">live</th><td>{num(s.latency_ms.live_p50)}</td><td>{num(s.latency_ms.live_p99)}</td></tr>
              <tr><th scope="row">shadow</th><td>{num(s.latency_ms.shadow_p50)}</td><td>{num(s.latency_ms.shadow_p99)}</td></tr>
            </tbody>
          </table>
          <p class="small muted">Status: both ok {s.statuses.both_ok} · shadow failed {s.statuses.shadow_failed} · live failed {s.statuses.live_failed} · both failed {s.statuses.both_failed}</p>
        </div>
      </div>
      <h3 class="spaced">Disagreements</h3>
      {s.samples_withheld ? <InfoNotice>Samples hold users' requests and answers: your role cannot read them. Contributors and Owners can.</InfoNotice>
        : s.samples.length === 0 ? <p class="muted">No disagreement sampled.</p> : (
          <div class="table-wrap">
            <table class="table compact" data-testid="samples">
              <thead><tr><th scope="col">When</th><th scope="col">Live</th><th scope="col">Statuses</th><th scope="col">First difference</th><th scope="col">Bodies</th></tr></thead>
              <tbody>
                {s.samples.map((x) => (
                  <tr key={x.request_id}>
                    <td>{dateTime(x.at)}</td>
                    <td>{x.live_deployment}</td>
                    <td><HttpStatusPill status={x.live.status} /> / <HttpStatusPill status={x.shadow.status} />{x.shadow.error ? <div class="small text-bad">{x.shadow.error}</div> : null}</td>
                    <td>{x.difference ? <><code class="small">{x.difference.path || '(root)'}</code>: <code class="small">{JSON.stringify(x.difference.live)}</code> → <code class="small">{JSON.stringify(x.difference.shadow)}</code>{x.difference.count > 1 ? <span class="muted small"> (+{x.difference.count - 1} more)</span> : null}</> : <span class="muted">status only</span>}</td>
                    <td>
                      <details><summary>show</summary>
                        <p class="small muted">request</p><pre class="code small">{x.request}</pre>
                        <p class="small muted">live ({x.live.latency_ms} ms)</p><pre class="code small">{x.live.body}</pre>
                        <p class="small muted">shadow ({x.shadow.latency_ms} ms)</p><pre class="code small">{x.shadow.body}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function Kpi({ label, value, hint, tone, testId }: { label: string; value: string; hint?: string; tone?: 'bad'; testId?: string }) {
  return (
    <div class={`kpi${tone === 'bad' ? ' kpi-bad' : ''}`}>
      <div class="kpi-label">{label}</div>
      <div class="kpi-value" data-testid={testId}>{value}</div>
      {hint ? <div class="kpi-hint">{hint}</div> : null}
    </div>
  );
}
