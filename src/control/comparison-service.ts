// The comparison of an endpoint's shadows with its live answers, as a service: the REST route
// (GET /api/v1/endpoints/:name/comparison), the CLI (`online-endpoint compare`) and the rollout
// controller read the same per-shadow objects here. The figures come from the comparer (comparer.ts),
// fed by the gateway; this layer checks names against the store.
//
//   read(endpoint, deployment?, {since?, samples?}) → ShadowComparison[]   (one entry per shadow)
//   mark(endpoint) → Date       a window boundary: read(..., {since: that date}) covers only pairs
//                               compared after it (e.g. after a traffic change); other readers unaffected.
import { SwitchyardError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Comparer, ShadowComparison } from './comparer.js';

export type { ShadowComparison, ComparisonSample, Quantiles } from './comparer.js';

export interface ComparisonReadOptions {
  /** Only pairs compared at or after this time (bucket-exact after mark(); else 10 s granularity). */
  since?: Date;
  /** Include the samples of disagreements (users' data; default true: callers check the role). */
  samples?: boolean;
}

export class ComparisonService {
  constructor(private readonly comparer: Comparer, private readonly store: Pick<Store, 'getEndpoint' | 'getDeployment'>) {}

  /**
   * One entry per deployment that received compared copies (mirror or shadow) in the window. Throws
   * EndpointNotFound / DeploymentNotFound for names the store does not know. A known deployment that has
   * no pairs yet gets an entry with pairs 0 (agreement null) when asked for by name.
   */
  read(endpoint: string, deployment?: string, options: ComparisonReadOptions = {}): ShadowComparison[] {
    const ep = this.store.getEndpoint(endpoint);
    if (ep === undefined || ep === null) throw new SwitchyardError('EndpointNotFound', `Endpoint '${endpoint}' does not exist.`);
    const name = ep.spec.name;
    if (deployment !== undefined) {
      const dep = this.store.getDeployment(name, deployment);
      if (dep === undefined || dep === null) {
        throw new SwitchyardError('DeploymentNotFound', `Endpoint '${name}' has no deployment '${deployment}'.`);
      }
      deployment = dep.spec.name;
    }
    const found = this.comparer.read(name, { deployment, since: options.since, samples: options.samples });
    if (deployment !== undefined && found.length === 0) {
      const empty = this.comparer.empty(name, deployment, options.since, options.samples !== false);
      return [empty];
    }
    return found;
  }

  /** A window boundary for `endpoint` (see the file comment). */
  mark(endpoint: string): Date {
    return this.comparer.mark(endpoint);
  }
}
