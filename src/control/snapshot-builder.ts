// Store contents + instance states → RoutingSnapshot (src/gateway/snapshot.ts). Pure: the gateway's
// whole view of the world is decided here, and tested as a table. Endpoints and deployments being
// deleted are left out, so the gateway stops routing to them first; only Ready instances are listed.
import type { RoutableInstance } from '../runtime/backend.js';
import type { DeploymentRoute, EndpointRoute, RoutingSnapshot } from '../gateway/snapshot.js';
import type { DeploymentRecord, EndpointRecord } from '../store/store.js';
import { hashKey } from '../store/credentials.js';

export interface SnapshotInput {
  version: number;
  endpoints: readonly EndpointRecord[];
  deployments: readonly DeploymentRecord[];
  /** With `secret` where the backend gives instances one (RoutableInstance). */
  instances: (endpoint: string, deployment: string) => readonly RoutableInstance[];
}

export const DEFAULT_SCORE_PATH = '/score';
export const DEFAULT_SWAGGER_PATH = '/swagger.json';

export function buildSnapshot(input: SnapshotInput): RoutingSnapshot {
  // Deployments grouped by endpoint once: scanning all of them for each endpoint made a snapshot of
  // 500 deployments on 50 endpoints cost 25,000 visits (B5, issue 16).
  const byEndpoint = new Map<string, DeploymentRecord[]>();
  for (const dep of input.deployments) {
    if (dep.provisioning_state === 'Deleting') continue;
    const list = byEndpoint.get(dep.spec.endpoint_name);
    if (list) list.push(dep);
    else byEndpoint.set(dep.spec.endpoint_name, [dep]);
  }
  const endpoints: Record<string, EndpointRoute> = {};
  for (const ep of input.endpoints) {
    if (ep.provisioning_state === 'Deleting') continue;
    const name = ep.spec.name;
    const deployments: Record<string, DeploymentRoute> = {};
    for (const dep of byEndpoint.get(name) ?? []) {
      deployments[dep.spec.name] = deploymentRoute(dep, input.instances(name, dep.spec.name));
    }
    const traffic = Object.entries(ep.spec.traffic)
      .filter(([d, w]) => w > 0 && d in deployments)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([deployment, weight]) => ({ deployment, weight }));
    const mirrorEntry = Object.entries(ep.spec.mirror_traffic).find(([d, p]) => p > 0 && d in deployments);
    // Extensions (docs/shadow-evaluation.md): shadows and the sticky split.
    const shadows = Object.entries(ep.spec.shadow_traffic ?? {})
      .filter(([d, p]) => p > 0 && d in deployments)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([deployment, percent]) => ({ deployment, percent }));
    endpoints[name] = {
      name,
      authMode: ep.spec.auth_mode,
      keyHashes: [hashKey(ep.keys.primaryKey), hashKey(ep.keys.secondaryKey)],
      tokenSecret: ep.token_secret,
      traffic,
      mirror: mirrorEntry ? { deployment: mirrorEntry[0], percent: mirrorEntry[1] } : null,
      ...(shadows.length > 0 ? { shadows } : {}),
      ...(ep.spec.sticky_header ? { stickyHeader: ep.spec.sticky_header.toLowerCase() } : {}),
      ...((ep.spec.shadow_compare?.calibrate_percent ?? 0) > 0 ? { calibratePercent: ep.spec.shadow_compare!.calibrate_percent } : {}),
      deployments,
      publicNetworkAccess: ep.spec.public_network_access === 'disabled' ? 'disabled' : 'enabled',
    };
  }
  return { version: input.version, endpoints };
}

function deploymentRoute(dep: DeploymentRecord, instances: readonly RoutableInstance[]): DeploymentRoute {
  const spec = dep.spec;
  return {
    name: spec.name,
    requestTimeoutMs: spec.request_settings.request_timeout_ms,
    maxConcurrentPerInstance: spec.request_settings.max_concurrent_requests_per_instance,
    instanceCount: spec.instance_count,
    instances: instances
      .filter((i): i is RoutableInstance & { url: string } => i.state === 'Ready' && typeof i.url === 'string' && i.url !== '')
      .map((i) => (i.secret ? { name: i.name, url: i.url, secret: i.secret } : { name: i.name, url: i.url }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    scorePath: spec.environment.inference_config?.scoring_route?.path ?? DEFAULT_SCORE_PATH,
    swaggerPath: DEFAULT_SWAGGER_PATH,
  };
}
