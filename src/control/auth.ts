// Bearer authentication of the control API. The hook asks a PrincipalResolver who the token belongs to
// and checks the route's required role, so stored, hashed tokens with Owner/Contributor/Reader roles
// can be added later as another resolver, without touching the routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SwitchyardError } from '../errors.js';

export type Role = 'Owner' | 'Contributor' | 'Reader';

export interface Principal {
  name: string;
  role: Role;
}

/** Who holds this bearer token, or null. Must not leak timing about valid tokens. */
export type PrincipalResolver = (token: string) => Principal | null;

const RANK: Record<Role, number> = { Reader: 0, Contributor: 1, Owner: 2 };

/** Reads need Reader; every change needs Contributor. */
export const roleFor = (method: string): Role =>
  method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'Reader' : 'Contributor';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * The admin token (from `<data-dir>/admin-token`) as an Owner. Compares sha256 digests in constant
 * time: equal lengths whatever the presented token, and no early exit on the first differing byte.
 */
export function adminTokenResolver(adminToken: string): PrincipalResolver {
  const expected = digest(adminToken);
  return (token) => (timingSafeEqual(digest(token), expected) ? { name: 'admin', role: 'Owner' } : null);
}

/** Tries resolvers in order (admin token first, stored tokens later). */
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
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a token (health). */
    public?: boolean;
  }
}

/** An onRequest hook enforcing the bearer token and the role the method needs. */
export function bearerAuth(resolve: PrincipalResolver) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new SwitchyardError('Unauthorized',
        'This request needs `Authorization: Bearer <token>`: the admin token in <data-dir>/admin-token (the CLI reads it by itself).');
    }
    const principal = resolve(match[1]!);
    if (!principal) throw new SwitchyardError('Unauthorized', 'The bearer token is not valid for this server.');
    const needed = roleFor(request.method);
    if (RANK[principal.role] < RANK[needed]) {
      throw new SwitchyardError('Forbidden', `${principal.name} has role ${principal.role}; this request needs ${needed}.`);
    }
    request.principal = principal;
  };
}
