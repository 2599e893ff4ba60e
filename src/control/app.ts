// The control API as a Fastify app, separate from listen(): serve() listens, tests call inject().
// Every route declares its schemas; the same schemas validate requests, shape answers and make the
// OpenAPI document at GET /api/v1/openapi.json. Auth is one onRequest hook for every route but health.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from '../logger.js';
import type { ControlContext } from './context.js';
import { bearerAuth, type PrincipalResolver } from './auth.js';
import { makeErrorHandler, notFoundHandler } from './error-handler.js';
import { EndpointService } from './endpoint-service.js';
import { DeploymentService } from './deployment-service.js';
import { AssetService } from './asset-service.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerArtifactRoutes } from './routes/artifacts.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerEndpointRoutes } from './routes/endpoints.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { SWITCHYARD_VERSION } from './version.js';

export interface ControlAppDeps {
  context: ControlContext;
  /** Who a bearer token belongs to (adminTokenResolver today; stored tokens later). */
  auth: PrincipalResolver;
  logger: Logger;
  version?: string;
  /** Largest JSON body (default 16 MiB: conda files and inline environments are small). */
  jsonBodyLimit?: number;
}

export async function buildControlApp(deps: ControlAppDeps): Promise<FastifyInstance> {
  const version = deps.version ?? SWITCHYARD_VERSION;
  const app = Fastify({
    loggerInstance: deps.logger,
    // Per-request lines would drown the log (the CLI long-polls operations); onResponse logs at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.jsonBodyLimit ?? 16 * 1024 * 1024,
    // Unknown keys must reach the normalisers (which refuse them by name) instead of being stripped;
    // defaults are applied by the normalisers too, so the stored spec records them.
    ajv: { customOptions: { removeAdditional: false, useDefaults: false, coerceTypes: 'array', allErrors: false, verbose: true } },
  }) as unknown as FastifyInstance;

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Switchyard control API', version, description: 'docs/rest-api.md' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  // POST routes without a body (list-keys, token) get called with `Content-Type: application/json` and
  // nothing else by curl users; an empty JSON body means "no body", not an error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  app.setErrorHandler(makeErrorHandler());
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', bearerAuth(deps.auth));
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'control request');
  });

  const ctx = deps.context;
  registerHealthRoutes(app, version);
  registerArtifactRoutes(app, ctx.artifacts);
  registerAssetRoutes(app, new AssetService(ctx.store));
  registerEndpointRoutes(app, new EndpointService(ctx));
  registerDeploymentRoutes(app, new DeploymentService(ctx));
  registerOperationRoutes(app, ctx.operations);
  registerMetricsRoutes(app, ctx.gateway);
  app.get('/api/v1/openapi.json', { schema: { summary: 'This document', hide: true } }, async () => app.swagger());

  await app.ready();
  return app;
}
