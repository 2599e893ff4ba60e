// Endpoints: the list (name, state, auth mode, traffic, deployments, created), create and delete.
import { useState } from 'preact/hooks';
import type { EndpointView } from '../../sdk/types.js';
import type { AuthMode } from '../../spec/types.js';
import type { SignedIn } from '../app.js';
import { messageOf } from '../api.js';
import { usePoll } from '../use-poll.js';
import { StatusPill } from '../components/status-pill.js';
import { ConfirmDialog, Dialog } from '../components/dialog.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { age, dateTime } from '../time-format.js';
import { deploymentNames, liveSummary, mirrorSummary } from '../traffic-summary.js';
import { hrefOf } from '../route.js';

export function EndpointsPage({ client, can, onUnauthorized }: SignedIn) {
  const list = usePoll(async () => {
    try { return await client.listEndpoints(); } catch (e) { onUnauthorized(e); throw e; }
  }, 5000, [client]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<EndpointView | null>(null);
  const endpoints = list.data ? [...list.data].sort((a, b) => a.name.localeCompare(b.name)) : undefined;

  return (
    <section class="page" aria-labelledby="endpoints-title">
      <div class="page-head">
        <div>
          <h1 id="endpoints-title">Endpoints</h1>
          <p class="muted">Online endpoints of this server, their deployments and how traffic is split between them.</p>
        </div>
        {can.createEndpoint ? <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>Create endpoint</button> : null}
      </div>
      {list.error ? <ErrorNotice message={list.error} /> : null}
      {!endpoints ? (list.error ? null : <Loading what="endpoints" />) : endpoints.length === 0 ? (
        <div class="empty">
          <h2>No endpoints yet</h2>
          <p>{can.createEndpoint ? 'Create one here, or' : 'Ask a Contributor to create one, or'} run <code>switchyard online-endpoint create -n NAME -f endpoint.yml</code>.</p>
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table" aria-labelledby="endpoints-title">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">State</th><th scope="col">Auth mode</th><th scope="col">Traffic</th>
                <th scope="col">Deployments</th><th scope="col">Created</th>{can.deleteEndpoint ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => {
                const deployments = deploymentNames(e);
                const mirror = mirrorSummary(e);
                return (
                  <tr key={e.name} data-endpoint={e.name}>
                    <th scope="row"><a href={hrefOf({ page: 'endpoint', name: e.name, tab: 'details' })}>{e.name}</a>
                      {e.description ? <div class="muted small">{e.description}</div> : null}</th>
                    <td><StatusPill state={e.provisioning_state} /></td>
                    <td><code>{e.auth_mode}</code></td>
                    <td data-cell="traffic">{liveSummary(e)}{mirror ? <div class="muted small">{mirror}</div> : null}</td>
                    <td>{deployments.length ? deployments.join(', ') : <span class="muted">none</span>}</td>
                    <td><time dateTime={e.properties.createdAt} title={dateTime(e.properties.createdAt)}>{age(e.properties.createdAt)} ago</time></td>
                    {can.deleteEndpoint ? (
                      <td class="actions">
                        <button type="button" class="btn btn-small btn-danger-outline" disabled={e.provisioning_state === 'Deleting'}
                          onClick={() => setDeleting(e)} aria-label={`Delete endpoint ${e.name}`}>Delete</button>
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating ? <CreateEndpointDialog signedIn={{ client, can, onUnauthorized }} onDone={() => { setCreating(false); void list.reload(); }} /> : null}
      {deleting ? <DeleteEndpointDialog signedIn={{ client, can, onUnauthorized }} endpoint={deleting} onDone={() => { setDeleting(null); void list.reload(); }} /> : null}
    </section>
  );
}

function CreateEndpointDialog({ signedIn, onDone }: { signedIn: SignedIn; onDone: () => void }) {
  const [name, setName] = useState('');
  const [authMode, setAuthMode] = useState<AuthMode>('key');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signedIn.client.createEndpoint({ name: name.trim(), auth_mode: authMode, ...(description.trim() ? { description: description.trim() } : {}) });
      onDone();
    } catch (err) {
      signedIn.onUnauthorized(err);
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create endpoint" open onClose={onDone}>
      <form class="form" onSubmit={submit}>
        <label for="ep-name">Name</label>
        <input id="ep-name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)}
          aria-describedby="ep-name-help" autoComplete="off" spellcheck={false} />
        <p id="ep-name-help" class="help">3–32 characters: letters, digits and hyphens, starting with a letter.</p>
        <label for="ep-auth">Auth mode</label>
        <select id="ep-auth" value={authMode} onChange={(e) => setAuthMode((e.target as HTMLSelectElement).value as AuthMode)}>
          <option value="key">key: two endpoint keys</option>
          <option value="aml_token">aml_token: expiring tokens</option>
        </select>
        <label for="ep-description">Description <span class="muted">(optional)</span></label>
        <textarea id="ep-description" rows={2} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onDone}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>{busy ? 'Creating…' : 'Create'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteEndpointDialog({ signedIn, endpoint, onDone }: { signedIn: SignedIn; endpoint: EndpointView; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deployments = deploymentNames(endpoint);
  const confirm = async () => {
    setBusy(true);
    try {
      await signedIn.client.deleteEndpoint(endpoint.name);
      onDone();
    } catch (err) {
      signedIn.onUnauthorized(err);
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog title={`Delete endpoint ${endpoint.name}?`} open busy={busy} error={error} confirmLabel="Delete endpoint" onConfirm={confirm} onClose={onDone}
      message={<p>The endpoint stops answering at once{deployments.length ? <>, and its {deployments.length === 1 ? 'deployment' : `${deployments.length} deployments`} ({deployments.join(', ')}) are deleted with it</> : null}. This cannot be undone.</p>} />
  );
}
