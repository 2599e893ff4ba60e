// EndpointInput (REST body / YAML) → EndpointSpec, and the merge of a PATCH into a stored spec. The
// shape, types, bounds and defaults are schema/endpoint.ts; here are only the defaults applied, the
// cross-field rules (traffic and mirror, docs/compatibility.md "Endpoints") and the canonical spelling.
// Pure: deployment names come in as arguments.
import { SwitchyardError } from '../errors.js';
import type { EndpointSpec } from './types.js';
import { checkInput } from './schema/check.js';
import { canonicalChoice, defaultsOf } from './schema/fields.js';
import { AUTH_MODES, EndpointInput, EndpointPatch, PUBLIC_NETWORK_ACCESS } from './schema/endpoint.js';
import { dropZeros, refuseTrafficAtCreate, validateMirror, validateTraffic } from './traffic.js';
import { readStickyHeader, validateShadows } from './shadow-traffic.js';

const DEFAULTS = defaultsOf<{ auth_mode: EndpointSpec['auth_mode']; public_network_access: EndpointSpec['public_network_access'] }>(EndpointInput);

/** A new endpoint's spec. Traffic may only be empty or all zero (there are no deployments yet). */
export function normaliseEndpointInput(input: unknown): EndpointSpec {
  checkInput(EndpointInput, input);
  const body = input;
  refuseTrafficAtCreate(body.traffic ?? {}, body.mirror_traffic ?? {});
  // Extension: shadows need deployments too, so none at create (zero entries are accepted).
  validateShadows(dropZeros(body.shadow_traffic ?? {}), {}, body.name, []);
  const spec: EndpointSpec = {
    name: body.name,
    tags: { ...body.tags },
    auth_mode: canonicalChoice(AUTH_MODES, body.auth_mode ?? DEFAULTS.auth_mode),
    traffic: {},
    mirror_traffic: {},
    public_network_access: canonicalChoice(PUBLIC_NETWORK_ACCESS, body.public_network_access ?? DEFAULTS.public_network_access),
  };
  if (body.description !== undefined) spec.description = body.description;
  if (body.compute !== undefined) spec.compute = body.compute;
  if (body.identity !== undefined) spec.identity = body.identity;
  const sticky = readStickyHeader(body.sticky_header);
  if (sticky !== undefined) spec.sticky_header = sticky;
  if (body.shadow_compare !== undefined) spec.shadow_compare = { ...body.shadow_compare };
  return spec;
}

/**
 * Applies a PATCH to a stored spec. Named maps (traffic, mirror_traffic, tags) replace the stored map
 * whole; fields not named are kept. `deployments` are the endpoint's deployments that can take traffic
 * (those not being deleted).
 */
export function applyEndpointPatch(current: EndpointSpec, patch: unknown, deployments: readonly string[]): EndpointSpec {
  checkInput(EndpointPatch, patch);
  const body = patch;
  if (body.name !== undefined && body.name !== current.name) {
    throw new SwitchyardError('InvalidValue',
      `name cannot be changed by an update (endpoint ${JSON.stringify(current.name)}, body says ${JSON.stringify(body.name)}).`);
  }
  const next: EndpointSpec = { ...current, tags: { ...current.tags }, traffic: { ...current.traffic }, mirror_traffic: { ...current.mirror_traffic } };
  if (body.description !== undefined) next.description = body.description;
  if (body.tags !== undefined) next.tags = { ...body.tags };
  if (body.auth_mode !== undefined) next.auth_mode = canonicalChoice(AUTH_MODES, body.auth_mode);
  if (body.public_network_access !== undefined) next.public_network_access = canonicalChoice(PUBLIC_NETWORK_ACCESS, body.public_network_access);
  if (body.compute !== undefined) next.compute = body.compute;
  if (body.identity !== undefined) next.identity = body.identity;
  const traffic = body.traffic ? { ...body.traffic } : null;
  const mirror = body.mirror_traffic ? { ...body.mirror_traffic } : null;
  if (traffic) next.traffic = validateTraffic(traffic, current.name, deployments);
  if (traffic || mirror) {
    // The mirror rule depends on live traffic, so a live change re-checks the stored mirror too.
    next.mirror_traffic = validateMirror(mirror ?? next.mirror_traffic, next.traffic, current.name, deployments);
  }
  // Extensions: shadows (re-checked against a changed mirror), the sticky split, comparison tolerances.
  if (body.shadow_traffic !== undefined || mirror) {
    const shadows = validateShadows(body.shadow_traffic ? { ...body.shadow_traffic } : { ...(next.shadow_traffic ?? {}) }, next.mirror_traffic, current.name, deployments);
    if (Object.keys(shadows).length > 0) next.shadow_traffic = shadows;
    else delete next.shadow_traffic;
  }
  if (body.sticky_header !== undefined) {
    const sticky = readStickyHeader(body.sticky_header);
    if (sticky === undefined) delete next.sticky_header;
    else next.sticky_header = sticky;
  }
  if (body.shadow_compare !== undefined) next.shadow_compare = { ...body.shadow_compare };
  refuseKubernetesMirror(next);
  return next;
}

/** Azure's guide: mirrored traffic is not supported on Kubernetes endpoints (those with `compute`). */
function refuseKubernetesMirror(spec: EndpointSpec): void {
  const mirrored = Object.entries(spec.mirror_traffic).filter(([, p]) => p > 0);
  if (spec.compute !== undefined && mirrored.length) {
    throw new SwitchyardError('MirrorInvalid',
      `Endpoint ${JSON.stringify(spec.name)} is a Kubernetes endpoint (compute: ${spec.compute}); mirror traffic is not supported on Kubernetes endpoints, as on Azure. `
      + `Set mirror_traffic to 0 (--mirror-traffic "${mirrored[0]![0]}=0").`);
  }
}
