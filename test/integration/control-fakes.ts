// Fakes for the control plane's integration tests: a runtime backend that "runs" instances in memory
// and a gateway that records the snapshots it is given. The real LocalBackend and GatewayHost have
// their own tests; these let the control plane's tests control timing and failures exactly.
import type { EndpointFigures } from '../../src/gateway/rollout-figures.js';
import type {
  BackendEvents, DeploymentTemplate, EnsureResult, ReadLogsOptions, RuntimeBackend,
} from '../../src/runtime/backend.js';
import type { InstanceView } from '../../src/spec/types.js';
import type { RoutingSnapshot } from '../../src/gateway/snapshot.js';

export class FakeBackend implements RuntimeBackend {
  readonly ensured: DeploymentTemplate[] = [];
  readonly removed: string[] = [];
  recovered = 0;
  shutdowns = 0;
  /** Decides the outcome of ensure(); default: success. */
  outcome: (t: DeploymentTemplate) => EnsureResult = () => ({ ok: true });
  /** When set, ensure() waits for this before finishing (to hold an operation Running). */
  gate: Promise<void> | null = null;
  private readonly sets = new Map<string, InstanceView[]>();

  constructor(private readonly events: BackendEvents) {}

  /** Holds every ensure() until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => { release = r; });
    return () => { this.gate = null; release(); };
  }

  async ensure(t: DeploymentTemplate): Promise<EnsureResult> {
    this.ensured.push(t);
    if (this.gate) await this.gate;
    const result = this.outcome(t);
    if (result.ok) {
      const key = `${t.endpoint}/${t.deployment}`;
      this.sets.set(key, Array.from({ length: t.instanceCount }, (_, i) => ({
        name: `${t.deployment}-${t.revision}-${i}`, state: 'Ready' as const, pid: 1000 + i,
        url: `http://127.0.0.1:${40000 + i}/${key}`, restarts: 0, started_at: new Date(0).toISOString(), revision: t.revision,
      })));
      this.events.onInstancesChanged(t.endpoint, t.deployment);
    }
    return result;
  }

  instances(endpoint: string, deployment: string): InstanceView[] {
    return this.sets.get(`${endpoint}/${deployment}`) ?? [];
  }

  async remove(endpoint: string, deployment: string): Promise<void> {
    this.removed.push(`${endpoint}/${deployment}`);
    if (this.sets.delete(`${endpoint}/${deployment}`)) this.events.onInstancesChanged(endpoint, deployment);
  }

  async readLogs(endpoint: string, deployment: string, options: ReadLogsOptions): Promise<string> {
    return `fake log of ${endpoint}/${deployment} (${options.container}, last ${options.lines} lines)\n`;
  }

  async recover(): Promise<void> {
    this.recovered++;
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
    this.sets.clear();
  }
}

export class FakeGateway {
  readonly url = 'http://127.0.0.1:7999';
  readonly snapshots: RoutingSnapshot[] = [];
  readonly drained: string[][] = [];
  metrics: unknown = { snapshotVersion: 0, endpoints: {} };

  async publish(s: RoutingSnapshot): Promise<void> {
    this.snapshots.push(structuredClone(s));
  }

  get last(): RoutingSnapshot | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  async drain(urls: string[]): Promise<boolean> {
    this.drained.push(urls);
    return true;
  }

  async metricsText(): Promise<string> {
    return '# HELP switchyard_requests_total Requests.\n# TYPE switchyard_requests_total counter\nswitchyard_requests_total{endpoint="e",deployment="d",code="200"} 3\n';
  }

  async metricsJson(): Promise<unknown> {
    return this.metrics;
  }

  /** Rollout gate figures: what a test sets, or nothing counted yet. */
  figuresByEndpoint: Record<string, EndpointFigures> = {};

  async figures(endpoint: string): Promise<EndpointFigures> {
    return this.figuresByEndpoint[endpoint] ?? { epoch: 'fake', deployments: {} };
  }
}
