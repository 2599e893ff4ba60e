import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { EndpointService } from '../endpoint-service.js';
import { EndpointParams, ListOf, errorResponses } from '../schemas/common.js';
import {
  EndpointAccepted, EndpointInput, EndpointKeys, EndpointPatch, EndpointToken, EndpointView, RegenerateKeysBody,
} from '../schemas/endpoint.js';

type Named = { Params: Static<typeof EndpointParams> };

export function registerEndpointRoutes(app: FastifyInstance, endpoints: EndpointService): void {
  app.post('/api/v1/endpoints', {
    schema: {
      summary: 'Create an endpoint (202; fails if it exists)',
      body: EndpointInput,
      response: { 202: EndpointAccepted, ...errorResponses(400, 401, 409) },
    },
  }, async (request, reply) => reply.code(202).send(await endpoints.create(request.body)));

  app.get('/api/v1/endpoints', {
    schema: { summary: 'List endpoints', response: { 200: ListOf(EndpointView) } },
  }, async () => ({ value: endpoints.list() }));

  app.get<Named>('/api/v1/endpoints/:name', {
    schema: { params: EndpointParams, response: { 200: EndpointView, ...errorResponses(404) } },
  }, async (request) => endpoints.get(request.params.name));

  app.patch<Named>('/api/v1/endpoints/:name', {
    schema: {
      summary: 'Update traffic, mirror traffic, description, tags, auth_mode (202)',
      params: EndpointParams,
      body: EndpointPatch,
      response: { 202: EndpointAccepted, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => reply.code(202).send(await endpoints.update(request.params.name, request.body)));

  app.delete<Named>('/api/v1/endpoints/:name', {
    schema: {
      summary: 'Delete an endpoint and its deployments (202)',
      params: EndpointParams,
      response: { 202: EndpointAccepted, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => reply.code(202).send(await endpoints.delete(request.params.name)));

  app.post<Named>('/api/v1/endpoints/:name/list-keys', {
    schema: { summary: 'The two keys of a key-auth endpoint', params: EndpointParams, response: { 200: EndpointKeys, ...errorResponses(400, 404) } },
  }, async (request) => endpoints.listKeys(request.params.name));

  app.post<Named & { Body: Static<typeof RegenerateKeysBody> }>('/api/v1/endpoints/:name/regenerate-keys', {
    schema: {
      summary: 'Replace one key (key endpoints) or the token signing secret (aml_token endpoints: every issued token stops working; answers a new token); the old credential stops working before the answer',
      params: EndpointParams,
      body: RegenerateKeysBody,
      response: { 200: Type.Union([EndpointKeys, EndpointToken]), ...errorResponses(400, 404) },
    },
  }, async (request) => endpoints.regenerateKeys(request.params.name, request.body.keyType));

  app.post<Named>('/api/v1/endpoints/:name/token', {
    schema: { summary: 'A fresh aml_token (aml_token endpoints only)', params: EndpointParams, response: { 200: EndpointToken, ...errorResponses(400, 404) } },
  }, async (request) => endpoints.token(request.params.name));
}
