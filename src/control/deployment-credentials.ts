// The credentials the control plane gives a deployment's pods (the Kubernetes backend puts them in the
// deployment's Secret):
// - the instance secret: what the gateway presents in `x-switchyard-instance-secret` and the hosts
//   require. Derived from the server's key and the deployment's names (HMAC), so every control-plane
//   process and every restart computes the same one without storing it.
// - the fetch token: the storage-initializer's bearer token for GET /api/v1/artifacts/{digest}/archive.
//   Scoped to one deployment and the artifact digests it runs, signed (HMAC-SHA256), expiring after
//   `fetchTokenTtlSeconds` (default 1 h; the backend renews it at half-life while the deployment
//   exists). It is refused once expired, for another digest, or when the deployment is gone.
// Both keys derive from the master key (HKDF, one purpose each), so nothing new needs backing up.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SwitchyardError } from '../errors.js';

export const DEFAULT_FETCH_TOKEN_TTL_SECONDS = 3600;
const PREFIX = 'syf1';

export interface FetchScope {
  endpoint: string;
  deployment: string;
  digests: string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export class DeploymentCredentials {
  private readonly instanceKey: Buffer;
  private readonly fetchKey: Buffer;

  constructor(masterKey: Buffer, readonly fetchTokenTtlSeconds = DEFAULT_FETCH_TOKEN_TTL_SECONDS, private readonly now: () => Date = () => new Date()) {
    if (masterKey.length < 32) throw new Error('DeploymentCredentials: the key must have at least 32 bytes');
    this.instanceKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'switchyard instance secret', 32));
    this.fetchKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'switchyard artifact fetch token', 32));
  }

  instanceSecret(endpoint: string, deployment: string): string {
    return createHmac('sha256', this.instanceKey).update(`${endpoint}\0${deployment}`).digest('base64url');
  }

  mintFetchToken(endpoint: string, deployment: string, digests: string[]): string {
    const scope: FetchScope = { endpoint, deployment, digests, exp: Math.floor(this.now().getTime() / 1000) + this.fetchTokenTtlSeconds };
    const payload = Buffer.from(JSON.stringify(scope)).toString('base64url');
    return `${PREFIX}.${payload}.${this.sign(payload)}`;
  }

  /** The scope of a valid, unexpired token that covers `digest`; else Unauthorized (401) or Forbidden (403). */
  verifyFetchToken(token: string, digest: string): FetchScope {
    const parts = token.split('.');
    const refuse = (why: string) => new SwitchyardError('Unauthorized', `The artifact fetch token ${why}.`);
    if (parts.length !== 3 || parts[0] !== PREFIX) throw refuse('is not one the control plane issued');
    const [, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse('has a bad signature');
    let scope: FetchScope;
    try {
      scope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as FetchScope;
    } catch {
      throw refuse('is malformed');
    }
    if (typeof scope.exp !== 'number' || scope.exp * 1000 <= this.now().getTime()) {
      throw refuse(`expired at ${new Date((scope.exp ?? 0) * 1000).toISOString()}; the backend renews it in the deployment's Secret`);
    }
    if (!Array.isArray(scope.digests) || !scope.digests.includes(digest)) {
      throw new SwitchyardError('Forbidden', `The artifact fetch token of ${scope.endpoint}/${scope.deployment} does not cover artifact ${digest}.`);
    }
    return scope;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.fetchKey).update(payload).digest('base64url');
  }
}
