// Control-plane tokens (Owner only, see permissions.ts): create (the token is in this answer only),
// list (never the tokens), revoke by id.
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { AccessTokens } from '../access-tokens.js';
import { ListOf, errorResponses } from '../schemas/common.js';
import { CreatedToken, TokenInput, TokenParams, TokenView } from '../schemas/token.js';

export function registerTokenRoutes(app: FastifyInstance, tokens: AccessTokens): void {
  app.post<{ Body: Static<typeof TokenInput> }>('/api/v1/tokens', {
    schema: {
      summary: 'Create a bearer token for a principal with a role (the token is shown in this answer only)',
      body: TokenInput,
      response: { 201: CreatedToken, ...errorResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    const created = tokens.create(request.body, request.principal!.name);
    request.auditTarget = `tokens/${created.name}/${created.id}`;
    return reply.code(201).send(created);
  });

  app.get('/api/v1/tokens', {
    schema: { summary: 'Tokens not revoked (without the tokens themselves)', response: { 200: ListOf(TokenView), ...errorResponses(401, 403) } },
  }, async () => ({ value: tokens.list() }));

  app.delete<{ Params: Static<typeof TokenParams> }>('/api/v1/tokens/:id', {
    schema: {
      summary: 'Revoke a token: it fails from the next request on',
      params: TokenParams,
      response: { 200: TokenView, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    const revoked = tokens.revoke(request.params.id);
    request.auditTarget = `tokens/${revoked.name}/${revoked.id}`;
    return revoked;
  });
}
