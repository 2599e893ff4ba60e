// The endpoint's bodies and view are declared once in src/spec/schema/endpoint.ts; here are the answers
// of the routes that are not the resource itself (keys, tokens, 202s).
import { Type } from '@sinclair/typebox';
import { EndpointInput, EndpointPatch, EndpointView } from '../../spec/schema/endpoint.js';
import { Operation } from './operation.js';

export { EndpointInput, EndpointPatch, EndpointView };

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
