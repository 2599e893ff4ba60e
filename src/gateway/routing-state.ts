// The gateway's view of the current RoutingSnapshot, compiled for the hot path, plus everything that must
// outlive a snapshot: deployment pools and mirror lanes (keyed by endpoint/deployment), upstream
// connections (keyed by instance URL) and the per-endpoint draw sequences. swap() replaces the whole
// table by one reference; a request that already holds an EndpointState or pool finishes on it.
import type { EndpointRoute, RoutingSnapshot } from './snapshot.js';
import { compileAuth, type EndpointAuth } from './auth.js';
import { DeploymentPool } from './pool.js';
import { MirrorLane } from './mirror.js';
import { goldenSequence, ShareAccumulator } from './route-draws.js';
import type { MirrorDraw } from './route.js';
import { StatsBook, type DeploymentStats } from './stats.js';
import { UpstreamRegistry } from './upstream.js';

export interface EndpointState {
  readonly route: EndpointRoute;
  readonly auth: EndpointAuth;
  readonly split: () => number;
  readonly mirrorDraw: MirrorDraw;
  readonly pools: ReadonlyMap<string, DeploymentPool>;
  /** The lane of the mirror deployment, when the endpoint mirrors. */
  readonly mirrorLane: MirrorLane | null;
  /** The shadow_traffic extension: one lane and one exact-share sampler per shadow. */
  readonly shadowLanes: readonly ShadowLane[];
  /** The sticky_header extension (lower case), or null. */
  readonly stickyHeader: string | null;
  /** Noise calibration: the share, its sampler, and a lane per live deployment. */
  readonly calibratePercent: number;
  readonly calibrateDraw: ShareAccumulator;
  readonly calibrationLanes: ReadonlyMap<string, MirrorLane>;
  /** Requests refused before a deployment was chosen (401, 404 NoTraffic/UnknownDeployment, 413, 405). */
  readonly stats: DeploymentStats;
  /** public_network_access: disabled: only loopback sources are answered (403 otherwise). */
  readonly privateOnly: boolean;
}

export interface RoutingTable {
  readonly version: number;
  readonly endpoints: ReadonlyMap<string, EndpointState>;
  /** Same, by lower-case name: endpoint names are case-insensitive in Azure. */
  readonly endpointsLower: ReadonlyMap<string, EndpointState>;
}

export interface ShadowLane {
  readonly lane: MirrorLane;
  readonly percent: number;
  readonly draw: ShareAccumulator;
}

interface Draws {
  trafficKey: string;
  split: () => number;
  mirror: ShareAccumulator;
  /** Per shadow deployment, kept across swaps like the mirror's. */
  shadows: Map<string, ShareAccumulator>;
  calibrate: ShareAccumulator;
}

const key = (endpoint: string, deployment: string): string => `${endpoint}\u0000${deployment}`;

export class RoutingState {
  readonly stats = new StatsBook();
  readonly liveUpstreams = new UpstreamRegistry();
  readonly mirrorUpstreams = new UpstreamRegistry();
  /** Counts requests for endpoints the snapshot does not know (one label value for all of them). */
  readonly unknownEndpointStats: DeploymentStats = this.stats.get('', '');
  current: RoutingTable = { version: 0, endpoints: new Map(), endpointsLower: new Map() };
  private readonly pools = new Map<string, DeploymentPool>();
  private readonly lanes = new Map<string, MirrorLane>();
  private readonly draws = new Map<string, Draws>();
  /** True while the gateway is too busy for mirror copies (load-shed.ts); set by the server. */
  shed: (() => boolean) | null = null;

