import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import { ACTIONS, ROLE_ACTIONS } from '../permissions.js';
import { errorResponses } from '../schemas/common.js';

const WhoAmI = Type.Object({
  principal: Type.String(),
  role: Type.String({ description: 'Owner, Contributor or Reader' }),
  actions: Type.Array(Type.String(), { description: "What the role allows (src/control/permissions.ts), so a client shows only what works" }),
});

/** Who holds the bearer token and what its role allows: the console hides what the role cannot do. */
export function registerWhoAmIRoutes(app: FastifyInstance): void {
  app.get('/api/v1/whoami', {
    schema: { summary: 'The caller: principal, role and the actions the role allows', response: { 200: WhoAmI, ...errorResponses(401) } },
  }, async (request) => {
    const principal = request.principal;
    if (!principal) throw new SwitchyardError('Unauthorized', 'This request needs `Authorization: Bearer <token>`.');
    const allowed = ROLE_ACTIONS[principal.role];
    return { principal: principal.name, role: principal.role, actions: ACTIONS.filter((a) => allowed.has(a)) };
  });
}
