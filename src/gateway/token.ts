// aml_token: a compact HS256 JWT whose audience is the endpoint name. The control plane mints it for
// `get-credentials`; the gateway verifies it per request. The signature is an HMAC-SHA256 under the
// endpoint's own secret (RoutingSnapshot.tokenSecret), so a token of one endpoint is worthless on
// another even if the secrets were equal: the audience is checked as well.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface AmlToken {
  accessToken: string;
  expiryTimeUtc: string;
  refreshAfterTimeUtc: string;
  tokenType: 'Bearer';
}

// The header is fixed: verification compares it byte for byte, so `alg: none` or any other algorithm
// is refused without parsing it.
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ISSUER = 'switchyard';

function keyOf(secretHex: string): Buffer | null {
  if (typeof secretHex !== 'string' || secretHex.length < 2 || secretHex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(secretHex)) return null;
  return Buffer.from(secretHex, 'hex');
}

function sign(key: Buffer, signingInput: string): Buffer {
  return createHmac('sha256', key).update(signingInput).digest();
}

export function mintToken(endpoint: string, secretHex: string, ttlSeconds: number, now: number = Date.now()): AmlToken {
  const key = keyOf(secretHex);
  if (!key) throw new Error('mintToken: the token secret must be a non-empty hex string');
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error(`mintToken: ttlSeconds must be positive, got ${ttlSeconds}`);
  const iat = Math.floor(now / 1000);
  const exp = iat + Math.ceil(ttlSeconds);
  const payload = Buffer.from(JSON.stringify({ iss: ISSUER, aud: endpoint, iat, exp })).toString('base64url');
  const signingInput = `${HEADER}.${payload}`;
  const signature = sign(key, signingInput).toString('base64url');
  return {
    accessToken: `${signingInput}.${signature}`,
    expiryTimeUtc: new Date(exp * 1000).toISOString(),
    // Clients refresh at half-life, as Azure's refreshAfterTimeUtc suggests.
    refreshAfterTimeUtc: new Date((iat + (exp - iat) / 2) * 1000).toISOString(),
    tokenType: 'Bearer',
  };
}

/** True only for an untampered, unexpired token minted for this endpoint under this secret. */
export function verifyToken(token: string, endpoint: string, secretHex: string, now: number = Date.now()): boolean {
  if (typeof token !== 'string' || token.length > 4096) return false;
  const key = keyOf(secretHex);
  if (!key) return false;
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot || lastDot === token.length - 1) return false;
  if (token.slice(0, firstDot) !== HEADER) return false;
  // Compare the encoded text, not decoded bytes: base64 decoding is lenient (ignores stray characters and
  // padding bits), so two different strings could decode to the same signature.
  const presented = Buffer.from(token.slice(lastDot + 1), 'latin1');
  const expected = Buffer.from(sign(key, token.slice(0, lastDot)).toString('base64url'), 'latin1');
  // Length differs only for garbage; timingSafeEqual needs equal lengths.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return false;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(token.slice(firstDot + 1, lastDot), 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  if (typeof claims !== 'object' || claims === null) return false;
  const { aud, exp, iss } = claims as { aud?: unknown; exp?: unknown; iss?: unknown };
  return iss === ISSUER && aud === endpoint && typeof exp === 'number' && exp * 1000 > now;
}