  /** Compiles and swaps in a snapshot. Throws (keeping the current table) when it is malformed. */
  swap(snapshot: RoutingSnapshot): RoutingTable {
    validate(snapshot);
    const endpoints = new Map<string, EndpointState>();
    const endpointsLower = new Map<string, EndpointState>();
    const livePools = new Set<string>();
    const liveLanes = new Set<string>();

    for (const name of Object.keys(snapshot.endpoints)) {
      const ep = snapshot.endpoints[name]!;
      const pools = new Map<string, DeploymentPool>();
      for (const depName of Object.keys(ep.deployments)) {
        const dep = ep.deployments[depName]!;
        const k = key(ep.name, dep.name);
        let pool = this.pools.get(k);
        if (pool === undefined) {
          pool = new DeploymentPool(ep.name, dep, this.liveUpstreams, this.stats.get(ep.name, dep.name));
          this.pools.set(k, pool);
        } else {
          pool.update(dep);
        }
        pools.set(depName, pool);
        livePools.add(k);
      }
      const laneFor = (deployment: string): MirrorLane | null => {
        const shadow = ep.deployments[deployment];
        if (shadow === undefined) return null;
        const k = key(ep.name, shadow.name);
        let lane = this.lanes.get(k);
        if (lane === undefined) {
          lane = new MirrorLane(shadow, this.mirrorUpstreams, this.stats.get(ep.name, shadow.name));
          lane.shed = this.shed;
          this.lanes.set(k, lane);
        } else if (!liveLanes.has(k)) {
          lane.update(shadow);
        }
        lane.shed = this.shed;
        liveLanes.add(k);
        return lane;
      };
      const lane = ep.mirror !== null && ep.mirror.percent > 0 ? laneFor(ep.mirror.deployment) : null;
      const draws = this.drawsFor(ep);
      const shadowLanes: ShadowLane[] = [];
      for (const s of ep.shadows ?? []) {
        if (!(s.percent > 0)) continue;
        const l = laneFor(s.deployment);
        if (l === null) continue;
        let draw = draws.shadows.get(s.deployment);
        if (draw === undefined) {
          draw = new ShareAccumulator();
          draws.shadows.set(s.deployment, draw);
        }
        shadowLanes.push({ lane: l, percent: s.percent, draw });
      }
      const calibratePercent = ep.calibratePercent !== undefined && ep.calibratePercent > 0 ? ep.calibratePercent : 0;
      const calibrationLanes = new Map<string, MirrorLane>();
      if (calibratePercent > 0) {
        for (const t of ep.traffic) {
          const l = t.weight > 0 ? laneFor(t.deployment) : null;
          if (l !== null) calibrationLanes.set(t.deployment, l);
        }
      }
      const state: EndpointState = {
        route: ep,
        auth: compileAuth(ep),
        split: draws.split,
        mirrorDraw: draws.mirror.draw,
        pools,
        mirrorLane: lane,
        shadowLanes,
        calibratePercent,
        calibrateDraw: draws.calibrate,
        calibrationLanes,
        stickyHeader: typeof ep.stickyHeader === 'string' && ep.stickyHeader !== '' ? ep.stickyHeader.toLowerCase() : null,
        stats: this.stats.get(ep.name, ''),
        privateOnly: ep.publicNetworkAccess === 'disabled',
      };
      endpoints.set(name, state);
      endpointsLower.set(name.toLowerCase(), state);
    }

    // What left the snapshot finishes its in-flight work, then lets go of its connections.
    for (const [k, pool] of this.pools) {
      if (livePools.has(k)) continue;
      pool.retire();
      if (pool.inFlight === 0) this.pools.delete(k);
    }
    for (const [k, lane] of this.lanes) {
      if (liveLanes.has(k)) continue;
      lane.retire();
      this.lanes.delete(k);
    }
    for (const name of this.draws.keys()) if (!endpoints.has(name)) this.draws.delete(name);

    this.current = { version: snapshot.version, endpoints, endpointsLower };
    return this.current;
  }

  /** True while any of `urls` is listed by the current snapshot or still has requests (live or mirror). */
  anyBusy(urls: readonly string[]): boolean {
    for (const url of urls) {
      if (this.liveUpstreams.busy(url) || this.mirrorUpstreams.busy(url)) return true;
    }
    return false;
  }

  /** Live requests waiting for an instance slot, across all pools (load-shed.ts). */
  liveQueued(): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.stats.queued;
    return n;
  }

  /** Admitted live requests across all pools (close() waits for them). */
  inFlight(): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.inFlight;
    return n;
  }

  close(): void {
    for (const lane of this.lanes.values()) lane.retire();
    this.liveUpstreams.closeAll();
    this.mirrorUpstreams.closeAll();
  }

  private drawsFor(ep: EndpointRoute): Draws {
    // The sequence keeps running across swaps that leave the traffic alone, so shares stay exact over
    // a run of requests that spans unrelated snapshot changes (instances scaling, key rotation).
    const trafficKey = ep.traffic.map((t) => `${t.deployment}=${t.weight}`).join(',');
    let d = this.draws.get(ep.name);
    if (d === undefined || d.trafficKey !== trafficKey) {
      d = { trafficKey, split: goldenSequence(), mirror: d?.mirror ?? new ShareAccumulator(), shadows: d?.shadows ?? new Map(), calibrate: d?.calibrate ?? new ShareAccumulator() };
      this.draws.set(ep.name, d);
    }
    return d;
  }
}

function validate(s: RoutingSnapshot): void {
  if (typeof s !== 'object' || s === null) throw new TypeError('snapshot must be an object');
  if (!Number.isFinite(s.version)) throw new TypeError('snapshot.version must be a number');
  if (typeof s.endpoints !== 'object' || s.endpoints === null) throw new TypeError('snapshot.endpoints must be an object');
  for (const [name, ep] of Object.entries(s.endpoints)) {
    if (typeof ep !== 'object' || ep === null || typeof ep.name !== 'string') throw new TypeError(`endpoint '${name}' is malformed`);
    if (ep.authMode !== 'key' && ep.authMode !== 'aml_token') throw new TypeError(`endpoint '${name}': unknown authMode '${String(ep.authMode)}'`);
    if (!Array.isArray(ep.traffic) || typeof ep.deployments !== 'object' || ep.deployments === null) throw new TypeError(`endpoint '${name}': traffic or deployments malformed`);
    for (const [dn, d] of Object.entries(ep.deployments)) {
      if (typeof d !== 'object' || d === null || !Array.isArray(d.instances)) throw new TypeError(`deployment '${name}/${dn}' is malformed`);
      if (!(d.requestTimeoutMs > 0)) throw new TypeError(`deployment '${name}/${dn}': requestTimeoutMs must be positive`);
      for (const inst of d.instances) {
        if (typeof inst?.url !== 'string' || !/^https?:\/\//.test(inst.url)) throw new TypeError(`deployment '${name}/${dn}': instance url '${String(inst?.url)}' is not http(s)`);
      }
    }
  }
}
