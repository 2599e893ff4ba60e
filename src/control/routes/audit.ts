import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { ListOf, errorResponses } from '../schemas/common.js';
import { AuditEntry, AuditQuery } from '../schemas/audit.js';

export const DEFAULT_AUDIT_LIMIT = 100;

export function registerAuditRoutes(app: FastifyInstance, store: Store): void {
  app.get<{ Querystring: Static<typeof AuditQuery> }>('/api/v1/audit', {
    schema: {
      summary: 'The newest audit entries, newest first: changes, key and token actions, denied attempts',
      querystring: AuditQuery,
      response: { 200: ListOf(AuditEntry), ...errorResponses(400, 401, 403) },
    },
  }, async (request) => ({ value: store.listAudit(request.query.limit ?? DEFAULT_AUDIT_LIMIT) }));
}
