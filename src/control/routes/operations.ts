import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import type { Operations } from '../operations.js';
import { Operation, OperationParams, OperationQuery } from '../schemas/operation.js';
import { errorResponses } from '../schemas/common.js';

export const MAX_WAIT_SECONDS = 60;

export function registerOperationRoutes(app: FastifyInstance, operations: Operations): void {
  app.get<{ Params: Static<typeof OperationParams>; Querystring: Static<typeof OperationQuery> }>('/api/v1/operations/:id', {
    schema: {
      summary: 'An operation; with ?wait=S, answers when it has ended or after S seconds (at most 60)',
      params: OperationParams,
      querystring: OperationQuery,
      response: { 200: Operation, ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(0, request.query.wait ?? 0));
    const op = await operations.wait(request.params.id, seconds * 1000);
    if (!op) throw new SwitchyardError('OperationNotFound', `Operation ${JSON.stringify(request.params.id)} does not exist.`);
    return op;
  });
}
