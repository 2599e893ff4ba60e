// Publishes routing snapshots to the gateway: after every change of spec or instance state, coalesced
// (a burst of instance events gives one or two snapshots, not one each), with a strictly increasing
// version. `publish()` resolves once a snapshot built after the call is in force at the gateway, which
// is what "regenerating a key invalidates the old one at once" and traffic changes wait for.
import type { Logger } from '../logger.js';
import type { RoutingSnapshot } from '../gateway/snapshot.js';
import type { GatewayLag } from './gateway-fleet.js';

export interface SnapshotSink {
  /** Resolves once the snapshot is in force; with the laggards when standalone gateways did not acknowledge it in time. */
  publish(snapshot: RoutingSnapshot): Promise<void | GatewayLag | null>;
}

export class SnapshotPublisher {
  /** Starts at the clock so versions also increase across restarts of a gateway that outlives us. */
  private version: number;
  private requested = 0;
  private published = 0;
  /** The publishing loop, while one runs. Cleared in the same tick as its last check (see drain). */
  private loop: Promise<void> | null = null;
  private waiters: Array<{ generation: number; resolve: (lag: GatewayLag | null) => void }> = [];
  /** What the last published snapshot's sink reported: standalone gateways that did not acknowledge it. */
  private lastLag: GatewayLag | null = null;
  private closed = false;

  constructor(
    private readonly build: (version: number) => RoutingSnapshot,
    private readonly sink: SnapshotSink,
    private readonly logger: Logger,
    startVersion: number = Date.now(),
    /** Where versions come from when several control planes share a store (Store.nextRoutingVersion); default: counting up from startVersion. */
    private readonly nextVersion: () => number = () => ++this.version,
  ) {
    this.version = startVersion;
  }

  /** Asks for a new snapshot without waiting for it (instance events). */
  schedule(): void {
    void this.publish();
  }

  /**
   * Resolves when a snapshot reflecting the store as of this call has been published: with null, or with
   * the standalone gateways that did not acknowledge it in time (the change is committed all the same).
   */
  publish(): Promise<GatewayLag | null> {
    if (this.closed) return Promise.resolve(null);
    const generation = ++this.requested;
    const done = new Promise<GatewayLag | null>((resolve) => this.waiters.push({ generation, resolve }));
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
        const started = performance.now();
        const snapshot = this.build(this.nextVersion());
        const built = performance.now();
        this.lastLag = (await this.sink.publish(snapshot)) ?? null;
        if (this.lastLag) this.logger.warn({ version: snapshot.version, laggards: this.lastLag.laggards.map((g) => g.id) }, this.lastLag.message);
        // What a snapshot costs as work grows (B5 reads these): build = store reads + buildSnapshot,
        // ack = handing it to the gateway until the gateway serves from it (and every live standalone
        // gateway acknowledged it). The size (the snapshot as JSON) is computed only when this line is logged.
        if (this.logger.isLevelEnabled('debug')) this.logger.debug(snapshotFigures(snapshot, built - started, performance.now() - built), 'routing snapshot published');
      } catch (e) {
        // The next change retries; a broken gateway must not break the control plane's answers.
        this.lastLag = null;
        this.logger.error({ err: e }, 'publishing the routing snapshot failed');
      }
      this.published = generation;
      this.release();
    }
  }

  private release(): void {
    const ready = this.waiters.filter((w) => w.generation <= this.published);
    this.waiters = this.waiters.filter((w) => w.generation > this.published);
    for (const w of ready) w.resolve(this.lastLag);
  }

  async close(): Promise<void> {
    if (this.loop) await this.loop;
    this.closed = true;
    for (const w of this.waiters) w.resolve(null);
    this.waiters = [];
  }
}

/** The debug fields of a published snapshot: counts, JSON size in bytes, build and ack times in ms. */
export function snapshotFigures(snapshot: RoutingSnapshot, buildMs: number, ackMs: number): Record<string, number> {
  const endpoints = Object.values(snapshot.endpoints);
  const deployments = endpoints.flatMap((e) => Object.values(e.deployments));
  return {
    version: snapshot.version, endpoints: endpoints.length, deployments: deployments.length,
    instances: deployments.reduce((n, d) => n + d.instances.length, 0),
    bytes: Buffer.byteLength(JSON.stringify(snapshot)), buildMs: Math.round(buildMs * 1000) / 1000, ackMs: Math.round(ackMs * 1000) / 1000,
  };
}
