// One control-plane replica of a shared PostgreSQL store (docs/scale-out.md): connects its coordination
// link, refuses to start with another master key or admin token than the store's, then runs the leader
// election. The leader runs the reconciler and the rollout controller and (local backend) the
// instances; a follower answers the API from the store and forwards reconcile work to the leader by
// NOTIFY. Every replica's gateway is kept current: a replica whose snapshot content changed notifies
// the others, which rebuild theirs from the store and the leader's instance list.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SwitchyardError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { BackendEvents, RuntimeBackend } from '../../runtime/backend.js';
import type { SecretCipher } from '../../store/secret-cipher.js';
import type { Store } from '../../store/store.js';
import type { Leadership, LeaderWork } from '../../control/leadership.js';
import type { Operations, OperationsOptions } from '../../control/operations.js';
import type { Reconciler } from '../../control/reconciler.js';
import type { RolloutController } from '../../control/rollout-controller.js';
import type { RoutingSnapshot } from '../../gateway/snapshot.js';
import { CHANNELS, type Channel, type ClusterLink } from './cluster-link.js';
import { LeaderElection } from './leader-election.js';
import { InstanceMirror } from './instance-mirror.js';
import { ReplicaBackend } from './replica-backend.js';
import { forgetReplica, heartbeat, listReplicas, pruneReplicas, type ReplicaIdentity, type ReplicaView } from './replica-registry.js';
import { verifySharedSecrets, type SecretChecks } from './shared-secrets.js';

export interface ReplicaOptions {
  /** The PostgreSQL store's URL (postgres://...). */
  url: string;
  logger: Logger;
  /** The master key's cipher (seals the instance list in the store). */
  cipher: SecretCipher;
  secrets: SecretChecks;
  /** Lock attempts and heartbeats (default 1000 ms). */
  retryMs?: number;
  /** How often the leader resyncs work in flight that a lost notification may have missed (default 2000 ms). */
  resyncMs?: number;
}

/** What the leader needs to work (set by attach() once the control plane is assembled). */
interface Plane {
  store: Store;
  reconciler: Reconciler;
  rollouts: RolloutController;
  operations: Operations;
  publisher: { schedule(): void; publish(): Promise<unknown> };
}

export class Replica implements Leadership {
  readonly id = randomUUID();
  private readonly election: LeaderElection;
  private readonly mirror: InstanceMirror;
  private backend: ReplicaBackend | null = null;
  private plane: Plane | null = null;
  private identity: ReplicaIdentity | null = null;
  private resync: NodeJS.Timeout | null = null;
  private lastFingerprint = '';
  private leaderUrl: string | undefined;
  /** Elected and its local backend made: leader-only work runs here. */
  private ready = false;
  private closed = false;

  private constructor(private readonly o: ReplicaOptions) {
    this.election = new LeaderElection({
      url: o.url, logger: o.logger.child({ component: 'replica' }), ...(o.retryMs ? { retryMs: o.retryMs } : {}),
      events: {
        onConnected: (link) => this.connected(link),
        onTick: (link, leading) => this.tick(link, leading),
        onElected: async () => { void this.elected(); },
        onDeposed: () => this.deposed(),
        onOtherLeads: () => { void this.otherLeads(); },
        onNotification: (channel, payload) => this.notified(channel, payload),
      },
    });
    this.mirror = new InstanceMirror({
      replicaId: this.id, cipher: o.cipher, logger: o.logger.child({ component: 'replica' }),
      link: () => this.election.current,
      read: (e, d) => this.backend?.routable(e, d) ?? [],
      written: () => this.tell(CHANNELS.routing, this.id),
    });
  }

  /** Connects and checks the shared secrets (throws SharedSecretMismatch, or when PostgreSQL does not answer). */
  static async connect(options: ReplicaOptions): Promise<Replica> {
    const replica = new Replica(options);
    await replica.election.start();
    return replica;
  }

  /** The runtime backend for assembleControlPlane: local instances while leading, the leader's list otherwise. */
  wrapBackend(makeLocal: (events: BackendEvents) => RuntimeBackend, events: BackendEvents): RuntimeBackend {
    this.backend = new ReplicaBackend({ makeLocal, events, mirror: this.mirror, leaderUrl: () => this.leaderUrl });
    return this.backend;
  }

  /** Ended operations wake waiters on every replica; waiters also poll, in case a notification is missed. */
  operationsOptions(): OperationsOptions {
    return { onFinished: (op) => this.tell(CHANNELS.operation, op.id), pollMs: 1000 };
  }

  /** The gateway sink: after a snapshot whose content changed is in force here, the others rebuild theirs. */
  wrapSink<R>(sink: { publish(snapshot: RoutingSnapshot): Promise<R> }): { publish(snapshot: RoutingSnapshot): Promise<R> } {
    return {
      publish: async (snapshot: RoutingSnapshot) => {
        const answer = await sink.publish(snapshot);
        const fingerprint = JSON.stringify(snapshot.endpoints);
        if (fingerprint !== this.lastFingerprint) {
          this.lastFingerprint = fingerprint;
          this.tell(CHANNELS.routing, this.id);
        }
        return answer; // what the sink reports (e.g. gateways that lag) passes through
      },
    };
  }

