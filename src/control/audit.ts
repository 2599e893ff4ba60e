// The audit log: an onResponse hook that writes one row per control-plane change (create, update,
// delete of every resource; key listing and regeneration; aml_token minting; token create/revoke),
// whatever the outcome. Plain reads are not recorded. A row names who, the action, the target resource,
// when, the status and the error code: never a body, a query's secret or a header, so nothing secret
// reaches the table. Rows are kept for a number of days (a setting), never pushed out by volume.
// Denied attempts (401, 403, 429 of the auth rate limit) go elsewhere: counted per source and minute
// (denied-attempts.ts), so anonymous traffic can neither erase nor slow the log of real actions.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { AuditEntry, Store } from '../store/store.js';
import { isReadAction } from './permissions.js';
import { sourceKey } from './auth-failure-limiter.js';
import type { DeniedAttempts, DeniedReason } from './denied-attempts.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code of the answer (set by the error handler), for the audit row. */
    errorCode?: string;
    /** A more precise target than the URL gives (set by a route, e.g. `tokens/<name>/<id>`). */
    auditTarget?: string;
    /** Why authentication or authorization refused the request (set by the auth hook). */
    deniedReason?: DeniedReason;
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

/** Whether a request is a denied attempt (counted apart, denied-attempts.ts). */
export function isDenied(status: number, reason: DeniedReason | undefined): boolean {
  return reason !== undefined || status === 401 || status === 403;
}

/** Whether a request belongs in the audit log of real actions: a change or secret-revealing action. */
export function isAudited(action: string | undefined, status: number): boolean {
  if (status === 401 || status === 403 || status === 429) return false;
  // A standalone gateway's report is a heartbeat every 2 s, not a change: server logs, not the audit log.
  return action !== undefined && !isReadAction(action) && action !== 'gateways/register/action';
}

export function auditHook(store: Store, denied: DeniedAttempts, logger: Logger) {
  return async function audit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const status = reply.statusCode;
    if (isDenied(status, request.deniedReason)) {
      denied.record({
        source: sourceKey(request.ip),
        principal: request.principal?.name ?? 'anonymous',
        action: request.action ?? '-',
        reason: request.deniedReason ?? (status === 403 ? 'forbidden' : 'invalid-token'),
        status,
      });
      return;
    }
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

/** Deletes real actions older than `retentionDays`, now and then every hour. Answers a stop function. */
export function startAuditRetention(store: Store, retentionDays: number, logger: Logger, now: () => Date = () => new Date()): () => void {
  const prune = (): void => {
    try {
      const removed = store.pruneAudit(new Date(now().getTime() - retentionDays * 86_400_000).toISOString());
      if (removed > 0) logger.info({ removed, retentionDays }, 'audit entries past their retention removed');
    } catch (e) {
      logger.error({ err: e }, 'could not prune the audit log');
    }
  };
  prune();
  const timer = setInterval(prune, 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}
