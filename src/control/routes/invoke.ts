import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { EndpointService } from '../endpoint-service.js';
import { invokeEndpoint } from '../invoke.js';
import { EndpointParams, errorResponses } from '../schemas/common.js';
import { InvokeBody, InvokeResult } from '../schemas/invoke.js';

type Invoke = { Params: Static<typeof EndpointParams>; Body: Static<typeof InvokeBody> };

export function registerInvokeRoutes(app: FastifyInstance, endpoints: EndpointService): void {
  app.post<Invoke>('/api/v1/endpoints/:name/invoke', {
    schema: {
      summary: "Extension: send a request to the endpoint's scoring URI with its key or a fresh token, and answer what the gateway answered",
      params: EndpointParams,
      body: InvokeBody,
      response: { 200: InvokeResult, ...errorResponses(400, 404, 504) },
    },
  }, async (request) => invokeEndpoint(endpoints, request.params.name, request.body));
}
