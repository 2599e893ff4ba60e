// Deployments with their instances: state, instance type and count, model, environment, and each
// instance's state, restarts and age.
import type { DeploymentView, EndpointView } from '../../sdk/types.js';
import { StatusPill } from '../components/status-pill.js';
import { age } from '../time-format.js';

function environmentOf(d: DeploymentView): string {
  if (typeof d.environment === 'string') return d.environment;
  const env = d.environment as { image?: string };
  return env?.image ? `inline (${env.image})` : 'inline';
}

export function DeploymentsTable({ deployments, endpoint }: { deployments: DeploymentView[]; endpoint: EndpointView }) {
  return (
    <section class="card card-wide" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments</h2>
      {deployments.length === 0 ? <p class="muted">None yet.</p> : (
        <div class="table-wrap">
          <table class="table deployments-table">
            <thead>
              <tr>
                <th scope="col">Deployment</th><th scope="col">State</th><th scope="col">Traffic</th><th scope="col">Instance type</th>
                <th scope="col">Instances</th><th scope="col">Model</th><th scope="col">Environment</th>
              </tr>
            </thead>
            {deployments.map((d) => {
              const ready = d.instances.filter((i) => i.state === 'Ready').length;
              const live = endpoint.traffic?.[d.name] ?? 0;
              const mirror = endpoint.mirror_traffic?.[d.name] ?? 0;
              return (
                <tbody key={d.name} data-deployment={d.name}>
                  <tr class="group-row">
                    <th scope="row">{d.name}{d.error ? <div class="text-bad small">{d.error.code}: {d.error.message}</div> : null}</th>
                    <td><StatusPill state={d.provisioning_state} /></td>
                    <td>{mirror ? `mirror ${mirror}%` : `${live}%`}</td>
                    <td>{d.instance_type ?? '—'}</td>
                    <td>{ready} ready of {d.instance_count ?? d.instances.length}</td>
                    <td><code class="small">{d.model ?? '—'}</code></td>
                    <td><code class="small">{environmentOf(d)}</code></td>
                  </tr>
                  {d.instances.map((i) => (
                    <tr key={i.name} class="sub-row" data-instance={i.name}>
                      <td class="indent"><span class="muted small">instance</span> <code class="small">{i.name}</code></td>
                      <td><StatusPill state={i.state} /></td>
                      <td colSpan={2} class="small">restarts <strong>{i.restarts}</strong></td>
                      <td class="small" colSpan={3}>up <time dateTime={i.started_at}>{age(i.started_at)}</time>{i.pid ? <span class="muted"> · pid {i.pid}</span> : null}</td>
                    </tr>
                  ))}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
    </section>
  );
}
