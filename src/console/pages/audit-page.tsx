// Audit (Owners): who did what, when, and how it ended, newest first; and the denied attempts (401, 403,
// 429), which the server counts apart per minute, source, principal and action.
import { useState } from 'preact/hooks';
import type { SignedIn } from '../app.js';
import { usePoll } from '../use-poll.js';
import { StatusPill } from '../components/status-pill.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { dateTime } from '../time-format.js';

const LIMIT = 200;

export function AuditPage({ client, onUnauthorized }: SignedIn) {
  const audit = usePoll(async () => {
    try { return await client.listAudit(LIMIT); } catch (e) { onUnauthorized(e); throw e; }
  }, 10000, [client]);
  const denied = usePoll(async () => {
    try { return await client.listDeniedAttempts(LIMIT); } catch (e) { onUnauthorized(e); throw e; }
  }, 10000, [client]);
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  const rows = (audit.data ?? []).filter((a) => !f || [a.principal, a.action, a.target, a.outcome, String(a.status), a.code ?? ''].some((v) => v.toLowerCase().includes(f)));

  return (
    <section class="page" aria-labelledby="audit-title">
      <div class="page-head">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p class="muted">Every change, key listing, token minting and denied request: who, what, when and how it ended. Bodies and secrets are never recorded.</p>
        </div>
        <div class="field">
          <label for="audit-filter">Filter</label>
          <input id="audit-filter" type="search" value={filter} placeholder="principal, action, target…" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      {audit.error ? <ErrorNotice message={audit.error} /> : null}
      {!audit.data ? (audit.error ? null : <Loading what="the audit log" />) : (
        <div class="table-wrap">
          <table class="table" aria-labelledby="audit-title">
            <thead><tr><th scope="col">When</th><th scope="col">Principal</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <td><time dateTime={a.at}>{dateTime(a.at)}</time></td>
                  <td>{a.principal}{a.role ? <span class="muted small"> ({a.role})</span> : null}</td>
                  <td><code class="small">{a.action}</code></td>
                  <td><code class="small">{a.target}</code></td>
                  <td><StatusPill state={a.outcome} tone={a.outcome === 'Succeeded' ? 'ok' : a.outcome === 'Denied' ? 'warn' : 'bad'} /></td>
                  <td>{a.status}{a.code ? <span class="muted small"> {a.code}</span> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <p class="muted">No entries{f ? ' match the filter' : ''}.</p> : null}
          <p class="muted small">The newest {LIMIT} entries. All of them: <code>switchyard audit list --limit 10000</code>.</p>
        </div>
      )}
      <h2 id="denied-title" class="spaced">Denied attempts</h2>
      <p class="muted">Requests refused for a missing, unknown, expired or insufficient token, or rate-limited, counted per minute and source.</p>
      {denied.error ? <ErrorNotice message={denied.error} /> : null}
      {!denied.data ? (denied.error ? null : <Loading what="denied attempts" />) : denied.data.length === 0 ? <p class="muted">None.</p> : (
        <div class="table-wrap">
          <table class="table" aria-labelledby="denied-title" data-testid="denied">
            <thead><tr><th scope="col">Minute</th><th scope="col">Source</th><th scope="col">Principal</th><th scope="col">Action</th><th scope="col">Reason</th><th scope="col">Count</th><th scope="col">Last</th></tr></thead>
            <tbody>
              {denied.data.filter((d) => !f || [d.principal, d.action, d.reason, d.source].some((v) => v.toLowerCase().includes(f))).map((d) => (
                <tr key={`${d.window}-${d.source}-${d.principal}-${d.action}-${d.reason}`}>
                  <td><time dateTime={d.window}>{dateTime(d.window)}</time></td>
                  <td><code class="small">{d.source}</code></td>
                  <td>{d.principal}</td>
                  <td><code class="small">{d.action}</code></td>
                  <td><StatusPill state={d.reason} tone={d.reason === 'forbidden' ? 'warn' : 'bad'} /> <span class="muted small">{d.status}</span></td>
                  <td>{d.count}</td>
                  <td><time dateTime={d.last_at}>{dateTime(d.last_at)}</time></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
