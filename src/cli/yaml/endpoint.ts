// Endpoint YAML (docs/compatibility.md, "Endpoints"): keys checked against the endpoint schema, values
// typed as YAML writes them, then the whole body checked as the REST API checks it, with the file and
// line of the first bad value. The body is what POST /api/v1/endpoints takes (traffic included: the
// server decides whether a create may carry it); `toEndpointPatch` keeps the keys PATCH applies.
import type { EndpointInput, EndpointPatch } from '../../sdk/types.js';
import { EndpointInput as EndpointInputSchema, EndpointPatch as EndpointPatchSchema } from '../../spec/schema/endpoint.js';
import { checkKeys } from './keys.js';
import type { YamlMap, YamlSource } from './read.js';
import { checkLoaded, withoutSchemaKey, yamlScalars, type LoadedResource } from './values.js';

/** `update`: the file describes a change (checked as PATCH checks it). */
export function loadEndpointDoc(raw: YamlMap, source: YamlSource, options: { update?: boolean } = {}): LoadedResource<EndpointInput> {
  const schema = options.update ? EndpointPatchSchema : EndpointInputSchema;
  checkKeys(raw, schema, source);
  const body = yamlScalars(withoutSchemaKey(raw), schema) as EndpointInput;
  checkLoaded(schema, body, [], source);
  return { body, uploads: [], source };
}

/** The part of an endpoint body that PATCH /api/v1/endpoints/:name applies. */
export function toEndpointPatch(body: EndpointPatch): EndpointPatch {
  const patch: EndpointPatch = {};
  if (body.traffic !== undefined) patch.traffic = body.traffic;
  if (body.mirror_traffic !== undefined) patch.mirror_traffic = body.mirror_traffic;
  if (body.description !== undefined) patch.description = body.description;
  if (body.tags !== undefined) patch.tags = body.tags;
  if (body.auth_mode !== undefined) patch.auth_mode = body.auth_mode;
  if (body.public_network_access !== undefined) patch.public_network_access = body.public_network_access;
  if (body.shadow_traffic !== undefined) patch.shadow_traffic = body.shadow_traffic;
  if (body.sticky_header !== undefined) patch.sticky_header = body.sticky_header;
  if (body.shadow_compare !== undefined) patch.shadow_compare = body.shadow_compare;
  return patch;
}
