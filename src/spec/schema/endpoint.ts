// The endpoint resource: what create and update take (REST body, YAML file, SDK input) and what `show`
// prints. One source: the REST validation, the OpenAPI document, the YAML key check, the SDK's types and
// spec/endpoint-input.ts (defaults and cross-field rules only) all come from here.
import { Type, type Static } from '@sinclair/typebox';
import {
  AnyMap, Choice, Literals, PercentMap, PROVISIONING_STATES, ReadOnly, ResourceName, SchemaHint, StringMap,
} from './fields.js';

export const AUTH_MODES = ['key', 'aml_token'] as const;

/** An HTTP header name (or '' to turn the sticky split off). */
const StickyHeader = () => Type.String({
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{0,128}$", 'x-expected': 'an HTTP header name such as x-user-id',
  description: 'Extension: requests carrying this header always reach the same deployment while the weights stay; "" turns it off',
});
const Tolerance = (what: string) => Type.Optional(Type.Number({ minimum: 0, description: `${what} tolerance of numbers (default 1e-6)` }));
const ShadowCompare = () => Type.Object({
  abs_tolerance: Tolerance('Absolute'), rel_tolerance: Tolerance('Relative'),
  calibrate_percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'Noise calibration: share of compared requests also sent to the live deployment itself, to learn which outputs vary on their own (default 0: off)' })),
}, {
  additionalProperties: false, description: 'Extension: how mirrored answers are compared with live ones (docs/shadow-evaluation.md)',
});
export const PUBLIC_NETWORK_ACCESS = ['enabled', 'disabled'] as const;

const endpointFields = {
  $schema: SchemaHint(),
  name: ResourceName('endpoint', { examples: ['my-endpoint'] }),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap()),
  auth_mode: Type.Optional(Type.Unsafe<'key' | 'aml_token'>(Type.String({
    format: 'auth-mode', default: 'key', 'x-choices': [...AUTH_MODES],
    description: 'key (default) or aml_token, case-insensitive; aad_token is cloud-only and refused',
  }))),
  traffic: Type.Optional(PercentMap({ description: 'Live traffic {deployment: percent}; the percentages add up to 0 or 100' })),
  mirror_traffic: Type.Optional(PercentMap({ description: 'Mirrored traffic: at most one deployment, at most 50 percent' })),
  compute: Type.Optional(Type.String({ description: 'Set for a Kubernetes endpoint (kind K8S); kept, not used by the local runtime' })),
  identity: Type.Optional(AnyMap()),
  public_network_access: Type.Optional(Choice(PUBLIC_NETWORK_ACCESS, { default: 'enabled' })),
  // Extensions (docs/shadow-evaluation.md): off until set.
  shadow_traffic: Type.Optional(PercentMap({
    description: 'Extension: shadows {deployment: percent}, any number, each sampled on its own; live deployments allowed; not also in mirror_traffic',
  })),
  sticky_header: Type.Optional(StickyHeader()),
  shadow_compare: Type.Optional(ShadowCompare()),
  // Printed by show; accepted and ignored so show output can be fed back.
  id: ReadOnly(), provisioning_state: ReadOnly(), scoring_uri: ReadOnly(), openapi_uri: ReadOnly(), kind: ReadOnly(),
  location: ReadOnly(), properties: ReadOnly(),
};

/** POST /api/v1/endpoints, `online-endpoint create -f`. */
export const EndpointInput = Type.Object(endpointFields, {
  title: 'endpoint', additionalProperties: false,
  description: 'Traffic must be empty or all zero at create (TrafficNotAllowedAtCreate)',
});
export type EndpointInput = Static<typeof EndpointInput>;

/** PATCH /api/v1/endpoints/:name, `online-endpoint update`. */
export const EndpointPatch = Type.Object({ ...endpointFields, name: Type.Optional(Type.String({ description: 'Must match the URL' })) }, {
  title: 'endpoint update', additionalProperties: false,
  description: 'Named maps replace the stored map whole; fields not named are kept',
});
export type EndpointPatch = Static<typeof EndpointPatch>;

/** The endpoint as stored: every default applied, zero traffic entries dropped. */
const endpointSpecFields = {
  name: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap(),
  auth_mode: Literals(AUTH_MODES),
  traffic: PercentMap(),
  mirror_traffic: PercentMap(),
  /** Extension: shadows {deployment: 0..100}, any number, live deployments allowed (docs/shadow-evaluation.md). */
  shadow_traffic: Type.Optional(PercentMap()),
  /** Extension: requests carrying this header stick to one deployment (consistent assignment). */
  sticky_header: Type.Optional(Type.String()),
  /** Extension: tolerances of the answer comparison (spec/compare.ts). */
  shadow_compare: Type.Optional(ShadowCompare()),
  compute: Type.Optional(Type.String()),
  identity: Type.Optional(Type.Unknown()),
  public_network_access: Literals(PUBLIC_NETWORK_ACCESS),
};
export const EndpointSpec = Type.Object(endpointSpecFields);

/** What `show` prints: the spec plus the read-only fields Azure ML shows. */
export const EndpointView = Type.Object({
  ...endpointSpecFields,
  id: Type.String(),
  kind: Literals(['Managed', 'K8S'] as const, { description: 'Managed, or K8S when compute is set' }),
  location: Type.Literal('local'),
  provisioning_state: Literals(PROVISIONING_STATES),
  scoring_uri: Type.String(),
  openapi_uri: Type.String(),
  properties: Type.Object({ createdAt: Type.String(), lastModifiedAt: Type.String(), 'azureml.onlineendpointid': Type.String() }),
});
