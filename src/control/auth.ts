// Bearer authentication and authorization of the control API. The hook asks a PrincipalResolver who
// the token belongs to (the admin token, or a stored token: access-tokens.ts), then checks the route's
// action (permissions.ts) against the principal's role. Denied requests keep the principal and action
// on the request, so the audit hook records who tried what.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../errors.js';
import { allows, permissionFor, rolesAllowed, type Action, type Role } from './permissions.js';

export type { Role } from './permissions.js';

export interface Principal {
  name: string;
  role: Role;
}

/** Who holds this bearer token, or null. Must not leak timing about valid tokens. */
export type PrincipalResolver = (token: string) => Principal | null;

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
  return new SwitchyardError('Forbidden',
    `Principal ${JSON.stringify(principal.name)} has role ${principal.role}, which does not allow ${action}` +
      ` (allowed for ${who.join(', ')}). Ask an Owner for a token with one of those roles (switchyard token create).`,
    { principal: principal.name, role: principal.role, action });
}

/** An onRequest hook enforcing the bearer token and the permission of the route. */
export function bearerAuth(resolve: PrincipalResolver) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const url = request.routeOptions.url;
    const permission = url === undefined ? undefined : permissionFor(request.method, url);
    if (permission === 'public' || request.routeOptions.config?.public) return;
    if (permission) request.action = permission;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new SwitchyardError('Unauthorized',
        'This request needs `Authorization: Bearer <token>`: the admin token in <data-dir>/admin-token (the CLI reads it by itself), or a token from `switchyard token create`.');
    }
    const principal = resolve(match[1]!);
    if (!principal) throw new SwitchyardError('Unauthorized', 'The bearer token is not valid for this server (unknown or revoked).');
    request.principal = principal;
    // An unknown route (url undefined) answers 404 to anyone authenticated; a known route missing from
    // the table cannot happen (app.ts refuses to start), and is denied if it ever does.
    if (url === undefined) return;
    if (!permission) throw new SwitchyardError('Internal', `Route ${request.method} ${url} has no permission in src/control/permissions.ts.`);
    if (!allows(principal.role, permission)) throw forbidden(principal, permission);
  };
}
