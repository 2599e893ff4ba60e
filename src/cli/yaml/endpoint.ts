// Endpoint YAML (SPEC §1.1): keys checked, values typed, `aad_token` refused with a clear message.
// The body is what POST /api/v1/endpoints takes (traffic included: the server decides whether a
// create may carry it); `toEndpointPatch` keeps the keys PATCH accepts.
import { SwitchyardError } from '../../errors.js';
import type { EndpointInput, EndpointPatch } from '../../sdk/types.js';
import { ENDPOINT_KEYS, checkKeys } from './keys.js';
import { where, type YamlMap, type YamlSource } from './read.js';
import {
  invalidValue, missingField, optPercentMap, optString, optStringMap, withoutSchemaKey, type LoadedResource,
} from './values.js';

export function normalizeAuthMode(value: string, source: YamlSource): string {
  const v = value.toLowerCase();
  if (v === 'key' || v === 'aml_token') return v;
  if (v === 'aad_token') {
    throw new SwitchyardError(
      'AuthModeUnsupported',
      `auth_mode aad_token in ${where(source, ['auth_mode'])} needs Microsoft Entra ID, which only the cloud service has; use key or aml_token`,
    );
  }
  throw invalidValue(source, ['auth_mode'], 'key or aml_token', value);
}

export function loadEndpointDoc(raw: YamlMap, source: YamlSource, options: { requireName?: boolean } = {}): LoadedResource<EndpointInput> {
  checkKeys(raw, ENDPOINT_KEYS, source, 'endpoint');
  const doc = withoutSchemaKey(raw);
  const name = optString(doc, 'name', source);
  if (!name && options.requireName !== false) throw missingField(source, ['name'], 'give the endpoint a name (name: in the file or --name)');
  const body: EndpointInput = { name: name ?? '' };
  const description = optString(doc, 'description', source);
  if (description !== undefined) body.description = description;
  const tags = optStringMap(doc, 'tags', source);
  if (tags) body.tags = tags;
  const auth = optString(doc, 'auth_mode', source);
  if (auth !== undefined) body.auth_mode = normalizeAuthMode(auth, source);
  const traffic = optPercentMap(doc, 'traffic', source);
  if (traffic) body.traffic = traffic;
  const mirror = optPercentMap(doc, 'mirror_traffic', source);
  if (mirror) body.mirror_traffic = mirror;
  const compute = optString(doc, 'compute', source);
  if (compute !== undefined) body.compute = compute;
  if (doc.identity !== undefined && doc.identity !== null) body.identity = doc.identity;
  const pna = optString(doc, 'public_network_access', source);
  if (pna !== undefined) {
    const v = pna.toLowerCase();
    if (v !== 'enabled' && v !== 'disabled') throw invalidValue(source, ['public_network_access'], 'enabled or disabled', pna);
    body.public_network_access = v;
  }
  return { body, uploads: [], source };
}

/** The part of an endpoint body that PATCH /api/v1/endpoints/:name accepts. */
export function toEndpointPatch(body: EndpointInput): EndpointPatch {
  const patch: EndpointPatch = {};
  if (body.traffic !== undefined) patch.traffic = body.traffic;
  if (body.mirror_traffic !== undefined) patch.mirror_traffic = body.mirror_traffic;
  if (body.description !== undefined) patch.description = body.description;
  if (body.tags !== undefined) patch.tags = body.tags;
  if (body.auth_mode !== undefined) patch.auth_mode = body.auth_mode;
  if (body.public_network_access !== undefined) patch.public_network_access = body.public_network_access;
  return patch;
}
