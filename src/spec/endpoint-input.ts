// EndpointInput (REST body / YAML) → EndpointSpec, with the defaults of SPEC §1.1, and the merge of a
// PATCH into a stored spec. Pure: deployment names come in as arguments.
import { SwitchyardError } from '../errors.js';
import type { AuthMode, EndpointSpec } from './types.js';
import { validateName } from './names.js';
import {
  expectChoice, expectObject, expectString, expectStringMap, optionalString, refuseUnknownKeys, type InputObject,
} from './input-fields.js';
import { readTrafficMap, refuseTrafficAtCreate, validateMirror, validateTraffic } from './traffic.js';

/** Fields `show` prints; a user who feeds `show` output back is not refused for them. */
const READ_ONLY = ['id', 'provisioning_state', 'scoring_uri', 'openapi_uri', 'kind', 'location', 'properties'];
const CREATE_KEYS = new Set([
  '$schema', 'name', 'description', 'tags', 'auth_mode', 'traffic', 'mirror_traffic', 'compute', 'identity',
  'public_network_access', ...READ_ONLY,
]);
const PATCH_KEYS = new Set([
  '$schema', 'name', 'description', 'tags', 'auth_mode', 'traffic', 'mirror_traffic', 'compute', 'identity',
  'public_network_access', ...READ_ONLY,
]);

export function readAuthMode(value: unknown): AuthMode {
  if (typeof value === 'string' && value.toLowerCase() === 'aad_token') {
    throw new SwitchyardError('AuthModeUnsupported',
      'auth_mode aad_token (Microsoft Entra ID tokens) is cloud-only and not available in Switchyard. Use auth_mode key or aml_token.');
  }
  return expectChoice('auth_mode', value, ['key', 'aml_token'] as const);
}

function readPublicNetworkAccess(value: unknown): 'enabled' | 'disabled' {
  return expectChoice('public_network_access', value, ['enabled', 'disabled'] as const);
}

function readCompute(value: unknown): string | undefined {
  return optionalString('compute', value);
}

/** A new endpoint's spec. Traffic may only be empty or all zero (there are no deployments yet). */
export function normaliseEndpointInput(input: unknown): EndpointSpec {
  const body = expectObject('endpoint', input);
  refuseUnknownKeys(body, CREATE_KEYS, '', 'endpoint');
  if (body.name === undefined) throw new SwitchyardError('MissingField', 'The endpoint needs a name (name: my-endpoint).');
  const name = validateName('endpoint', body.name);
  refuseTrafficAtCreate(readTrafficMap('traffic', body.traffic), readTrafficMap('mirror_traffic', body.mirror_traffic));
  const spec: EndpointSpec = {
    name,
    tags: expectStringMap('tags', body.tags),
    auth_mode: body.auth_mode === undefined || body.auth_mode === null ? 'key' : readAuthMode(body.auth_mode),
    traffic: {},
    mirror_traffic: {},
    public_network_access: body.public_network_access === undefined || body.public_network_access === null
      ? 'enabled' : readPublicNetworkAccess(body.public_network_access),
  };
  const description = optionalString('description', body.description);
  if (description !== undefined) spec.description = description;
  const compute = readCompute(body.compute);
  if (compute !== undefined) spec.compute = compute;
  if (body.identity !== undefined && body.identity !== null) spec.identity = expectObject('identity', body.identity);
  return spec;
}

/**
 * Applies a PATCH to a stored spec. Named maps (traffic, mirror_traffic, tags) replace the stored map
 * whole; fields not named are kept. `deployments` are the endpoint's deployments that can take traffic
 * (those not being deleted).
 */
export function applyEndpointPatch(current: EndpointSpec, patch: unknown, deployments: readonly string[]): EndpointSpec {
  const body: InputObject = expectObject('endpoint update', patch);
  refuseUnknownKeys(body, PATCH_KEYS, '', 'endpoint update');
  if (body.name !== undefined && body.name !== current.name) {
    throw new SwitchyardError('InvalidValue',
      `name cannot be changed by an update (endpoint ${JSON.stringify(current.name)}, body says ${JSON.stringify(body.name)}).`);
  }
  const next: EndpointSpec = { ...current, tags: { ...current.tags }, traffic: { ...current.traffic }, mirror_traffic: { ...current.mirror_traffic } };
  if ('description' in body) {
    const d = optionalString('description', body.description);
    if (d === undefined) delete next.description; else next.description = d;
  }
  if ('tags' in body) next.tags = expectStringMap('tags', body.tags);
  if (body.auth_mode !== undefined && body.auth_mode !== null) next.auth_mode = readAuthMode(body.auth_mode);
  if (body.public_network_access !== undefined && body.public_network_access !== null) {
    next.public_network_access = readPublicNetworkAccess(body.public_network_access);
  }
  if ('compute' in body) {
    const c = readCompute(body.compute);
    if (c === undefined) delete next.compute; else next.compute = expectString('compute', c);
  }
  if ('identity' in body) {
    if (body.identity === null || body.identity === undefined) delete next.identity;
    else next.identity = expectObject('identity', body.identity);
  }
  const traffic = 'traffic' in body ? readTrafficMap('traffic', body.traffic) : null;
  const mirror = 'mirror_traffic' in body ? readTrafficMap('mirror_traffic', body.mirror_traffic) : null;
  if (traffic) next.traffic = validateTraffic(traffic, current.name, deployments);
  if (traffic || mirror) {
    // The mirror rule depends on live traffic, so a live change re-checks the stored mirror too.
    next.mirror_traffic = validateMirror(mirror ?? next.mirror_traffic, next.traffic, current.name, deployments);
  }
  return next;
}
