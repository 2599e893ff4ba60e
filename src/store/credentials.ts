// Data-plane credentials of an endpoint: two keys (so clients can rotate without downtime) and the
// secret that signs its aml_tokens. All from the OS's CSPRNG.
import { createHash, randomBytes } from 'node:crypto';

export interface EndpointKeys {
  primaryKey: string;
  secondaryKey: string;
}

/** 32 random bytes, base64url: what clients send as `Authorization: Bearer <key>`. */
export const newKey = (): string => randomBytes(32).toString('base64url');

export const newKeys = (): EndpointKeys => ({ primaryKey: newKey(), secondaryKey: newKey() });

/** HMAC-SHA256 secret (hex) for the endpoint's tokens (gateway/token.ts). */
export const newTokenSecret = (): string => randomBytes(32).toString('hex');

/** What the gateway gets instead of a key: it compares hashes, so a snapshot never carries keys. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
