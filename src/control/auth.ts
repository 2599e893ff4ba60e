// Bearer authentication and authorization of the control API. The hook asks a PrincipalResolver who
// the token belongs to (the admin token, or a stored token: access-tokens.ts), then checks the route's
// action (permissions.ts) against the principal's role. Denied requests keep the principal and action
// on the request, so the audit hook records who tried what.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../errors.js';
import { actionsNeeded, allows, permissionFor, rolesAllowed, RUN_AS_SERVER_ACTION, type Action, type Role } from './permissions.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { DeniedReason } from './denied-attempts.js';

export type { Role } from './permissions.js';

export interface Principal {
  name: string;
  role: Role;
}

/** A token that was valid but is past its expiry. */
export interface ExpiredToken {
  expired: string;
}

/** Who holds this bearer token, or null (or that it expired). Must not leak timing about valid tokens. */
export type PrincipalResolver = (token: string) => Principal | ExpiredToken | null;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The admin token (from `<data-dir>/admin-token`) as an Owner. Compares sha256 digests in constant
 * time: equal lengths whatever the presented token, and no early exit on the first differing byte.
 */
export function adminTokenResolver(adminToken: string): PrincipalResolver {
  const expected = digest(adminToken);
  return (token) => (timingSafeEqual(digest(token), expected) ? { name: 'admin', role: 'Owner' } : null);
}

/** Tries resolvers in order (admin token first, stored tokens next). */
export function anyOf(...resolvers: PrincipalResolver[]): PrincipalResolver {
  return (token) => {
    for (const r of resolvers) {
      const p = r(token);
      if (p) return p;
    }
    return null;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request (set once the token is known, also when the action is then denied). */
    principal?: Principal;
    /** The action of the route (permissions.ts); unset for public and unknown routes. */
    action?: Action;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a token (health). */
    public?: boolean;
  }
}

export function forbidden(principal: Principal, action: Action): SwitchyardError {
  const who = rolesAllowed(action);
  const why = action === RUN_AS_SERVER_ACTION
    ? ' This server runs scoring instances as its own user (it cannot switch to an unprivileged instance user), so deploying code is reserved to Owner; see docs/security.md.'
    : '';
  return new SwitchyardError('Forbidden',
    `Principal ${JSON.stringify(principal.name)} has role ${principal.role}, which does not allow ${action}` +
      ` (allowed for ${who.join(', ')}). Ask an Owner for a token with one of those roles (switchyard token create).${why}`,
    { principal: principal.name, role: principal.role, action });
}

const isPrincipal = (p: Principal | ExpiredToken | null): p is Principal => p !== null && 'role' in p;

/**
 * An onRequest hook enforcing the bearer token and the permission of the route. A request without a
 * valid token counts against its source's failure budget (auth-failure-limiter.ts): within it, 401;
 * past it, 429 with Retry-After. A valid token is never rate limited.
 * `codeRunsAsServer`: instances run as the server's own user (permissions.ts, RUN_AS_SERVER_ACTION).
 */
export function bearerAuth(resolve: PrincipalResolver, limiter?: AuthFailureLimiter, options: { codeRunsAsServer?: boolean } = {}) {
  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: DeniedReason, error: SwitchyardError): SwitchyardError => {
    const verdict = limiter?.fail(request.ip);
    if (verdict?.limited) {
      request.deniedReason = 'rate-limited';
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return new SwitchyardError('TooManyRequests',
        `Too many requests without a valid token from this address; retry after ${verdict.retryAfterSeconds} s with a valid token (requests with a valid token are not limited).`);
    }
    request.deniedReason = reason;
    return error;
  };
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.routeOptions.url;
    const permission = url === undefined ? undefined : permissionFor(request.method, url);
    if (permission === 'public' || request.routeOptions.config?.public) return;
    if (permission) request.action = permission;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw refuse(request, reply, 'missing-token', new SwitchyardError('Unauthorized',
        'This request needs `Authorization: Bearer <token>`: the admin token in <data-dir>/admin-token (the CLI reads it by itself), or a token from `switchyard token create`.'));
    }
    const resolved = resolve(match[1]!);
    if (!isPrincipal(resolved)) {
      throw refuse(request, reply, resolved ? 'expired-token' : 'invalid-token', resolved
        ? new SwitchyardError('Unauthorized', `The bearer token expired at ${resolved.expired}. Ask an Owner for a new one (switchyard token create).`)
        : new SwitchyardError('Unauthorized', 'The bearer token is not valid for this server (unknown or revoked).'));
    }
    const principal = resolved;
    request.principal = principal;
    // An unknown route (url undefined) answers 404 to anyone authenticated; a known route missing from
    // the table cannot happen (app.ts refuses to start), and is denied if it ever does.
    if (url === undefined) return;
    if (!permission) throw new SwitchyardError('Internal', `Route ${request.method} ${url} has no permission in src/control/permissions.ts.`);
    for (const action of actionsNeeded(request.method, url, permission, options.codeRunsAsServer === true)) {
      if (!allows(principal.role, action)) {
        request.action = action;
        request.deniedReason = 'forbidden';
        throw forbidden(principal, action);
      }
    }
  };
}
