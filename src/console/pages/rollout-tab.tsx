// Rollout (issue 13's REST resource, docs/rollout.md): the endpoint's newest rollout at a glance, as the
// Argo Rollouts dashboard shows one: its steps (done, current with bake time, to come), each gate's value
// against its threshold with the verdict, why it stopped, and its history; Contributors and Owners can
// pause, resume, abort and promote it.
import { useState } from 'preact/hooks';
import type { GateResult, RolloutView } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { messageOf } from '../api.js';
import { SwitchyardError } from '../../errors.js';
import { usePoll } from '../use-poll.js';
import { StatusPill } from '../components/status-pill.js';
import { ConfirmDialog } from '../components/dialog.js';
import { ErrorNotice, InfoNotice, Loading } from '../components/notice.js';
import { age, dateTime } from '../time-format.js';
import { actionsFor, durationMs, stepLabel, type RolloutAction } from '../rollout-steps.js';

const STATE_TONE: Record<string, string> = { Progressing: 'busy', Paused: 'warn', Succeeded: 'ok', RolledBack: 'bad', Aborted: 'muted' };
const VERDICT_TONE: Record<string, string> = { pass: 'ok', fail: 'bad', pending: 'busy', not_applicable: 'muted' };

const fmt = (v: number | null): string => (v === null ? '—' : Number(v.toPrecision(3)).toString());

export function RolloutTab({ client, can, onUnauthorized, data }: SignedIn & { data: EndpointData }) {
  const { endpoint } = data;
  const rollout = usePoll<RolloutView | null>(async () => {
    try { return await client.getRollout(endpoint.name); } catch (e) {
      onUnauthorized(e);
      if (e instanceof SwitchyardError && e.code === 'RolloutNotFound') return null;
      throw e;
    }
  }, 3000, [client, endpoint.name]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmAbort, setConfirmAbort] = useState(false);

  const act = async (action: RolloutAction) => {
    setBusy(true);
    setError(null);
    try { await client.rolloutAction(endpoint.name, action); await rollout.reload(); } catch (e) { onUnauthorized(e); setError(messageOf(e)); }
    setBusy(false);
    setConfirmAbort(false);
  };

  if (rollout.data === undefined) return rollout.error ? <ErrorNotice message={rollout.error} /> : <Loading what="the rollout" />;
  if (rollout.data === null) {
    return (
      <InfoNotice>
        No rollout on this endpoint yet. Start one with <code>switchyard rollout start --endpoint {endpoint.name} --candidate NAME [-f policy.yml]</code>:
        it mirrors a share of traffic to the candidate, then gives it growing shares of live traffic while gates on its error rate and latency hold.
      </InfoNotice>
    );
  }
  const r = rollout.data;
  const { status, spec } = r;
  const actions = can.rollouts ? actionsFor(status.state) : [];
  return (
    <div class="stack">
      {rollout.error ? <ErrorNotice message={rollout.error} /> : null}
      {error ? <ErrorNotice message={error} /> : null}
      <section class="card" aria-labelledby="rollout-title">
        <div class="card-head">
          <h2 id="rollout-title">Rollout of {spec.candidate} <StatusPill state={status.state} tone={STATE_TONE[status.state]} /></h2>
          {actions.length ? (
            <div class="actions-row" role="group" aria-label="Rollout actions">
              {actions.map((a) => (
                <button key={a} type="button" class={`btn btn-small${a === 'abort' ? ' btn-danger-outline' : a === 'promote' ? ' btn-primary' : ''}`} disabled={busy}
                  onClick={() => (a === 'abort' ? setConfirmAbort(true) : void act(a))}>{a[0]!.toUpperCase() + a.slice(1)}</button>
              ))}
            </div>
          ) : null}
        </div>
        <p class="muted">Step {r.current_step} · baseline {Object.entries(spec.baseline).map(([d, p]) => `${d} ${p}%`).join(', ')} · started by {spec.started_by} {age(r.created_at)} ago
          · traffic now {Object.entries(r.routing.traffic).filter(([, p]) => p > 0).map(([d, p]) => `${d} ${p}%`).join(', ') || 'none'}
          {Object.keys(r.routing.mirror_traffic).length ? ` · mirror ${Object.entries(r.routing.mirror_traffic).map(([d, p]) => `${d} ${p}%`).join(', ')}` : ''}</p>
        {status.reason ? <div class={`notice ${status.state === 'RolledBack' ? 'notice-error' : 'notice-info'}`} role="status">{status.reason.message}</div> : null}
        <ol class="steps" aria-label="Steps">
          {spec.policy.steps.map((step, i) => {
            const done = i < status.step || status.state === 'Succeeded';
            const current = i === status.step && status.state !== 'Succeeded';
            const total = durationMs(step.duration);
            const bake = current && total ? Math.min(100, Math.round((status.bake_ms / total) * 100)) : null;
            return (
              <li key={i} class={`step ${done ? 'step-done' : current ? 'step-current' : 'step-todo'}`} aria-current={current ? 'step' : undefined}>
                <span class="step-dot" aria-hidden="true">{done ? '✓' : i + 1}</span>
                <span class="step-label">{stepLabel(step)}</span>
                {bake !== null ? <span class="step-bake"><progress max={100} value={bake} aria-label={`Bake time of step ${i + 1}`} /> {bake}%</span> : null}
                <span class="sr-only">{done ? 'done' : current ? 'current step' : 'to come'}</span>
              </li>
            );
          })}
        </ol>
      </section>
      <section class="card" aria-labelledby="gates-title">
        <h2 id="gates-title">Gates</h2>
        {status.window ? <p class="muted small">Window {dateTime(status.window.from)} – {dateTime(status.window.to)}: {status.window.candidate_requests} candidate and {status.window.baseline_requests} baseline requests{status.last_evaluated_at ? ` · evaluated ${age(status.last_evaluated_at)} ago` : ''}.</p> : null}
        <div class="table-wrap">
          <table class="table" data-testid="gates">
            <thead><tr><th scope="col">Gate</th><th scope="col">Value</th><th scope="col">Threshold</th><th scope="col">Verdict</th><th scope="col">Detail</th></tr></thead>
            <tbody>
              {status.gates.length === 0 ? <tr><td colSpan={5} class="muted">Not evaluated yet: gates are evaluated every {spec.policy.interval}.</td></tr> : null}
              {status.gates.map((g: GateResult) => (
                <tr key={g.gate}>
                  <th scope="row"><code class="small">{g.gate}</code></th>
                  <td>{fmt(g.value)}</td>
                  <td>{g.gate.startsWith('min_') ? '≥ ' : g.gate === 'latency_mann_whitney' ? 'p ≥ ' : '≤ '}{fmt(g.threshold)}</td>
                  <td><StatusPill state={g.verdict.replace('_', ' ')} tone={VERDICT_TONE[g.verdict]} /></td>
                  <td class="small">{g.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <div class="table-wrap">
          <table class="table compact">
            <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Step</th><th scope="col">By</th><th scope="col">Message</th></tr></thead>
            <tbody>
              {[...status.history].reverse().map((h, i) => (
                <tr key={`${h.at}-${i}`}><td>{dateTime(h.at)}</td><td><code class="small">{h.event}</code></td><td>{h.step + 1}</td><td>{h.by}</td><td class="small">{h.message}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <ConfirmDialog title="Abort the rollout?" open={confirmAbort} busy={busy} confirmLabel="Abort rollout" onConfirm={() => void act('abort')} onClose={() => setConfirmAbort(false)}
        message={<p>The baseline gets its traffic back at once and the candidate's mirror stops. The candidate deployment is kept.</p>} />
    </div>
  );
}
