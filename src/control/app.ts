// The control API as a Fastify app, separate from listen(): serve() listens, tests call inject().
// Every route declares its schemas; the same schemas validate requests, shape answers and make the
// OpenAPI document at GET /api/v1/openapi.json. Auth is one onRequest hook for every route but health,
// checking each route's action against the caller's role (permissions.ts); the audit log is one
// onResponse hook (audit.ts).
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Logger } from '../logger.js';
import type { ControlContext } from './context.js';
import { controlValidatorCompiler } from './validators.js';
import { bearerAuth, type PrincipalResolver } from './auth.js';
import type { AccessTokens } from './access-tokens.js';
import { auditHook, startAuditRetention } from './audit.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { DeniedAttempts } from './denied-attempts.js';
import { withDefaults, type SecuritySettings } from './security-settings.js';
import { controlServerFactory, type TlsMaterial } from './listener.js';
import { permissionFor } from './permissions.js';
import { makeErrorHandler, notFoundHandler } from './error-handler.js';
import { EndpointService } from './endpoint-service.js';
import { DeploymentService } from './deployment-service.js';
import { AssetService } from './asset-service.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerArtifactRoutes } from './routes/artifacts.js';
import { registerArtifactArchiveRoute } from './routes/artifact-archive.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerEndpointRoutes } from './routes/endpoints.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerComparisonRoutes } from './routes/comparison.js';
import { registerWhoAmIRoutes } from './routes/whoami.js';
import { registerInvokeRoutes } from './routes/invoke.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerRolloutRoutes } from './routes/rollouts.js';
import { registerReplicaRoutes } from './routes/replicas.js';
import type { ReplicaView } from './schemas/replica.js';
import { registerGatewayRoutes } from './routes/gateways.js';
import type { SnapshotFeed } from './snapshot-feed.js';
import type { GatewayFleet } from './gateway-fleet.js';
import { RolloutService } from './rollout-service.js';
import { createRolloutRegistry } from './rollout-metrics.js';
import type { RolloutController } from './rollout-controller.js';
import { SWITCHYARD_VERSION } from './version.js';
import { SwitchyardError } from '../errors.js';

/** Deepest nesting of arrays/objects accepted in a JSON body (specs need a handful of levels). */
const MAX_JSON_DEPTH = 64;

function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export interface ControlAppDeps {
  context: ControlContext;
  /** Who a bearer token belongs to (the admin token, then stored tokens). */
  auth: PrincipalResolver;
  /** Stored control-plane tokens (the token routes). */
  tokens: AccessTokens;
  logger: Logger;
  version?: string;
  /** The built web console (default dist/console of this package). */
  consoleDir?: string;
  /** The rollout controller and whether a shadow comparison feeds its agreement gate. */
  rollouts: { controller: RolloutController; hasAgreement: boolean };
  /** Standalone gateways: the snapshot stream they read and their registrations (docs/gateway.md). */
  gateways: { feed: SnapshotFeed; fleet: GatewayFleet };
  /** Largest JSON body (default 16 MiB: conda files and inline environments are small). */
  jsonBodyLimit?: number;
  /** Audit retention, the failed-authentication rate limit, listener limits (defaults: security-settings.ts). */
  security?: Partial<SecuritySettings>;
  /** Certificate and key: the control API answers HTTPS only. */
  tls?: TlsMaterial;
  /** Instances run as the server's own user: writing a deployment needs Owner (permissions.ts). */
  codeRunsAsServer?: boolean;
  /** Several replicas share the store: who they are and which one leads (GET /api/v1/replicas). */
  replicas?: () => Promise<ReplicaView[]>;
}

