// The permission table of the control API, in one place: which action each route performs (named after
// Azure's `Microsoft.MachineLearningServices/workspaces/...` actions) and which actions each role may
// perform. The auth hook enforces it for every request; app.ts refuses to start with a route that is
// missing here, and test/integration/control-access.test.ts walks every route of the OpenAPI
// document as every role.

import { ROLES } from '../spec/schema/token.js';

export { ROLES };
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'onlineEndpoints/read',
  'onlineEndpoints/write',
  'onlineEndpoints/delete',
  'onlineEndpoints/listKeys/action',
  'onlineEndpoints/regenerateKeys/action',
  'onlineEndpoints/token/action',
  // Calling the scoring URI through the control plane (the console's Test page): Azure's invoke action.
  'onlineEndpoints/score/action',
  'onlineEndpoints/deployments/read',
  'onlineEndpoints/deployments/write',
  'onlineEndpoints/deployments/delete',
  // Logs may hold whatever a scoring script prints: an action, as in Azure, so Reader does not get them.
  'onlineEndpoints/deployments/getLogs/action',
  // Samples of compared answers hold users' requests and answers: Contributor and above (as logs).
  'onlineEndpoints/comparisonSamples/action',
  // Progressive rollouts (a Switchyard extension): reading one is a read; starting or steering one
  // changes traffic, as `online-endpoint update` does.
  'onlineEndpoints/rollouts/read',
  'onlineEndpoints/rollouts/write',
  // Needed on top of deployments/write only when instances run as the server's own user (see below).
  'onlineEndpoints/deployments/runAsServer/action',
  'models/read',
  'models/write',
  'environments/read',
  'environments/write',
  'artifacts/read',
  'artifacts/write',
  'operations/read',
  'metrics/read',
  'apiDocument/read',
  // Who the caller is and what its role allows (GET /api/v1/whoami): every role, so clients adapt.
  'whoami/read',
  // Control-plane access (Azure: Microsoft.Authorization/*), for Owner only.
  'tokens/read',
  'tokens/write',
  'tokens/delete',
  'auditLogs/read',
  // The control-plane replicas sharing a PostgreSQL store and which one leads (an extension).
  'replicas/read',
  // Standalone gateways (an extension, docs/gateway.md). Snapshots hold instance secrets and key hashes:
  // only the Switchyard Gateway role (and Owner) may stream them and report what a gateway serves.
  'gateways/snapshots/action',
  'gateways/register/action',
  'gateways/read',
] as const;

export type Action = (typeof ACTIONS)[number];

/** What a route needs: an action, or nothing at all (`public`: answered without a token). */
export type RoutePermission = Action | 'public';

/**
 * Every route, as `METHOD /path` with Fastify's `:param` syntax. HEAD routes (Fastify adds one per GET)
 * need what their GET needs.
 */
export const ROUTE_ACTIONS: Readonly<Record<string, RoutePermission>> = {
  'GET /api/v1/health': 'public',
  // No user token: its own credential, a deployment's short-lived fetch token (routes/artifact-archive.ts).
  'GET /api/v1/artifacts/:digest/archive': 'public',
  'GET /api/v1/openapi.json': 'apiDocument/read',
  'GET /metrics': 'metrics/read',

  'POST /api/v1/artifacts': 'artifacts/write',
  'GET /api/v1/artifacts/:digest': 'artifacts/read',

  'POST /api/v1/models': 'models/write',
  'GET /api/v1/models': 'models/read',
  'GET /api/v1/models/:name/versions': 'models/read',
  'GET /api/v1/models/:name/versions/:version': 'models/read',
  'POST /api/v1/environments': 'environments/write',
  'GET /api/v1/environments': 'environments/read',
  'GET /api/v1/environments/:name/versions': 'environments/read',
  'GET /api/v1/environments/:name/versions/:version': 'environments/read',

  'POST /api/v1/endpoints': 'onlineEndpoints/write',
  'GET /api/v1/endpoints': 'onlineEndpoints/read',
  'GET /api/v1/endpoints/:name': 'onlineEndpoints/read',
  'PATCH /api/v1/endpoints/:name': 'onlineEndpoints/write',
  'DELETE /api/v1/endpoints/:name': 'onlineEndpoints/delete',
  'POST /api/v1/endpoints/:name/list-keys': 'onlineEndpoints/listKeys/action',
  'POST /api/v1/endpoints/:name/regenerate-keys': 'onlineEndpoints/regenerateKeys/action',
  'POST /api/v1/endpoints/:name/token': 'onlineEndpoints/token/action',
  // The figures are for readers; the samples inside need onlineEndpoints/comparisonSamples/action.
  'GET /api/v1/endpoints/:name/comparison': 'onlineEndpoints/read',
  'GET /api/v1/endpoints/:name/comparison/samples': 'onlineEndpoints/comparisonSamples/action',
  'POST /api/v1/endpoints/:name/invoke': 'onlineEndpoints/score/action',

  'POST /api/v1/endpoints/:endpoint/deployments': 'onlineEndpoints/deployments/write',
  'GET /api/v1/endpoints/:endpoint/deployments': 'onlineEndpoints/deployments/read',
  'GET /api/v1/endpoints/:endpoint/deployments/:name': 'onlineEndpoints/deployments/read',
  'PATCH /api/v1/endpoints/:endpoint/deployments/:name': 'onlineEndpoints/deployments/write',
  'DELETE /api/v1/endpoints/:endpoint/deployments/:name': 'onlineEndpoints/deployments/delete',
  'GET /api/v1/endpoints/:endpoint/deployments/:name/logs': 'onlineEndpoints/deployments/getLogs/action',
  'GET /api/v1/endpoints/:endpoint/deployments/:name/metrics': 'onlineEndpoints/deployments/read',
  'GET /api/v1/endpoints/:endpoint/deployments/:name/manifests': 'onlineEndpoints/deployments/read',

  'POST /api/v1/endpoints/:name/rollout': 'onlineEndpoints/rollouts/write',
  'GET /api/v1/endpoints/:name/rollout': 'onlineEndpoints/rollouts/read',
  'POST /api/v1/endpoints/:name/rollout/pause': 'onlineEndpoints/rollouts/write',
  'POST /api/v1/endpoints/:name/rollout/resume': 'onlineEndpoints/rollouts/write',
  'POST /api/v1/endpoints/:name/rollout/abort': 'onlineEndpoints/rollouts/write',
  'POST /api/v1/endpoints/:name/rollout/promote': 'onlineEndpoints/rollouts/write',
  'GET /api/v1/rollouts': 'onlineEndpoints/rollouts/read',

  'GET /api/v1/operations/:id': 'operations/read',

  'POST /api/v1/tokens': 'tokens/write',
  'GET /api/v1/tokens': 'tokens/read',
  'DELETE /api/v1/tokens/:id': 'tokens/delete',
  'GET /api/v1/audit': 'auditLogs/read',
  'GET /api/v1/audit/denied': 'auditLogs/read',
  'GET /api/v1/whoami': 'whoami/read',
  'GET /api/v1/replicas': 'replicas/read',

  'GET /api/v1/gateway/snapshots': 'gateways/snapshots/action',
  'POST /api/v1/gateways': 'gateways/register/action',
  'DELETE /api/v1/gateways/:id': 'gateways/register/action',
  'GET /api/v1/gateways': 'gateways/read',
};

