// "Update traffic": live, mirror and shadow (extension) percentages per deployment, checked against Azure's rules as the
// user types (traffic-draft.ts), with the exact PATCH body shown before it is sent. Readers see the
// split without the inputs.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DeploymentView, EndpointView } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import { messageOf } from '../api.js';
import { checkDraft, draftOf, type TrafficDraft } from '../traffic-draft.js';
import { ErrorNotice } from '../components/notice.js';
import { StatusPill } from '../components/status-pill.js';

type Kind = 'live' | 'mirror' | 'shadow';
const KINDS: readonly Kind[] = ['live', 'mirror', 'shadow'];
const LABELS: Record<Kind, string> = { live: 'Live', mirror: 'Mirror', shadow: 'Shadow' };
const currentOf = (c: { traffic: Record<string, number>; mirror: Record<string, number>; shadow: Record<string, number> }, kind: Kind) =>
  kind === 'live' ? c.traffic : kind === 'mirror' ? c.mirror : c.shadow;

export function TrafficEditor({ client, can, onUnauthorized, endpoint, deployments, reload }: SignedIn & {
  endpoint: EndpointView; deployments: DeploymentView[]; reload: () => Promise<void>;
}) {
  const names = useMemo(() => deployments.filter((d) => d.provisioning_state !== 'Deleting').map((d) => d.name), [deployments]);
  const current = useMemo(() => ({ traffic: endpoint.traffic ?? {}, mirror: endpoint.mirror_traffic ?? {}, shadow: endpoint.shadow_traffic ?? {} }), [endpoint]);
  const serverDraft = useMemo(() => draftOf(names, current.traffic, current.mirror, current.shadow), [names, current]);
  const [draft, setDraft] = useState<TrafficDraft>(serverDraft);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);

  // Follow the server while the user has not started editing.
  useEffect(() => { if (!dirty) setDraft(serverDraft); }, [serverDraft, dirty]);

  const check = useMemo(() => checkDraft(endpoint.name, names, current, draft), [endpoint.name, names, current, draft]);
  const editable = can.editTraffic;

  const set = (kind: Kind, name: string, value: string) => {
    setDirty(true);
    setResult(null);
    setDraft((d) => ({ ...d, [kind]: { ...d[kind], [name]: value } }));
  };

  const apply = async (e: Event) => {
    e.preventDefault();
    if (!check.patch || check.errors.length) return;
    setBusy(true);
    try {
      const answer = await client.updateEndpoint(endpoint.name, check.patch);
      await reload();
      setDirty(false);
      setResult({ ok: true, message: `Traffic updated (operation ${answer.operation.status.toLowerCase()}).` });
    } catch (err) {
      onUnauthorized(err);
      setResult({ ok: false, message: messageOf(err) });
    }
    setBusy(false);
  };

  if (names.length === 0) {
    return (
      <section class="card card-wide" aria-labelledby="traffic-title">
        <h2 id="traffic-title">Traffic</h2>
        <p class="muted">No deployments yet: create one with <code>switchyard online-deployment create</code>, then split traffic here.</p>
      </section>
    );
  }

  return (
    <section class="card card-wide" aria-labelledby="traffic-title">
      <div class="card-head">
        <h2 id="traffic-title">Traffic</h2>
        <span class="muted small">Live traffic adds up to 0 or 100. At most one deployment mirrors, at most 50%, and never one with live traffic. Shadows (a Switchyard extension) may be any number, 0–100% each.</span>
      </div>
      <form onSubmit={apply} aria-describedby="traffic-errors">
        <div class="table-wrap">
          <table class="table traffic-table">
            <thead><tr><th scope="col">Deployment</th><th scope="col">State</th><th scope="col">Live traffic</th><th scope="col">Mirror traffic</th><th scope="col" title="Switchyard extension: any number of shadows, each 0-100%, live deployments allowed">Shadow traffic <span class="muted small">(extension)</span></th></tr></thead>
            <tbody>
              {names.map((name) => {
                const dep = deployments.find((d) => d.name === name)!;
                return (
                  <tr key={name} data-deployment={name}>
                    <th scope="row">{name}</th>
                    <td><StatusPill state={dep.provisioning_state} /></td>
                    {KINDS.map((kind) => (
                      <td key={kind}>
                        {editable ? (
                          <span class="percent-input">
                            <input id={`${kind}-${name}`} type="text" inputMode="numeric" value={draft[kind]?.[name] ?? '0'}
                              aria-label={`${LABELS[kind]} traffic for ${name} (percent)`}
                              onInput={(e) => set(kind, name, (e.target as HTMLInputElement).value)} />
                            <span aria-hidden="true">%</span>
                          </span>
                        ) : <span data-testid={`${kind}-${name}`}>{currentOf(current, kind)[name] ?? 0}%</span>}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
            {editable ? (
              <tfoot><tr><th scope="row">Total live</th><td /><td class={check.liveTotal === 0 || check.liveTotal === 100 ? '' : 'text-bad'} data-testid="live-total">{check.liveTotal ?? '—'}%</td><td /><td /></tr></tfoot>
            ) : null}
          </table>
        </div>
        {editable ? (
          <>
            <div id="traffic-errors" aria-live="polite">
              {check.errors.length ? (
                <ul class="rule-errors" role="alert" data-testid="traffic-errors">{check.errors.map((m) => <li key={m}>{m}</li>)}</ul>
              ) : null}
            </div>
            {check.patch ? (
              <div class="change-preview">
                <p class="small muted">The change to send:</p>
                <pre class="code" data-testid="traffic-patch"><code>{`PATCH /api/v1/endpoints/${endpoint.name}\n${JSON.stringify(check.patch, null, 2)}`}</code></pre>
              </div>
            ) : !check.errors.length ? <p class="small muted">No change to send.</p> : null}
            {result ? (result.ok ? <p class="notice notice-ok" role="status">{result.message}</p> : <ErrorNotice message={result.message} />) : null}
            <div class="actions-row">
              <button type="button" class="btn" disabled={!dirty || busy} onClick={() => { setDirty(false); setDraft(serverDraft); setResult(null); }}>Reset</button>
              <button type="submit" class="btn btn-primary" disabled={busy || !check.patch || check.errors.length > 0}>{busy ? 'Updating…' : 'Update traffic'}</button>
            </div>
          </>
        ) : null}
      </form>
    </section>
  );
}
