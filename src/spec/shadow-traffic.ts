// Rules of the shadow extensions of an endpoint (docs/shadow-evaluation.md): `shadow_traffic` (any
// number of shadows, 0..100 percent each, live deployments allowed, never also in mirror_traffic) and
// `sticky_header` (a header name, not one the platform itself reads). Pure, used before anything is
// stored, so a refused change leaves state untouched.
import { SwitchyardError } from '../errors.js';
import { describeMap, dropZeros, type TrafficMap } from './traffic.js';

/** Headers the gateway or HTTP itself gives meaning to: not usable as a sticky key. */
const RESERVED_HEADERS = new Set([
  'authorization', 'azureml-model-deployment', 'content-length', 'content-type', 'transfer-encoding', 'host', 'connection',
  'expect', 'x-request-id', 'x-ms-client-request-id',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** Shadows: only existing deployments, none also mirrored. Returns the stored form (zeros dropped). */
export function validateShadows(shadows: TrafficMap, mirror: TrafficMap, endpoint: string, deployments: readonly string[]): TrafficMap {
  for (const [name, percent] of Object.entries(shadows)) {
    if (!deployments.includes(name)) {
      const known = deployments.length ? deployments.join(', ') : 'none yet';
      throw new SwitchyardError('TrafficUnknownDeployment',
        `shadow_traffic names deployment ${JSON.stringify(name)}, which does not exist in endpoint ${JSON.stringify(endpoint)} (deployments: ${known}).`);
    }
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new SwitchyardError('InvalidValue', `shadow_traffic.${name} must be a whole number from 0 to 100 (got ${JSON.stringify(percent)}).`);
    }
  }
  const stored = dropZeros(shadows);
  for (const name of Object.keys(stored)) {
    if ((mirror[name] ?? 0) > 0) {
      throw new SwitchyardError('MirrorInvalid',
        `Deployment ${JSON.stringify(name)} is in both mirror_traffic (${mirror[name]}%) and shadow_traffic (${stored[name]}%); copy it under one of them. `
        + `Shadows now: ${describeMap(stored)}.`);
    }
  }
  return stored;
}

/** A sticky header name, lower-cased; '' (or null) turns the sticky split off (undefined returned). */
export function readStickyHeader(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new SwitchyardError('InvalidValue', `sticky_header must be an HTTP header name such as x-user-id (got ${JSON.stringify(value)}).`);
  }
  const name = value.toLowerCase();
  if (RESERVED_HEADERS.has(name)) {
    throw new SwitchyardError('InvalidValue', `sticky_header cannot be ${JSON.stringify(name)}: the gateway gives that header its own meaning. Use a header of your own, e.g. x-user-id.`);
  }
  return name;
}
