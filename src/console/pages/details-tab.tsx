// Details: the endpoint's URIs, its credentials (keys for Contributors, or how to get a token), the
// traffic editor and the deployments with their instances.
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { CopyButton } from '../components/copy-button.js';
import { dateTime } from '../time-format.js';
import { CredentialsPanel } from './credentials-panel.js';
import { TrafficEditor } from './traffic-editor.js';
import { DeploymentsTable } from './deployments-table.js';

export function DetailsTab(props: SignedIn & { data: EndpointData; reload: () => Promise<void> }) {
  const { endpoint, deployments } = props.data;
  return (
    <div class="grid">
      <section class="card" aria-labelledby="attributes-title">
        <h2 id="attributes-title">Endpoint</h2>
        <dl class="facts">
          <dt>Scoring URI</dt>
          <dd class="uri"><code data-testid="scoring-uri">{endpoint.scoring_uri}</code> <CopyButton value={endpoint.scoring_uri} label="scoring URI" /></dd>
          <dt>Swagger URI</dt>
          <dd class="uri"><code>{endpoint.openapi_uri}</code> <CopyButton value={endpoint.openapi_uri} label="Swagger URI" /></dd>
          <dt>Auth mode</dt><dd><code>{endpoint.auth_mode}</code></dd>
          <dt>Kind</dt><dd>{endpoint.kind}</dd>
          <dt>Created</dt><dd>{dateTime(endpoint.properties.createdAt)}</dd>
          <dt>Last modified</dt><dd>{dateTime(endpoint.properties.lastModifiedAt)}</dd>
          <dt>ID</dt><dd><code class="small">{endpoint.id}</code></dd>
        </dl>
      </section>
      <CredentialsPanel {...props} endpoint={endpoint} />
      <TrafficEditor {...props} endpoint={endpoint} deployments={deployments} />
      <DeploymentsTable deployments={deployments} endpoint={endpoint} />
    </div>
  );
}
