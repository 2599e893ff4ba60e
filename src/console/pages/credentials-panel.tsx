// Keys of a key-auth endpoint (shown on demand, copy, regenerate), or how to get a token for an
// aml_token endpoint. Readers see neither: their role cannot list keys or mint tokens.
import { useState } from 'preact/hooks';
import type { EndpointKeys, EndpointView, KeyType } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import { messageOf } from '../api.js';
import { CopyButton } from '../components/copy-button.js';
import { ConfirmDialog } from '../components/dialog.js';
import { ErrorNotice, InfoNotice } from '../components/notice.js';

export function CredentialsPanel({ client, can, onUnauthorized, endpoint }: SignedIn & { endpoint: EndpointView }) {
  const tokenMode = endpoint.auth_mode === 'aml_token';
  return (
    <section class="card" aria-labelledby="credentials-title">
      <h2 id="credentials-title">{tokenMode ? 'Tokens' : 'Keys'}</h2>
      {tokenMode ? <TokenHelp name={endpoint.name} canGet={can.getToken} /> : can.listKeys
        ? <Keys client={client} can={can} onUnauthorized={onUnauthorized} endpoint={endpoint} />
        : <InfoNotice>Your role ({can.role}) cannot see this endpoint's keys. Contributors and Owners can.</InfoNotice>}
    </section>
  );
}

function TokenHelp({ name, canGet }: { name: string; canGet: boolean }) {
  return (
    <div class="prose">
      <p>This endpoint takes expiring tokens (<code>aml_token</code>), not keys. Clients get one, send it as
        <code>Authorization: Bearer &lt;token&gt;</code>, and get a new one when <code>refreshAfterTimeUtc</code> has passed.</p>
      {canGet ? (
        <>
          <p>With the CLI:</p>
          <pre class="code"><code>{`switchyard online-endpoint get-credentials -n ${name} -o tsv --query accessToken`}</code></pre>
          <p>With the REST API (a Contributor's or Owner's control-plane token):</p>
          <pre class="code"><code>{`curl -s -X POST "$SWITCHYARD_URL/api/v1/endpoints/${name}/token" -H "Authorization: Bearer $SWITCHYARD_TOKEN"`}</code></pre>
        </>
      ) : <InfoNotice>Your role cannot get tokens for this endpoint. Contributors and Owners can.</InfoNotice>}
    </div>
  );
}

function Keys({ client, can, onUnauthorized, endpoint }: SignedIn & { endpoint: EndpointView }) {
  const [keys, setKeys] = useState<EndpointKeys | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [regenerate, setRegenerate] = useState<KeyType | null>(null);

  const show = async () => {
    setBusy(true);
    setError(null);
    try { setKeys(await client.listKeys(endpoint.name)); } catch (e) { onUnauthorized(e); setError(messageOf(e)); }
    setBusy(false);
  };
  const confirmRegenerate = async () => {
    if (!regenerate) return;
    setBusy(true);
    try {
      // A key endpoint answers its keys (an aml_token endpoint would answer a new token instead).
      const answer = await client.regenerateKeys(endpoint.name, regenerate);
      if ('primaryKey' in answer) setKeys(answer);
      setRegenerate(null);
    } catch (e) { onUnauthorized(e); setError(messageOf(e)); setRegenerate(null); }
    setBusy(false);
  };

  return (
    <div>
      {error ? <ErrorNotice message={error} /> : null}
      {!keys ? (
        <div class="stack">
          <p class="muted">Clients send a key as <code>Authorization: Bearer &lt;key&gt;</code>. Showing the keys is recorded in the audit log.</p>
          <div><button type="button" class="btn" onClick={show} disabled={busy}>Show keys</button></div>
        </div>
      ) : (
        <dl class="facts">
          {(['primary', 'secondary'] as const).map((type) => {
            const value = type === 'primary' ? keys.primaryKey : keys.secondaryKey;
            return [
              <dt key={`${type}-t`}>{type === 'primary' ? 'Primary key' : 'Secondary key'}</dt>,
              <dd key={`${type}-d`} class="uri">
                <code class="secret" data-testid={`${type}-key`}>{value}</code>
                <CopyButton value={value} label={`${type} key`} />
                {can.regenerateKeys ? <button type="button" class="btn btn-small" onClick={() => setRegenerate(type)}>Regenerate</button> : null}
              </dd>,
            ];
          })}
        </dl>
      )}
      <ConfirmDialog title={`Regenerate the ${regenerate ?? ''} key?`} open={regenerate !== null} busy={busy} confirmLabel="Regenerate key"
        onConfirm={confirmRegenerate} onClose={() => setRegenerate(null)}
        message={<p>Clients using the current {regenerate} key are refused as soon as the new one is made. The other key keeps working.</p>} />
    </div>
  );
}
