import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { DeploymentService } from '../deployment-service.js';
import { DeploymentListParams, DeploymentParams, ListOf, errorResponses } from '../schemas/common.js';
import { DeploymentAccepted, DeploymentInput, DeploymentPatch, DeploymentView, LogsQuery } from '../schemas/deployment.js';

type OfEndpoint = { Params: Static<typeof DeploymentListParams> };
type Named = { Params: Static<typeof DeploymentParams> };

export function registerDeploymentRoutes(app: FastifyInstance, deployments: DeploymentService): void {
  const base = '/api/v1/endpoints/:endpoint/deployments';

  app.post<OfEndpoint>(base, {
    schema: {
      summary: 'Create a deployment (202; instances start in the background)',
      params: DeploymentListParams,
      body: DeploymentInput,
      response: { 202: DeploymentAccepted, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => reply.code(202).send(deployments.create(request.params.endpoint, request.body)));

  app.get<OfEndpoint>(base, {
    schema: { params: DeploymentListParams, response: { 200: ListOf(DeploymentView), ...errorResponses(404) } },
  }, async (request) => ({ value: deployments.list(request.params.endpoint) }));

  app.get<Named>(`${base}/:name`, {
    schema: { params: DeploymentParams, response: { 200: DeploymentView, ...errorResponses(404) } },
  }, async (request) => deployments.get(request.params.endpoint, request.params.name));

  app.patch<Named>(`${base}/:name`, {
    schema: {
      summary: 'Update a deployment (202): instance_count alone scales, anything else rolls the instances',
      params: DeploymentParams,
      body: DeploymentPatch,
      response: { 202: DeploymentAccepted, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => reply.code(202).send(deployments.update(request.params.endpoint, request.params.name, request.body)));

  app.delete<Named>(`${base}/:name`, {
    schema: {
      summary: 'Delete a deployment (202; 409 while it has live or mirror traffic)',
      params: DeploymentParams,
      response: { 202: DeploymentAccepted, ...errorResponses(404, 409) },
    },
  }, async (request, reply) => reply.code(202).send(deployments.delete(request.params.endpoint, request.params.name)));

  app.get<Named & { Querystring: Static<typeof LogsQuery> }>(`${base}/:name/logs`, {
    schema: {
      summary: 'The last lines of the instances\' logs (text/plain)',
      params: DeploymentParams,
      querystring: LogsQuery,
      response: { 200: Type.String(), ...errorResponses(400, 404) },
    },
  }, async (request, reply) => {
    const text = await deployments.logs(request.params.endpoint, request.params.name, {
      lines: request.query.lines ?? 5000,
      container: request.query.container ?? 'inference-server',
    });
    return reply.type('text/plain; charset=utf-8').send(text);
  });

  app.get<Named>(`${base}/:name/manifests`, {
    schema: {
      summary: 'Extension: the Kubernetes objects the Kubernetes backend applies for this deployment (a v1 List; Secret values left out)',
      params: DeploymentParams,
      response: {
        200: Type.Object({ apiVersion: Type.Literal('v1'), kind: Type.Literal('List'), items: Type.Array(Type.Unknown()) }),
        ...errorResponses(400, 404),
      },
    },
  }, async (request) => deployments.manifests(request.params.endpoint, request.params.name));

  app.get<Named>(`${base}/:name/metrics`, {
    schema: {
      summary: 'The gateway\'s counters for this deployment (JSON)',
      params: DeploymentParams,
      response: { 200: Type.Object({ endpoint: Type.String(), deployment: Type.String() }, { additionalProperties: true }), ...errorResponses(404) },
    },
  }, async (request) => deployments.metrics(request.params.endpoint, request.params.name));
}
