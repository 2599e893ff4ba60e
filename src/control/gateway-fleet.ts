// The standalone gateways a control plane must wait for (docs/gateway.md): who is registered, who is
// live (heard from within a window), which routing snapshot each one serves, and the wait that makes a
// routing change "in force" only once every live gateway has acknowledged it. Registrations live in the
// store, so every replica of a shared store sees the same gateways and acknowledgements.
import { EventEmitter } from 'node:events';
import type { GatewayRecord, GatewayReport, Store } from '../store/store.js';
import { SwitchyardError } from '../errors.js';

/** InForce: serves the newest snapshot; Lagging: live but behind; Disconnected: not heard within the window. */
export type GatewayStatus = 'InForce' | 'Lagging' | 'Disconnected';

export interface GatewayView extends GatewayRecord {
  status: GatewayStatus;
  /** The newest snapshot version this control plane published (what InForce is measured against). */
  routing_version: number;
}

export interface GatewayFleetSettings {
  /** A gateway not heard from for this long is Disconnected and not waited for (default 10 s; gateways heartbeat every 2 s). */
  liveWithinMs: number;
  /** How long a routing change waits for every live gateway's acknowledgement (default 5 s). */
  ackTimeoutMs: number;
}

export const DEFAULT_FLEET_SETTINGS: GatewayFleetSettings = { liveWithinMs: 10_000, ackTimeoutMs: 5_000 };

/** SWITCHYARD_GATEWAY_ACK_TIMEOUT_MS and SWITCHYARD_GATEWAY_LIVE_WITHIN_MS (docs/server-settings.md); an invalid value stops the start. */
export function fleetSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayFleetSettings {
  const read = (name: string, min: number, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new SwitchyardError('InvalidValue', `${name} must be a whole number of milliseconds, at least ${min}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  return {
    ackTimeoutMs: read('SWITCHYARD_GATEWAY_ACK_TIMEOUT_MS', 100, DEFAULT_FLEET_SETTINGS.ackTimeoutMs),
    // Gateways heartbeat every 2 s: a shorter window would count live ones as gone.
    liveWithinMs: read('SWITCHYARD_GATEWAY_LIVE_WITHIN_MS', 3000, DEFAULT_FLEET_SETTINGS.liveWithinMs),
  };
}

/** Live: heard from within `liveWithinMs` of `nowMs`. */
export const isLive = (g: GatewayRecord, nowMs: number, liveWithinMs: number): boolean =>
  nowMs - Date.parse(g.last_seen_at) <= liveWithinMs;

/** A registration's status against the newest routing version. */
export function gatewayStatus(g: GatewayRecord, routingVersion: number, nowMs: number, liveWithinMs: number): GatewayStatus {
  if (!isLive(g, nowMs, liveWithinMs)) return 'Disconnected';
  return g.acked_version >= routingVersion ? 'InForce' : 'Lagging';
}

/** Live gateways that have not acknowledged `version` yet: what a routing change still waits for. */
export const laggards = (gateways: readonly GatewayRecord[], version: number, nowMs: number, liveWithinMs: number): GatewayRecord[] =>
  gateways.filter((g) => isLive(g, nowMs, liveWithinMs) && g.acked_version < version);

/** Why a routing change is not in force everywhere: names each laggard, what it serves and when it was last heard. */
export function describeLag(version: number, late: readonly GatewayRecord[], waitedMs: number, nowMs: number): string {
  const who = late.map((g) =>
    `${g.id} (${g.address}, serving version ${g.acked_version || 'none'}, last heard ${Math.max(0, Math.round((nowMs - Date.parse(g.last_seen_at)) / 1000))} s ago)`);
  return `The routing change (snapshot version ${version}) is committed, but not acknowledged within ${(waitedMs / 1000).toFixed(1)} s ` +
    `by ${late.length === 1 ? 'gateway' : 'gateways'} ${who.join('; ')}: requests there may still be routed the old way. ` +
    'See `switchyard gateway list`; a gateway that stopped for good is no longer waited for once its heartbeats stop, or at once when it shuts down.';
}

/** What the wait found: null when every live gateway acknowledged. */
export interface GatewayLag {
  version: number;
  laggards: GatewayRecord[];
  message: string;
}

export class GatewayFleet {
  private readonly acks = new EventEmitter();
  /** The newest version published through this control plane (for the list's InForce/Lagging). */
  private routingVersion = 0;

  constructor(
    private readonly store: Store,
    readonly settings: GatewayFleetSettings = DEFAULT_FLEET_SETTINGS,
    private readonly now: () => number = Date.now,
  ) {
    this.acks.setMaxListeners(0);
  }

  /** Registration, heartbeat and acknowledgement: one report, stored; waiters here look again at once. */
  report(report: GatewayReport): GatewayRecord {
    const rec = this.store.recordGateway(report);
    this.acks.emit('ack');
    return rec;
  }

  remove(id: string): boolean {
    const removed = this.store.deleteGateway(id);
    this.acks.emit('ack');
    return removed;
  }

  list(): GatewayView[] {
    const now = this.now();
    const gateways = this.store.listGateways();
    // Another replica may have published a newer snapshot: a gateway that acknowledged it shows that.
    const newest = Math.max(this.routingVersion, ...gateways.map((g) => g.acked_version));
    return gateways.map((g) => ({ ...g, routing_version: newest, status: gatewayStatus(g, newest, now, this.settings.liveWithinMs) }));
  }

  /**
   * Resolves once every live registered gateway has acknowledged `version` (null), or after the ack
   * timeout with the laggards. Acknowledgements that reach another replica are seen through the store,
   * looked at every `pollMs`; those that reach this one wake the wait at once.
   */
  async waitForAcks(version: number, pollMs = 50): Promise<GatewayLag | null> {
    this.routingVersion = Math.max(this.routingVersion, version);
    const started = this.now();
    const { ackTimeoutMs, liveWithinMs } = this.settings;
    for (;;) {
      const now = this.now();
      const late = laggards(this.store.listGateways(), version, now, liveWithinMs);
      if (late.length === 0) return null;
      const waited = now - started;
      if (waited >= ackTimeoutMs) return { version, laggards: late, message: describeLag(version, late, waited, now) };
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(timer); this.acks.off('ack', done); resolve(); };
        const timer = setTimeout(done, Math.min(pollMs, ackTimeoutMs - waited));
        this.acks.on('ack', done);
      });
    }
  }
}
