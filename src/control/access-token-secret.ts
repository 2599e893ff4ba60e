// Control-plane access tokens: 32 bytes from the OS's CSPRNG, base64url, behind a `syt_` prefix (so a
// leaked one is recognisable by secret scanners). Only their sha256 is stored: with 256 bits of entropy
// a plain hash is enough (no salt or slow hash needed), and lookups by hash reveal nothing usable.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACCESS_TOKEN_PREFIX = 'syt_';

export const newAccessToken = (): string => ACCESS_TOKEN_PREFIX + randomBytes(32).toString('base64url');

/** Hex sha256 of the token, as stored. */
export const hashAccessToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of two hex hashes of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
