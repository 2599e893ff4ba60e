import { Type } from '@sinclair/typebox';
import { PercentMap, StringMap } from './common.js';
import { Operation } from './operation.js';

const AuthMode = Type.String({ description: 'key (default) or aml_token, case-insensitive; aad_token is cloud-only and refused' });
const PublicNetworkAccess = Type.String({ description: 'enabled (default) or disabled' });

/** Unknown keys are refused by the normaliser (UnknownKey, naming the key); read-only `show` fields are ignored. */
export const EndpointInput = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.String({ description: "3-32 characters: letters, digits and '-', starting with a letter, not ending with '-'" }),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap),
  auth_mode: Type.Optional(AuthMode),
  traffic: Type.Optional(PercentMap),
  mirror_traffic: Type.Optional(PercentMap),
  compute: Type.Optional(Type.String()),
  identity: Type.Optional(Type.Unknown()),
  public_network_access: Type.Optional(PublicNetworkAccess),
}, { description: 'Traffic must be empty or all zero at create (TrafficNotAllowedAtCreate)' });

export const EndpointPatch = Type.Object({
  traffic: Type.Optional(PercentMap),
  mirror_traffic: Type.Optional(PercentMap),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(StringMap),
  auth_mode: Type.Optional(AuthMode),
  public_network_access: Type.Optional(PublicNetworkAccess),
  compute: Type.Optional(Type.String()),
  identity: Type.Optional(Type.Unknown()),
}, { description: 'Named maps replace the stored map whole; fields not named are kept' });

export const EndpointView = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  tags: StringMap,
  auth_mode: Type.String(),
  traffic: PercentMap,
  mirror_traffic: PercentMap,
  compute: Type.Optional(Type.String()),
  identity: Type.Optional(Type.Unknown()),
  public_network_access: Type.String(),
  id: Type.String(),
  kind: Type.String({ description: 'Managed or K8S' }),
  location: Type.String(),
  provisioning_state: Type.String({ description: 'Creating, Updating, Deleting, Succeeded, Failed' }),
  scoring_uri: Type.String(),
  openapi_uri: Type.String(),
  properties: Type.Record(Type.String(), Type.String()),
});

export const EndpointAccepted = Type.Object({ operation: Operation, endpoint: EndpointView });

export const EndpointKeys = Type.Object({ primaryKey: Type.String(), secondaryKey: Type.String() });
export const RegenerateKeysBody = Type.Object({
  keyType: Type.Union([Type.Literal('primary'), Type.Literal('secondary')]),
});
export const EndpointToken = Type.Object({
  accessToken: Type.String(),
  expiryTimeUtc: Type.String(),
  refreshAfterTimeUtc: Type.String(),
  tokenType: Type.Literal('Bearer'),
});
