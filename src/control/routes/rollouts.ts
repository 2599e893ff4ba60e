import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { RolloutService } from '../rollout-service.js';
import { EndpointParams, ListOf, errorResponses } from '../schemas/common.js';
import { RolloutStartInput, RolloutView } from '../../spec/schema/rollout.js';

type Named = { Params: Static<typeof EndpointParams> };

export function registerRolloutRoutes(app: FastifyInstance, rollouts: RolloutService): void {
  app.post<Named>('/api/v1/endpoints/:name/rollout', {
    schema: {
      summary: 'Start a progressive rollout of a candidate deployment (201; the first step is in force when it answers)',
      params: EndpointParams,
      body: RolloutStartInput,
      response: { 201: RolloutView, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await rollouts.start(request.params.name, request.body, request.principal!)));

  app.get<Named>('/api/v1/endpoints/:name/rollout', {
    schema: { summary: "The endpoint's newest rollout: state, step, gates, history", params: EndpointParams, response: { 200: RolloutView, ...errorResponses(404) } },
  }, async (request) => rollouts.get(request.params.name));

  for (const action of ['pause', 'resume', 'abort', 'promote'] as const) {
    app.post<Named>(`/api/v1/endpoints/:name/rollout/${action}`, {
      schema: {
        summary: {
          pause: 'Pause the rollout: traffic stays, gates stop',
          resume: 'Resume a paused rollout at its step',
          abort: 'Abort the rollout: the baseline gets its traffic back, the candidate is kept',
          promote: 'Go to the next step now, without waiting for a verdict',
        }[action],
        params: EndpointParams,
        response: { 200: RolloutView, ...errorResponses(404, 409) },
      },
    }, async (request) => rollouts[action](request.params.name, request.principal!));
  }

  app.get('/api/v1/rollouts', {
    schema: { summary: 'Every rollout, newest first', response: { 200: ListOf(RolloutView) } },
  }, async () => ({ value: rollouts.list() }));
}
