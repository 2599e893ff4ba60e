import { Type } from '@sinclair/typebox';

/** Largest request body the invoke route forwards (the console's Test page pastes JSON). */
export const INVOKE_MAX_BODY_CHARS = 1024 * 1024;

export const InvokeBody = Type.Object({
  body: Type.Optional(Type.String({ maxLength: INVOKE_MAX_BODY_CHARS, description: 'The request body sent to the scoring URI, as is (default empty)' })),
  deployment: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Sent as azureml-model-deployment (the console requires it, as Studio does)' })),
  content_type: Type.Optional(Type.String({ maxLength: 200, description: 'default application/json' })),
  path: Type.Optional(Type.Union([Type.Literal('score'), Type.Literal('swagger.json')], { description: 'score (default): POST the body to the scoring URI; swagger.json: GET the OpenAPI document (openapi_uri)' })),
}, { additionalProperties: false });

export const InvokeResult = Type.Object({
  status: Type.Integer({ description: "The gateway's HTTP status" }),
  latency_ms: Type.Number({ description: 'From sending the request to the end of the answer, measured by the control plane' }),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.String({ description: 'The answer body (at most 1 MiB; `truncated` says when it was cut)' }),
  truncated: Type.Boolean(),
});
