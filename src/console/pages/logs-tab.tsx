// Logs: the last lines of a deployment's inference-server (per instance, or all merged) or
// storage-initializer log, refreshed every two seconds while "Follow" is on.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LogContainer } from '../../sdk/types.js';
import type { SignedIn } from '../app.js';
import type { EndpointData } from './endpoint-page.js';
import { usePoll } from '../use-poll.js';
import { linesOfInstance } from '../log-lines.js';
import { ErrorNotice, InfoNotice } from '../components/notice.js';

const LINE_CHOICES = [100, 500, 2000];


export function LogsTab({ client, can, onUnauthorized, data }: SignedIn & { data: EndpointData }) {
  const { endpoint, deployments } = data;
  const [deployment, setDeployment] = useState(deployments[0]?.name ?? '');
  const [container, setContainer] = useState<LogContainer>('inference-server');
  const [instance, setInstance] = useState('');
  const [lines, setLines] = useState(500);
  const [follow, setFollow] = useState(true);
  const pre = useRef<HTMLPreElement>(null);

  const logs = usePoll(async () => {
    if (!can.readLogs || !deployment) return '';
    try { return await client.getLogs(endpoint.name, deployment, { lines, container }); } catch (e) { onUnauthorized(e); throw e; }
  }, follow ? 2000 : null, [client, endpoint.name, deployment, container, lines, follow, can.readLogs]);

  const shown = container === 'inference-server' ? linesOfInstance(logs.data ?? '', instance) : logs.data ?? '';
  useEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [shown, follow]);

  if (!can.readLogs) return <InfoNotice>Your role ({can.role}) cannot read logs: they may hold whatever a scoring script prints. Contributors and Owners can.</InfoNotice>;
  if (!deployments.length) return <p class="muted">No deployments, so no logs yet.</p>;
  const instances = deployments.find((d) => d.name === deployment)?.instances ?? [];

  return (
    <section class="card card-wide" aria-labelledby="logs-title">
      <h2 id="logs-title" class="sr-only">Logs</h2>
      <div class="toolbar">
        <div class="field">
          <label for="logs-deployment">Deployment</label>
          <select id="logs-deployment" value={deployment} onChange={(e) => { setDeployment((e.target as HTMLSelectElement).value); setInstance(''); }}>
            {deployments.map((d) => <option key={d.name} value={d.name}>{d.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="logs-container">Container</label>
          <select id="logs-container" value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value as LogContainer)}>
            <option value="inference-server">inference-server</option>
            <option value="storage-initializer">storage-initializer</option>
          </select>
        </div>
        <div class="field">
          <label for="logs-instance">Instance</label>
          <select id="logs-instance" value={instance} disabled={container !== 'inference-server'} onChange={(e) => setInstance((e.target as HTMLSelectElement).value)}>
            <option value="">All instances</option>
            {instances.map((i) => <option key={i.name} value={i.name}>{i.name} ({i.state})</option>)}
          </select>
        </div>
        <div class="field">
          <label for="logs-lines">Lines</label>
          <select id="logs-lines" value={String(lines)} onChange={(e) => setLines(Number((e.target as HTMLSelectElement).value))}>
            {LINE_CHOICES.map((n) => <option key={n} value={String(n)}>{n}</option>)}
          </select>
        </div>
        <label class="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow</label>
        <button type="button" class="btn btn-small" onClick={() => void logs.reload()}>Refresh</button>
      </div>
      {logs.error ? <ErrorNotice message={logs.error} /> : null}
      <pre class="log" ref={pre} tabIndex={0} aria-label={`Log of ${deployment}, ${container}`} data-testid="log">{shown || (logs.data === undefined ? 'Loading…' : 'No lines yet.')}</pre>
    </section>
  );
}
