// Control-plane tokens: created by an Owner for a principal name and a role (and optionally a lifetime),
// shown once, stored as a sha256 hash, listed without their secret, revoked by id. An expired token is
// refused with a message saying so. A revoked token fails from the next request
// on: every request looks its hash up in the store (no cache to outlive a revocation).
import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../errors.js';
import type { AccessTokenRecord, Store } from '../store/store.js';
import { hashAccessToken, newAccessToken, sameHash } from './access-token-secret.js';
import type { PrincipalResolver } from './auth.js';
import type { Role } from './permissions.js';
import { checkInput } from '../spec/schema/check.js';
import { canonicalChoice } from '../spec/schema/fields.js';
import { ROLES, TokenInput } from '../spec/schema/token.js';

/** A token as shown: everything but the hash. */
export interface AccessTokenView {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
  revoked_at?: string;
  /** When it stops working; absent: never. */
  expires_at?: string;
}

/** What create answers: the only time the token itself is shown. */
export type CreatedAccessToken = AccessTokenView & { token: string };

/** The admin token's principal; no stored token may take its name. */
export const ADMIN_PRINCIPAL = 'admin';

export { MAX_TOKEN_LIFETIME_SECONDS, MIN_TOKEN_LIFETIME_SECONDS } from '../spec/schema/token.js';

export function tokenView(rec: AccessTokenRecord): AccessTokenView {
  const view: AccessTokenView = { id: rec.id, name: rec.name, role: rec.role, created_at: rec.created_at, created_by: rec.created_by };
  if (rec.revoked_at) view.revoked_at = rec.revoked_at;
  if (rec.expires_at) view.expires_at = rec.expires_at;
  return view;
}

export class AccessTokens {
  constructor(private readonly store: Store, private readonly now: () => Date = () => new Date()) {}

  create(body: unknown, createdBy: string): CreatedAccessToken {
    checkInput(TokenInput, body);
    const { name } = body;
    if (name.toLowerCase() === ADMIN_PRINCIPAL) {
      throw new SwitchyardError('InvalidName', `The name ${JSON.stringify(name)} is reserved for the admin token; choose another name.`);
    }
    const role = canonicalChoice(ROLES, body.role);
    const lifetime = body.expires_in_seconds;
    const token = newAccessToken();
    const now = this.now();
    const rec = this.store.insertAccessToken({
      id: randomUUID(), name, role, token_hash: hashAccessToken(token), created_at: now.toISOString(), created_by: createdBy,
      expires_at: lifetime === undefined ? null : new Date(now.getTime() + lifetime * 1000).toISOString(),
    });
    return { ...tokenView(rec), token };
  }

  list(): AccessTokenView[] {
    return this.store.listAccessTokens().map(tokenView);
  }

  /** Revokes the token; revoking one already revoked answers it again. */
  revoke(id: string): AccessTokenView {
    const rec = this.store.revokeAccessToken(id);
    if (!rec) throw new SwitchyardError('TokenNotFound', `There is no token with id ${JSON.stringify(id)}. List them with \`switchyard token list\`.`);
    return tokenView(rec);
  }

  /** Resolves stored, unrevoked, unexpired tokens to their principal (an expired one says so). */
  resolver(): PrincipalResolver {
    return (token) => {
      const hash = hashAccessToken(token);
      const rec = this.store.findAccessTokenByHash(hash);
      if (!rec || rec.revoked_at || !sameHash(rec.token_hash, hash)) return null;
      if (rec.expires_at && Date.parse(rec.expires_at) <= this.now().getTime()) return { expired: rec.expires_at };
      return { name: rec.name, role: rec.role };
    };
  }
}