  /** Starts leading when elected; until then (and as a follower) forwards work to the leader. */
  attach(plane: Plane, identity: Omit<ReplicaIdentity, 'id' | 'host' | 'pid' | 'startedAt'>): void {
    this.plane = plane;
    this.identity = { id: this.id, host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), ...identity };
    this.election.run();
  }

  leading(): boolean {
    return this.ready && this.election.isLeader;
  }

  forward(work: LeaderWork): void {
    this.tell(CHANNELS.reconcile, JSON.stringify(work));
  }

  /** Every replica of the store, which one leads and since when. */
  async list(): Promise<ReplicaView[]> {
    const link = this.election.current;
    if (!link) throw new SwitchyardError('ServerUnreachable', 'This replica cannot reach PostgreSQL right now, so the replica list is unknown; retry, or ask another replica.');
    return listReplicas(link);
  }

  /** Leaves: the row goes and the lock is released (another replica leads within a second). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.resync) clearInterval(this.resync);
    await this.mirror.flushed().catch(() => {});
    const link = this.election.current;
    if (link) await forgetReplica(link, this.id).catch(() => {});
    await this.election.stop();
  }

  // ---------------------------------------------------------------------------------------------

  private async connected(link: ClusterLink): Promise<void> {
    const { firstReplica } = await verifySharedSecrets(link, this.o.secrets);
    if (firstReplica) this.o.logger.info({ event: 'store-initialised' }, 'recorded the master key and admin token check values in the store');
    await this.mirror.load();
    if (this.identity) await heartbeat(link, this.identity, false);
    this.plane?.publisher.schedule();
  }

  private async tick(link: ClusterLink, leading: boolean): Promise<void> {
    if (!this.identity) return;
    await heartbeat(link, this.identity, leading);
    if (leading) await pruneReplicas(link);
    else {
      const leader = (await listReplicas(link)).find((r) => r.leader);
      this.leaderUrl = leader?.control_url;
    }
  }

  private async elected(): Promise<void> {
    const plane = this.plane!;
    const logger = this.o.logger;
    try {
      // The listed instances were the old leader's: gone with it, or stopped by it as it stands down.
      await this.mirror.clear();
      this.backend!.lead();
      this.ready = true;
      this.leaderUrl = this.identity?.controlUrl;
      plane.publisher.schedule();
      // Level-triggered: every endpoint and deployment converges again, which finishes what the old
      // leader had in flight and starts the instances here.
      await plane.reconciler.recover();
      plane.rollouts.recover();
      this.backend!.republish(plane.store.listDeployments().map((d) => ({ endpoint: d.spec.endpoint_name, deployment: d.spec.name })));
      this.resync ??= setInterval(() => this.resyncInFlight(), this.o.resyncMs ?? 2000);
      this.resync.unref();
      logger.info({ event: 'leader-ready' }, 'leader: reconciling the stored state');
    } catch (e) {
      logger.error({ err: e }, 'taking over as leader failed; the next change or resync retries');
    }
  }

  private deposed(): void {
    this.ready = false;
    this.backend?.pause();
    if (this.resync) clearInterval(this.resync);
    this.resync = null;
  }

  private async otherLeads(): Promise<void> {
    if (!this.backend) return;
    try {
      if (await this.backend.standDown()) {
        this.o.logger.warn({ event: 'stood-down' }, 'another replica leads now: stopped the instances this one had started');
        this.plane?.publisher.schedule();
      }
    } catch (e) {
      this.o.logger.error({ err: e }, 'stopping this replica\'s instances after losing the lead failed');
    }
  }

  /** Work whose notification the leader may have missed (it was reconnecting): operations still running. */
  private resyncInFlight(): void {
    const plane = this.plane;
    if (!plane || !this.leading()) return;
    const before = Date.now() - 3000;
    for (const op of plane.store.runningOperations()) {
      if (Date.parse(op.created_at) > before) continue;
      if (op.deployment) void plane.reconciler.reconcileDeployment(op.endpoint, op.deployment);
      else void plane.reconciler.reconcileEndpoint(op.endpoint);
    }
  }

  private notified(channel: Channel, payload: string): void {
    const plane = this.plane;
    if (!plane || this.closed) return;
    if (channel === CHANNELS.operation) {
      // This replica's gateway first has what the operation did, then its waiters answer: a client
      // that waited here scores through this replica's gateway at once.
      void this.mirror.load().catch(() => {}).then(() => plane.publisher.publish()).finally(() => plane.operations.wake(payload));
    } else if (channel === CHANNELS.routing) {
      if (payload === this.id) return;
      void this.mirror.load().catch((e: unknown) => this.o.logger.warn({ err: e }, 'reloading the instance list failed'))
        .finally(() => plane.publisher.schedule());
    } else if (channel === CHANNELS.reconcile && this.leading()) {
      let work: LeaderWork;
      try {
        work = JSON.parse(payload) as LeaderWork;
      } catch {
        return;
      }
      if (work.kind === 'endpoint') void plane.reconciler.reconcileEndpoint(work.endpoint);
      else if (work.kind === 'deployment') void plane.reconciler.reconcileDeployment(work.endpoint, work.deployment);
      else if (work.kind === 'rollout') void plane.rollouts.kick(work.endpoint);
    }
  }

  private tell(channel: Channel, payload: string): void {
    const link = this.election.current;
    if (!link) return; // the leader's resync and the waiters' polling cover it
    link.notify(channel, payload).catch((e: unknown) => this.o.logger.warn({ err: e, channel }, 'notifying the other replicas failed'));
  }
}
