import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { ListOf, errorResponses } from '../schemas/common.js';
import { AuditEntry, AuditQuery, DeniedAttempt } from '../schemas/audit.js';
import type { DeniedAttempts } from '../denied-attempts.js';

export const DEFAULT_AUDIT_LIMIT = 100;

export function registerAuditRoutes(app: FastifyInstance, store: Store, denied: DeniedAttempts): void {
  app.get<{ Querystring: Static<typeof AuditQuery> }>('/api/v1/audit', {
    schema: {
      summary: 'The newest audit entries, newest first: changes, key and token actions (denied attempts: /api/v1/audit/denied)',
      querystring: AuditQuery,
      response: { 200: ListOf(AuditEntry), ...errorResponses(400, 401, 403) },
    },
  }, async (request) => ({ value: store.listAudit(request.query.limit ?? DEFAULT_AUDIT_LIMIT) }));

  app.get<{ Querystring: Static<typeof AuditQuery> }>('/api/v1/audit/denied', {
    schema: {
      summary: 'Denied attempts (401/403/429) counted per minute, source, principal, action and reason; the most recent first',
      querystring: AuditQuery,
      response: { 200: ListOf(DeniedAttempt), ...errorResponses(400, 401, 403) },
    },
  }, async (request) => {
    denied.flush();
    return { value: store.listDeniedAttempts(request.query.limit ?? DEFAULT_AUDIT_LIMIT) };
  });
}