const READER: readonly Action[] = [
  'onlineEndpoints/read', 'onlineEndpoints/deployments/read', 'onlineEndpoints/rollouts/read', 'models/read', 'environments/read', 'artifacts/read',
  'operations/read', 'metrics/read', 'apiDocument/read', 'whoami/read', 'replicas/read', 'gateways/read',
];

const CONTRIBUTOR: readonly Action[] = [
  ...READER,
  'onlineEndpoints/write', 'onlineEndpoints/delete', 'onlineEndpoints/listKeys/action',
  'onlineEndpoints/regenerateKeys/action', 'onlineEndpoints/token/action', 'onlineEndpoints/score/action',
  'onlineEndpoints/deployments/write', 'onlineEndpoints/deployments/delete', 'onlineEndpoints/deployments/getLogs/action',
  'onlineEndpoints/comparisonSamples/action',
  'onlineEndpoints/rollouts/write',
  'models/write', 'environments/write', 'artifacts/write',
];

const OWNER: readonly Action[] = [
  ...CONTRIBUTOR, 'tokens/read', 'tokens/write', 'tokens/delete', 'auditLogs/read', 'onlineEndpoints/deployments/runAsServer/action',
  'gateways/snapshots/action', 'gateways/register/action',
];

/** A standalone gateway's token: its snapshots and its own registration, nothing else (not even whoami). */
const GATEWAY: readonly Action[] = ['gateways/snapshots/action', 'gateways/register/action'];

/** What each role may do. Reader ⊂ Contributor ⊂ Owner; Switchyard Gateway ⊂ Owner. */
export const ROLE_ACTIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  Reader: new Set(READER),
  Contributor: new Set(CONTRIBUTOR),
  Owner: new Set(OWNER),
  'Switchyard Gateway': new Set(GATEWAY),
};

/**
 * Deploying code is running code. With an instance user (a root server; docs/security.md) a scoring
 * script cannot touch the server's secrets, and deployments/write is all a deployment needs. A server
 * that cannot switch users runs instances as itself: a script could read the admin token and the master
 * key, so creating or updating a deployment is as strong as Owner and also needs this action, which only
 * Owner has. Routes that need it in that mode:
 */
export const RUN_AS_SERVER_ACTION: Action = 'onlineEndpoints/deployments/runAsServer/action';
export const RUN_AS_SERVER_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/endpoints/:endpoint/deployments',
  'PATCH /api/v1/endpoints/:endpoint/deployments/:name',
]);

/** Every action a request on this route needs (the route's own first). */
export function actionsNeeded(method: string, url: string, permission: Action, codeRunsAsServer: boolean): Action[] {
  return codeRunsAsServer && RUN_AS_SERVER_ROUTES.has(routeKey(method, url)) ? [permission, RUN_AS_SERVER_ACTION] : [permission];
}

export const routeKey = (method: string, url: string): string => `${method === 'HEAD' ? 'GET' : method} ${url}`;

/** The permission a route needs; undefined when the route is not in the table (a bug). */
export const permissionFor = (method: string, url: string): RoutePermission | undefined => ROUTE_ACTIONS[routeKey(method, url)];

export const allows = (role: Role, action: Action): boolean => ROLE_ACTIONS[role].has(action);

/** Reading something (`.../read`) as opposed to changing it or an action that reveals secrets. */
export const isReadAction = (action: string): boolean => action.endsWith('/read');

/** Roles that may perform `action`, weakest first (for messages). */
export const rolesAllowed = (action: Action): Role[] => (['Reader', 'Contributor', 'Owner', 'Switchyard Gateway'] as const).filter((r) => allows(r, action));

export function parseRole(value: unknown): Role | undefined {
  if (typeof value !== 'string') return undefined;
  return ROLES.find((r) => r.toLowerCase() === value.trim().toLowerCase());
}
