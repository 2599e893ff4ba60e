// Traffic and mirror rules of an endpoint (docs/compatibility.md, "Endpoints"). Pure functions over maps and deployment names,
// used by the control plane before anything is stored, so a refused change leaves state untouched.
import { SwitchyardError } from '../errors.js';

export type TrafficMap = Record<string, number>;

export const MIRROR_MAX_PERCENT = 50;

/** The map as stored: zero entries dropped (docs/compatibility.md, "Endpoints"). */
export function dropZeros(map: TrafficMap): TrafficMap {
  const out: TrafficMap = {};
  for (const [name, percent] of Object.entries(map)) if (percent !== 0) out[name] = percent;
  return out;
}

export const describeMap = (map: TrafficMap): string =>
  Object.entries(map).map(([n, p]) => `${n}=${p}`).join(' ') || '(empty)';

function refuseUnknown(field: string, map: TrafficMap, endpoint: string, deployments: readonly string[]): void {
  for (const name of Object.keys(map)) {
    if (!deployments.includes(name)) {
      const known = deployments.length ? deployments.join(', ') : 'none yet';
      throw new SwitchyardError('TrafficUnknownDeployment',
        `${field} names deployment ${JSON.stringify(name)}, which does not exist in endpoint ${JSON.stringify(endpoint)} (deployments: ${known}).`);
    }
  }
}

/** Live traffic: only existing deployments, sum 0 or 100. Returns the stored form (zeros dropped). */
export function validateTraffic(traffic: TrafficMap, endpoint: string, deployments: readonly string[]): TrafficMap {
  refuseUnknown('traffic', traffic, endpoint, deployments);
  const sum = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (sum !== 0 && sum !== 100) {
    throw new SwitchyardError('TrafficSumInvalid',
      `Traffic percentages must add up to 0 or 100; ${describeMap(traffic)} adds up to ${sum}.`);
  }
  return dropZeros(traffic);
}

/**
 * Mirror traffic: at most one deployment, at most 50 percent, never a deployment that has live
 * traffic (its copies would double-count). `liveTraffic` is the stored form of the live map that
 * will be in force with this mirror. Returns the stored form.
 */
export function validateMirror(mirror: TrafficMap, liveTraffic: TrafficMap, endpoint: string, deployments: readonly string[]): TrafficMap {
  refuseUnknown('mirror_traffic', mirror, endpoint, deployments);
  const stored = dropZeros(mirror);
  const names = Object.keys(stored);
  if (names.length > 1) {
    throw new SwitchyardError('MirrorInvalid',
      `mirror_traffic may name at most one deployment; got ${describeMap(stored)}. Mirror to one deployment at a time.`);
  }
  for (const name of names) {
    if (stored[name]! > MIRROR_MAX_PERCENT) {
      throw new SwitchyardError('MirrorInvalid',
        `mirror_traffic.${name} is ${stored[name]}; at most ${MIRROR_MAX_PERCENT} percent of traffic can be mirrored.`);
    }
    if ((liveTraffic[name] ?? 0) > 0) {
      throw new SwitchyardError('MirrorHasLiveTraffic',
        `Deployment ${JSON.stringify(name)} would have ${liveTraffic[name]}% live traffic and ${stored[name]}% mirror traffic at once; a deployment cannot have both. `
        + `Set its mirror traffic to 0 (--mirror-traffic "${name}=0") before giving it live traffic, or its live traffic to 0 before mirroring to it.`);
    }
  }
  return stored;
}

/**
 * Traffic and mirror as given when an endpoint is created: there are no deployments yet, so only an
 * empty map or all-zero entries are accepted (docs/compatibility.md, "Endpoints").
 */
export function refuseTrafficAtCreate(traffic: TrafficMap, mirror: TrafficMap): void {
  for (const [field, map] of [['traffic', traffic], ['mirror_traffic', mirror]] as const) {
    const positive = dropZeros(map);
    if (Object.keys(positive).length) {
      throw new SwitchyardError('TrafficNotAllowedAtCreate',
        `${field} cannot be set when an endpoint is created (${describeMap(positive)}): it has no deployments yet. Create the deployments, then run \`online-endpoint update --${field === 'traffic' ? 'traffic' : 'mirror-traffic'}\`.`);
    }
  }
}

/**
 * The traffic map `show` displays: live entries, plus 0 for every deployment that has neither live nor
 * mirror traffic (so `--query traffic` right after creating `green` prints `"green": 0`).
 */
export function trafficView(traffic: TrafficMap, mirror: TrafficMap, deployments: readonly string[]): TrafficMap {
  const out: TrafficMap = { ...traffic };
  for (const name of deployments) {
    if (!(name in traffic) && !(name in mirror)) out[name] = 0;
  }
  return out;
}