export async function buildControlApp(deps: ControlAppDeps): Promise<FastifyInstance> {
  const version = deps.version ?? SWITCHYARD_VERSION;
  const security = withDefaults(deps.security);
  const app = Fastify({
    // HTTPS with a certificate; a connection cap and slow-client timeouts either way (listener.ts).
    serverFactory: controlServerFactory(security, deps.tls),
    loggerInstance: deps.logger,
    // Per-request lines would drown the log (the CLI long-polls operations); onResponse logs at debug.
    logController: new LogController({ disableRequestLogging: true }),
    // Long path parameters reach the routes (404/400 in the catalogue's shape) instead of the router's
    // bare 414, which answered before reading the body and broke the connection for the client.
    routerOptions: { maxParamLength: 4096 },
    bodyLimit: deps.jsonBodyLimit ?? 16 * 1024 * 1024,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(controlValidatorCompiler());

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
  // JSON must be UTF-8 (RFC 8259): invalid bytes are refused instead of stored as U+FFFD.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : utf8.decode(body);
    } catch {
      return done(new SwitchyardError('BadRequest', 'The request body is not valid UTF-8; send JSON encoded as UTF-8.'), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      // Validation and error messages walk bodies recursively: a deeply nested body would overflow
      // the stack (a 500), so it is refused here.
      if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
        return done(new SwitchyardError('BadRequest', `The request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`), undefined);
      }
      return done(null, value);
    });
  });

  // A route missing from the permission table would be a hole: refuse to start instead.
  app.addHook('onRoute', (route) => {
    if (route.config?.public) return;
    for (const method of [route.method].flat()) {
      if (!permissionFor(method, route.url)) {
        throw new Error(`Route ${method} ${route.url} has no action in src/control/permissions.ts (ROUTE_ACTIONS).`);
      }
    }
  });

  const limiter = new AuthFailureLimiter({
    limit: security.authFailureLimit, windowMs: security.authFailureWindowSeconds * 1000, maxSources: security.authFailureSources,
  });
  const denied = new DeniedAttempts(deps.context.store, deps.logger, {
    retentionDays: security.deniedRetentionDays, maxRows: security.deniedMaxRows,
  });
  const stopRetention = startAuditRetention(deps.context.store, security.auditRetentionDays, deps.logger);
  app.addHook('onClose', async () => {
    stopRetention();
    denied.close();
  });

  app.setErrorHandler(makeErrorHandler());
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', bearerAuth(deps.auth, limiter, { codeRunsAsServer: deps.codeRunsAsServer === true }));
  app.addHook('onResponse', auditHook(deps.context.store, denied, deps.logger));
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'control request');
  });

  const ctx = deps.context;
  registerHealthRoutes(app, version);
  registerArtifactRoutes(app, ctx.artifacts);
  if (ctx.deploymentCredentials) registerArtifactArchiveRoute(app, { artifacts: ctx.artifacts, store: ctx.store, credentials: ctx.deploymentCredentials });
  registerAssetRoutes(app, new AssetService(ctx.store));
  const endpoints = new EndpointService(ctx);
  registerEndpointRoutes(app, endpoints);
  registerInvokeRoutes(app, endpoints);
  registerDeploymentRoutes(app, new DeploymentService(ctx));
  registerOperationRoutes(app, ctx.operations);
  const rolloutMetrics = createRolloutRegistry(ctx.store);
  registerMetricsRoutes(app, ctx.gateway, async () => (await ctx.comparisonMetricsText()) + (await rolloutMetrics.metrics()));
  registerComparisonRoutes(app, ctx.comparison);
  registerTokenRoutes(app, deps.tokens);
  registerAuditRoutes(app, ctx.store, denied);
  registerWhoAmIRoutes(app);
  registerConsoleRoutes(app, deps.consoleDir);
  registerRolloutRoutes(app, new RolloutService(ctx.store, deps.rollouts.controller, deps.rollouts.hasAgreement));
  registerReplicaRoutes(app, deps.replicas);
  registerGatewayRoutes(app, deps.gateways.feed, deps.gateways.fleet);
  // Snapshot streams last as long as their gateways: end them first, or closing would wait on them.
  app.addHook('preClose', async () => { deps.gateways.feed.close(); });
  app.get('/api/v1/openapi.json', { schema: { summary: 'This document' } }, async () => app.swagger());

  await app.ready();
  return app;
}
