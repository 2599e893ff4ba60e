// Test: choose a deployment (required, as in Studio), paste a JSON request or load the deployment's
// sample from its swagger.json, send it, and see the answer, status, latency and headers. The control
// plane sends it through the gateway with the endpoint's credential (POST .../invoke), so the page
// never holds a key.
import { useState } from 'preact/hooks';
import type { InvokeAnswer } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { messageOf } from '../api.js';
import { sampleFromSwagger } from '../swagger-sample.js';
import { HttpStatusPill } from '../components/status-pill.js';
import { ErrorNotice, InfoNotice } from '../components/notice.js';

function pretty(body: string): string {
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

export function TestTab({ client, can, onUnauthorized, data }: SignedIn & { data: EndpointData }) {
  const { endpoint, deployments } = data;
  const [deployment, setDeployment] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [answer, setAnswer] = useState<InvokeAnswer | null>(null);

  if (!can.invoke) {
    return <InfoNotice>Your role ({can.role}) cannot call this endpoint from the console: it uses the endpoint's key. Contributors and Owners can.</InfoNotice>;
  }

  const loadSample = async () => {
    setFormError(null);
    setNote(null);
    if (!deployment) { setFormError('Choose a deployment first: the sample comes from its swagger.json.'); return; }
    setBusy(true);
    try {
      const res = await client.invokeEndpoint(endpoint.name, { deployment, path: 'swagger.json' });
      let sample: string | null = null;
      if (res.status === 200) { try { sample = sampleFromSwagger(JSON.parse(res.body)); } catch { sample = null; } }
      if (sample) { setBody(sample); setNote(`Loaded the sample input of ${deployment}'s swagger.json.`); }
      else setNote(res.status === 200 ? `${deployment}'s swagger.json has no example input: paste a request.` : `${deployment} publishes no swagger.json (HTTP ${res.status}): paste a request.`);
    } catch (e) { onUnauthorized(e); setFormError(messageOf(e)); }
    setBusy(false);
  };

  const send = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    if (!deployment) { setFormError('Choose a deployment to test.'); return; }
    try { JSON.parse(body); } catch (err) { setFormError(`The request is not valid JSON: ${messageOf(err)}`); return; }
    setBusy(true);
    try {
      setAnswer(await client.invokeEndpoint(endpoint.name, { deployment, body }));
    } catch (err) { onUnauthorized(err); setFormError(messageOf(err)); }
    setBusy(false);
  };

  return (
    <div class="grid grid-2">
      <section class="card" aria-labelledby="test-title">
        <h2 id="test-title">Request</h2>
        <form class="form" onSubmit={send} noValidate>
          <label for="test-deployment">Deployment</label>
          <select id="test-deployment" required value={deployment} onChange={(e) => { setDeployment((e.target as HTMLSelectElement).value); setFormError(null); }}>
            <option value="">Choose a deployment…</option>
            {deployments.map((d) => <option key={d.name} value={d.name}>{d.name} ({d.provisioning_state})</option>)}
          </select>
          <div class="label-row">
            <label for="test-body">Request body (JSON)</label>
            <button type="button" class="btn btn-small" onClick={loadSample} disabled={busy}>Load sample</button>
          </div>
          <textarea id="test-body" class="mono" rows={12} spellcheck={false} value={body}
            placeholder={'{"data": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]}'} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
          {note ? <p class="help" role="status">{note}</p> : null}
          {formError ? <p class="form-error" role="alert">{formError}</p> : null}
          <p class="help">Sent to <code>{endpoint.scoring_uri}</code> with <code>azureml-model-deployment: {deployment || '…'}</code> and the endpoint's {endpoint.auth_mode === 'aml_token' ? 'token' : 'key'}, by the server on your behalf (recorded in the audit log).</p>
          <div class="actions-row"><button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Sending…' : 'Test'}</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="answer-title" aria-live="polite">
        <h2 id="answer-title">Response</h2>
        {!answer ? <p class="muted">Send a request to see the answer here.</p> : (
          <div class="stack" data-testid="test-answer">
            <div class="answer-meta">
              <span>Status <HttpStatusPill status={answer.status} /></span>
              <span>Latency <strong data-testid="latency">{answer.latency_ms.toFixed(1)} ms</strong></span>
              {answer.headers['azureml-model-deployment'] ? <span>Served by <strong>{answer.headers['azureml-model-deployment']}</strong></span> : null}
            </div>
            <pre class="code answer-body" data-testid="answer-body"><code>{pretty(answer.body)}</code></pre>
            {answer.truncated ? <ErrorNotice message="The answer is longer than 1 MiB; only its start is shown." /> : null}
            <details>
              <summary>Response headers ({Object.keys(answer.headers).length})</summary>
              <table class="table compact"><tbody>
                {Object.entries(answer.headers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{v}</code></td></tr>)}
              </tbody></table>
            </details>
          </div>
        )}
      </section>
    </div>
  );
}
