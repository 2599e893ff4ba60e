// Scoring auth, pure: the Authorization header and the endpoint's auth material in, a verdict out.
// Key endpoints compare sha256(presented key) with the snapshot's key hashes in constant time (the
// snapshot never carries keys); aml_token endpoints verify the token's HMAC, audience and expiry.
// Nothing here logs, and the verdict never echoes the credential.
import { hash, timingSafeEqual } from 'node:crypto';
import type { EndpointRoute } from './snapshot.js';
import { trimOws } from './http-syntax.js';
import { verifyToken } from './token.js';

export type AuthVerdict = 'ok' | 'missing' | 'invalid';

/** The endpoint's auth material, decoded once per snapshot rather than per request. */
export interface EndpointAuth {
  readonly endpoint: string;
  readonly mode: 'key' | 'aml_token';
  readonly keyHashes: readonly Buffer[];
  readonly tokenSecret: string;
  /**
   * Authorization header values already verified against this snapshot's key hashes (key endpoints
   * only: tokens expire). Bounded; compiled afresh with each snapshot, so a rotated key is never served
   * from it. Only successes are kept, so a wrong key always pays the full check.
   */
  readonly verified: Map<string, true>;
}

/** Verified Authorization values kept per endpoint and snapshot. */
const VERIFIED_MAX = 64;

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function compileAuth(ep: EndpointRoute): EndpointAuth {
  return {
    endpoint: ep.name,
    mode: ep.authMode,
    // A malformed hash can never match; dropping it keeps timingSafeEqual's equal-length rule simple.
    keyHashes: (ep.keyHashes ?? []).filter((h) => SHA256_HEX.test(h)).map((h) => Buffer.from(h, 'hex')),
    tokenSecret: ep.tokenSecret ?? '',
    verified: new Map(),
  };
}

/**
 * Extracts the credential: `Bearer <x>` with any scheme case and extra SP/HTAB (never NBSP); a value without a
 * scheme is taken as the credential itself (curl users paste bare keys). Undefined when absent.
 */
export function credentialOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  let s = trimOws(authorization);
  if (s === '') return undefined;
  const sp = s.indexOf(' ');
  if (sp > 0) {
    if (s.slice(0, sp).toLowerCase() !== 'bearer') return s; // unknown scheme: verification will fail
    s = trimOws(s.slice(sp + 1));
  } else if (s.toLowerCase() === 'bearer') {
    return undefined;
  }
  return s === '' ? undefined : s;
}

export function authorize(auth: EndpointAuth, authorization: string | undefined, now: number = Date.now()): AuthVerdict {
  if (authorization !== undefined && auth.verified.has(authorization)) return 'ok';
  const credential = credentialOf(authorization);
  if (credential === undefined) return 'missing';
  if (auth.mode === 'aml_token') return verifyToken(credential, auth.endpoint, auth.tokenSecret, now) ? 'ok' : 'invalid';
  if (credential.length > 1024) return 'invalid';
  // One-shot hash (Node ≥ 20.12): a third of createHash().update().digest()'s cost on the hot path.
  const digest = hash('sha256', credential, 'buffer');
  // Check every hash (no early exit) so timing does not tell which slot matched.
  let ok = false;
  for (let i = 0; i < auth.keyHashes.length; i++) {
    if (timingSafeEqual(digest, auth.keyHashes[i]!)) ok = true;
  }
  if (!ok) return 'invalid';
  if (auth.verified.size >= VERIFIED_MAX) auth.verified.clear();
  auth.verified.set(authorization!, true);
  return 'ok';
}

/** The WWW-Authenticate challenge of a 401 (RFC 6750). */
export function challengeFor(verdict: AuthVerdict): string {
  return verdict === 'missing' ? 'Bearer realm="switchyard"' : 'Bearer realm="switchyard", error="invalid_token"';
}
