import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { ComparisonService } from '../comparison-service.js';
import { EndpointParams, errorResponses } from '../schemas/common.js';
import { ComparisonQuery, EndpointComparison, EndpointComparisonSamples } from '../schemas/comparison.js';
import { allows } from '../permissions.js';
import { SwitchyardError } from '../../errors.js';

type Req = { Params: Static<typeof EndpointParams>; Querystring: Static<typeof ComparisonQuery> };

export function registerComparisonRoutes(app: FastifyInstance, comparison: ComparisonService): void {
  app.get<Req>('/api/v1/endpoints/:name/comparison', {
    schema: {
      summary: 'Mirrored answers compared with the live ones, per shadow deployment (samples: Contributor and above)',
      params: EndpointParams,
      querystring: ComparisonQuery,
      response: { 200: EndpointComparison, ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { deployment } = request.query;
    const sinceDate = sinceOf(request.query.since);
    // Samples hold users' requests and answers: only roles that may read them get them.
    const principal = request.principal;
    const samples = principal !== undefined && allows(principal.role, 'onlineEndpoints/comparisonSamples/action');
    const shadows = comparison.read(request.params.name, deployment, { since: sinceDate, samples });
    return { endpoint: request.params.name, shadows };
  });

  app.get<Req>('/api/v1/endpoints/:name/comparison/samples', {
    schema: {
      summary: 'Only the samples of disagreements (requests and both answers), per shadow deployment',
      params: EndpointParams,
      querystring: ComparisonQuery,
      response: { 200: EndpointComparisonSamples, ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const shadows = comparison.read(request.params.name, request.query.deployment, { since: sinceOf(request.query.since), samples: true });
    return { endpoint: request.params.name, shadows: shadows.map((s) => ({ deployment: s.deployment, samples: s.samples })) };
  });
}

function sinceOf(since: string | undefined): Date | undefined {
  if (since === undefined) return undefined;
  const d = new Date(since);
  if (Number.isNaN(d.getTime())) throw new SwitchyardError('InvalidValue', `since must be an ISO 8601 time (got ${JSON.stringify(since)}).`);
  return d;
}
