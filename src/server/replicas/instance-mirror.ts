// The leader's instances, as every replica's gateway needs them. With the local backend the instances
// are child processes of the leader; the other replicas' gateways route to them too, so the leader
// writes each deployment's instance list (addresses, states and the secret an instance expects, sealed
// under the shared master key) to the store, and notifies. Followers keep a copy, reloaded on each
// notification (and every few seconds, in case one was missed), and build their snapshots from it.
import type { RoutableInstance } from '../../runtime/backend.js';
import type { SecretCipher } from '../../store/secret-cipher.js';
import type { Logger } from '../../logger.js';
import type { ClusterLink } from './cluster-link.js';

const contextOf = (endpoint: string, deployment: string): string => `switchyard_instances/${endpoint}/${deployment}`;
const keyOf = (endpoint: string, deployment: string): string => `${endpoint}\u0000${deployment}`;

export class InstanceMirror {
  private copy = new Map<string, RoutableInstance[]>();
  private readonly pending = new Map<string, { endpoint: string; deployment: string }>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly o: {
      replicaId: string;
      cipher: SecretCipher;
      logger: Logger;
      link(): ClusterLink | null;
      /** The leader's live instances of a deployment (read when a write is flushed). */
      read(endpoint: string, deployment: string): RoutableInstance[];
      /** After writes: tell the other replicas. */
      written(): void;
    },
  ) {}

  /** Follower side: the leader's instances of a deployment, as last loaded. */
  instances(endpoint: string, deployment: string): RoutableInstance[] {
    return this.copy.get(keyOf(endpoint, deployment)) ?? [];
  }

  /** Follower side: reloads every row. */
  async load(): Promise<void> {
    const link = this.o.link();
    if (!link) return;
    const rows = await link.query<{ endpoint: string; deployment: string; sealed: string }>(
      'SELECT endpoint, deployment, sealed FROM switchyard_instances');
    const next = new Map<string, RoutableInstance[]>();
    for (const r of rows) {
      try {
        next.set(keyOf(r.endpoint, r.deployment), JSON.parse(this.o.cipher.open(r.sealed, contextOf(r.endpoint, r.deployment))) as RoutableInstance[]);
      } catch (e) {
        this.o.logger.error({ err: e, endpoint: r.endpoint, deployment: r.deployment }, 'an instance list in the store does not open with this master key');
      }
    }
    this.copy = next;
  }

  /** Leader side, on taking over: the instances listed belong to the old leader (dead or standing down). */
  async clear(): Promise<void> {
    await this.o.link()?.query('DELETE FROM switchyard_instances');
    this.copy = new Map();
  }

  /** Leader side: the deployment's instances changed; written soon (bursts coalesce). */
  changed(endpoint: string, deployment: string): void {
    this.pending.set(keyOf(endpoint, deployment), { endpoint, deployment });
    this.flushing ??= (async () => {
      await new Promise<void>((r) => setImmediate(r));
      try {
        while (this.pending.size) {
          const batch = [...this.pending.values()];
          this.pending.clear();
          for (const { endpoint, deployment } of batch) await this.write(endpoint, deployment);
          this.o.written();
        }
      } catch (e) {
        this.o.logger.warn({ err: e }, 'writing the instance list to the store failed; the next change or takeover writes it again');
      } finally {
        this.flushing = null;
      }
    })();
  }

  /** Resolves when the writes asked for so far are done (tests, shutdown). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async write(endpoint: string, deployment: string): Promise<void> {
    const link = this.o.link();
    if (!link) throw new Error('no coordination connection');
    const list = this.o.read(endpoint, deployment);
    if (!list.length) {
      await link.query('DELETE FROM switchyard_instances WHERE endpoint = $1 AND deployment = $2', [endpoint, deployment]);
      return;
    }
    const sealed = this.o.cipher.seal(JSON.stringify(list), contextOf(endpoint, deployment));
    await link.query(
      `INSERT INTO switchyard_instances (endpoint, deployment, replica, sealed, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (endpoint, deployment) DO UPDATE SET replica = $3, sealed = $4, updated_at = now()`,
      [endpoint, deployment, this.o.replicaId, sealed]);
  }
}
