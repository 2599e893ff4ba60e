// Schemas shared by the routes: error body, list wrapper, path parameters. They validate requests,
// shape responses (so secrets and internals never leak by accident) and make the OpenAPI document.
// The resources themselves (bodies and views) are declared once in src/spec/schema/.
import { Type, type TSchema } from '@sinclair/typebox';
import { PercentMap as percentMap, StringMap as stringMap } from '../../spec/schema/fields.js';

export const StringMap = stringMap();
export const PercentMap = percentMap();

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable error code (src/errors.ts)' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
}, { description: 'Every refusal and failure' });

export const ListOf = <T extends TSchema>(item: T) => Type.Object({ value: Type.Array(item) });


export const EndpointParams = Type.Object({ name: Type.String() });
export const DeploymentListParams = Type.Object({ endpoint: Type.String() });
export const DeploymentParams = Type.Object({ endpoint: Type.String(), name: Type.String() });
export const AssetParams = Type.Object({ name: Type.String() });
export const AssetVersionParams = Type.Object({ name: Type.String(), version: Type.String({ description: "a version, or 'latest'" }) });

/** Error answers a route can give, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]): Record<number, typeof ErrorBody> =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
