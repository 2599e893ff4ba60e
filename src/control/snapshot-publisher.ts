// Publishes routing snapshots to the gateway: after every change of spec or instance state, coalesced
// (a burst of instance events gives one or two snapshots, not one each), with a strictly increasing
// version. `publish()` resolves once a snapshot built after the call is in force at the gateway, which
// is what "regenerating a key invalidates the old one at once" and traffic changes wait for.
import type { Logger } from '../logger.js';
import type { RoutingSnapshot } from '../gateway/snapshot.js';

export interface SnapshotSink {
  publish(snapshot: RoutingSnapshot): Promise<void>;
}

export class SnapshotPublisher {
  /** Starts at the clock so versions also increase across restarts of a gateway that outlives us. */
  private version: number;
  private requested = 0;
  private published = 0;
  /** The publishing loop, while one runs. Cleared in the same tick as its last check (see drain). */
  private loop: Promise<void> | null = null;
  private waiters: Array<{ generation: number; resolve: () => void }> = [];
  private closed = false;

  constructor(
    private readonly build: (version: number) => RoutingSnapshot,
    private readonly sink: SnapshotSink,
    private readonly logger: Logger,
    startVersion: number = Date.now(),
  ) {
    this.version = startVersion;
  }

  /** Asks for a new snapshot without waiting for it (instance events). */
  schedule(): void {
    void this.publish();
  }

  /** Resolves when a snapshot reflecting the store as of this call has been published. */
  publish(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const generation = ++this.requested;
    const done = new Promise<void>((resolve) => this.waiters.push({ generation, resolve }));
    if (!this.loop) this.loop = this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    // Yield once so that a burst of synchronous schedule() calls becomes one snapshot.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      if (this.published >= this.requested || this.closed) {
        // Cleared synchronously with the check: a publish() after this starts a new loop instead of
        // waiting on one that is about to end.
        this.loop = null;
        return;
      }
      const generation = this.requested;
      try {
        const snapshot = this.build(++this.version);
        await this.sink.publish(snapshot);
        this.logger.debug({ version: snapshot.version, endpoints: Object.keys(snapshot.endpoints).length }, 'routing snapshot published');
      } catch (e) {
        // The next change retries; a broken gateway must not break the control plane's answers.
        this.logger.error({ err: e }, 'publishing the routing snapshot failed');
      }
      this.published = generation;
      this.release();
    }
  }

  private release(): void {
    const ready = this.waiters.filter((w) => w.generation <= this.published);
    this.waiters = this.waiters.filter((w) => w.generation > this.published);
    for (const w of ready) w.resolve();
  }

  async close(): Promise<void> {
    if (this.loop) await this.loop;
    this.closed = true;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
