// The audit log: an onResponse hook that writes one row per control-plane change (create, update,
// delete of every resource; key listing and regeneration; aml_token minting; token create/revoke) and
// per denied attempt (401/403), allowed or not, whatever the outcome. Plain reads are not recorded.
// A row names who, the action, the target resource, when, the status and the error code: never a body,
// a query's secret or a header, so nothing secret reaches the table.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { AuditEntry, Store } from '../store/store.js';
import { isReadAction } from './permissions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code of the answer (set by the error handler), for the audit row. */
    errorCode?: string;
    /** A more precise target than the URL gives (set by a route, e.g. `tokens/<name>/<id>`). */
    auditTarget?: string;
  }
}

/** `POST <collection>` creates the resource named in the body: the target names it. */
const COLLECTION = /^(endpoints|models|environments|tokens|endpoints\/[^/]+\/deployments)$/;
const MAX_TARGET = 256;

/** The resource a request acts on, from its path (and the created name); never from secrets. */
export function auditTarget(request: Pick<FastifyRequest, 'method' | 'url' | 'body' | 'query' | 'auditTarget'>): string {
  if (request.auditTarget) return request.auditTarget.slice(0, MAX_TARGET);
  let target = request.url.split('?')[0]!.replace(/^\/api\/v1\//, '').replace(/^\/+/, '');
  const body = request.body as { name?: unknown } | undefined;
  if (request.method === 'POST' && COLLECTION.test(target) && body && typeof body === 'object' && typeof body.name === 'string') {
    target += `/${encodeURIComponent(body.name)}`;
  }
  const query = request.query as { name?: unknown } | undefined;
  if (target === 'artifacts' && query && typeof query.name === 'string') target += `/${encodeURIComponent(query.name)}`;
  return target.slice(0, MAX_TARGET);
}

export function outcomeOf(status: number): AuditEntry['outcome'] {
  if (status === 401 || status === 403) return 'Denied';
  return status < 400 ? 'Succeeded' : 'Failed';
}

/** Whether a request belongs in the audit log: a change or secret-revealing action, or a denial. */
export function isAudited(action: string | undefined, status: number): boolean {
  if (status === 401 || status === 403) return true;
  return action !== undefined && !isReadAction(action);
}

export function auditHook(store: Store, logger: Logger) {
  return async function audit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const status = reply.statusCode;
    if (!isAudited(request.action, status)) return;
    const entry: Omit<AuditEntry, 'id' | 'at'> = {
      principal: request.principal?.name ?? 'anonymous',
      role: request.principal?.role ?? null,
      action: request.action ?? `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`,
      target: auditTarget(request),
      status,
      outcome: outcomeOf(status),
      code: request.errorCode ?? null,
    };
    try {
      store.insertAudit(entry);
    } catch (e) {
      // The answer is gone already; losing the row must at least be loud.
      logger.error({ err: e, audit: entry }, 'could not write the audit log');
    }
  };
}
