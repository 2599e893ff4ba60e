// One endpoint, with Studio's tabs: Details (URIs, keys, traffic, deployments), Test, Logs, Monitoring,
// Comparison (mirrored answers against live ones) and Rollout (a progressive rollout's steps and gates).
import type { DeploymentView, EndpointView } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import { usePoll } from '../use-poll.js';
import { ENDPOINT_TABS, hrefOf, type EndpointTab } from '../route.js';
import { StatusPill } from '../components/status-pill.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { DetailsTab } from './details-tab.js';
import { TestTab } from './test-tab.js';
import { LogsTab } from './logs-tab.js';
import { MonitoringTab } from './monitoring-tab.js';
import { ComparisonTab } from './comparison-tab.js';
import { RolloutTab } from './rollout-tab.js';

export interface EndpointData {
  endpoint: EndpointView;
  deployments: DeploymentView[];
}

export function EndpointPage(props: SignedIn & { name: string; tab: EndpointTab }) {
  const { client, name, tab, onUnauthorized } = props;
  const data = usePoll<EndpointData>(async () => {
    try {
      const [endpoint, deployments] = await Promise.all([client.getEndpoint(name), client.listDeployments(name)]);
      return { endpoint, deployments: deployments.sort((a, b) => a.name.localeCompare(b.name)) };
    } catch (e) { onUnauthorized(e); throw e; }
  }, 4000, [client, name]);
  const ep = data.data?.endpoint;

  return (
    <section class="page" aria-labelledby="endpoint-title">
      <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="#/endpoints">Endpoints</a> <span aria-hidden="true">/</span> <span aria-current="page">{name}</span></nav>
      <div class="page-head">
        <div>
          <h1 id="endpoint-title">{name} {ep ? <StatusPill state={ep.provisioning_state} /> : null}</h1>
          {ep ? <p class="muted">{ep.description || 'No description.'} · auth <code>{ep.auth_mode}</code> · {data.data!.deployments.length} deployment{data.data!.deployments.length === 1 ? '' : 's'}</p> : null}
        </div>
      </div>
      <nav class="tabs" aria-label="Endpoint sections">
        {ENDPOINT_TABS.map((t) => (
          <a key={t.id} class="tab" href={hrefOf({ page: 'endpoint', name, tab: t.id })} aria-current={t.id === tab ? 'page' : undefined}>{t.label}</a>
        ))}
      </nav>
      {data.error ? <ErrorNotice message={data.error} /> : null}
      {!data.data ? (data.error ? null : <Loading what={`endpoint ${name}`} />) : (
        <div class="tab-panel">
          {tab === 'details' ? <DetailsTab {...props} data={data.data} reload={data.reload} /> : null}
          {tab === 'test' ? <TestTab {...props} data={data.data} /> : null}
          {tab === 'logs' ? <LogsTab {...props} data={data.data} /> : null}
          {tab === 'monitoring' ? <MonitoringTab {...props} data={data.data} /> : null}
          {tab === 'comparison' ? <ComparisonTab {...props} data={data.data} /> : null}
          {tab === 'rollout' ? <RolloutTab {...props} data={data.data} /> : null}
        </div>
      )}
    </section>
  );
}
