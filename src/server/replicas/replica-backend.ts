// The runtime backend of a replica. With the local backend, instances run on the leader's machine only:
// this wraps a LocalBackend that exists while the replica leads (made on election, shut down when
// another replica has taken over). A follower answers instance lists from the leader's copy in the
// store (InstanceMirror), so `show` and its gateway's snapshots agree with the leader's, and never
// starts an instance itself.
import { SwitchyardError } from '../../errors.js';
import type { InstanceView } from '../../spec/types.js';
import type {
  BackendEvents, CpuPriority, DeploymentTemplate, EnsureResult, ReadLogsOptions, RoutableInstance, RuntimeBackend,
} from '../../runtime/backend.js';
import type { InstanceMirror } from './instance-mirror.js';

const strip = ({ secret: _secret, ...view }: RoutableInstance): InstanceView => view;

export class ReplicaBackend implements RuntimeBackend {
  private local: RuntimeBackend | null = null;
  private leading = false;

  constructor(
    private readonly o: {
      /** A fresh local backend; `events` reach the publisher (and the mirror, while leading). */
      makeLocal(events: BackendEvents): RuntimeBackend;
      events: BackendEvents;
      mirror: InstanceMirror;
      /** For messages that send a user to the leader (logs). */
      leaderUrl(): string | undefined;
    },
  ) {}

  /** Whether the local backend may have run instances since it was made (standDown() then stops them). */
  private ran = false;

  private localBackend(): RuntimeBackend {
    this.local ??= this.o.makeLocal({
      onInstancesChanged: (endpoint, deployment) => {
        if (this.leading) this.o.mirror.changed(endpoint, deployment);
        this.o.events.onInstancesChanged(endpoint, deployment);
      },
    });
    return this.local;
  }

  /** This replica leads from now on: instances start here. */
  lead(): void {
    this.localBackend();
    this.leading = true;
    this.ran = true;
  }

  /** Lost the lock: no new work; the instances stay up until standDown() (or lead() again). */
  pause(): void {
    this.leading = false;
  }

  /** Another replica leads: stop what this one started (its instances would double the new leader's). */
  async standDown(): Promise<boolean> {
    this.leading = false;
    const local = this.local;
    if (!local || !this.ran) return false;
    this.local = null;
    this.ran = false;
    await local.shutdown();
    return true;
  }

  /** While leading: every deployment this replica runs, so their lists reach the store again. */
  republish(keys: Array<{ endpoint: string; deployment: string }>): void {
    if (!this.leading) return;
    for (const k of keys) this.o.mirror.changed(k.endpoint, k.deployment);
  }

  private active(): RuntimeBackend | null {
    return this.leading ? this.local : null;
  }

  ensure(t: DeploymentTemplate): Promise<EnsureResult> {
    const local = this.active();
    if (!local) return Promise.resolve({ ok: false, reason: 'InstanceFailed', message: 'This replica no longer leads; the leader converges the deployment.' });
    return local.ensure(t);
  }

  instances(endpoint: string, deployment: string): InstanceView[] {
    const local = this.active();
    return local ? local.instances(endpoint, deployment) : this.o.mirror.instances(endpoint, deployment).map(strip);
  }

  routable(endpoint: string, deployment: string): RoutableInstance[] {
    const local = this.active();
    if (!local) return this.o.mirror.instances(endpoint, deployment);
    return local.routable?.(endpoint, deployment) ?? local.instances(endpoint, deployment);
  }

  async remove(endpoint: string, deployment: string): Promise<void> {
    const local = this.active();
    if (!local) throw new Error('This replica no longer leads; the leader removes the deployment.');
    await local.remove(endpoint, deployment);
  }

  async readLogs(endpoint: string, deployment: string, options: ReadLogsOptions): Promise<string> {
    const local = this.active();
    if (local) return local.readLogs(endpoint, deployment, options);
    const leader = this.o.leaderUrl();
    throw new SwitchyardError('NotLeader',
      `Instance logs are on the leader replica's machine${leader ? ` (${leader})` : ''}; ask the leader: SWITCHYARD_URL=${leader ?? '<leader URL>'} switchyard online-deployment get-logs ... ` +
      '(GET /api/v1/replicas lists the replicas and which one leads).', leader ? { leader } : undefined);
  }

  setCpuPriority(endpoint: string, deployment: string, priority: CpuPriority): void {
    this.active()?.setCpuPriority?.(endpoint, deployment, priority);
  }

  /** On start (every replica) and on election: stops instances an earlier process of this data dir left. */
  async recover(): Promise<void> {
    await this.localBackend().recover();
  }

  async shutdown(): Promise<void> {
    this.leading = false;
    const local = this.local;
    this.local = null;
    await local?.shutdown();
  }
}
