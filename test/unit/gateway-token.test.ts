import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken, verifyToken } from '../../src/gateway/token.js';

const secret = 'ab'.repeat(32);
const other = 'cd'.repeat(32);
const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);

test('mintToken: bearer token with ISO expiry and refresh at half the TTL', () => {
  const t = mintToken('my-ep', secret, 3600, t0);
  assert.equal(t.tokenType, 'Bearer');
  assert.equal(t.expiryTimeUtc, '2025-01-01T13:00:00.000Z');
  assert.equal(t.refreshAfterTimeUtc, '2025-01-01T12:30:00.000Z');
  assert.equal(t.accessToken.split('.').length, 3);
});

test('verifyToken: the right endpoint and secret before expiry', () => {
  const { accessToken } = mintToken('my-ep', secret, 60, t0);
  assert.equal(verifyToken(accessToken, 'my-ep', secret, t0), true);
  assert.equal(verifyToken(accessToken, 'my-ep', secret, t0 + 59_999), true);
});

test('verifyToken: refuses expired, other endpoint, other secret, forged, malformed', () => {
  const { accessToken } = mintToken('my-ep', secret, 60, t0);
  const [h, p, s] = accessToken.split('.') as [string, string, string];
  const forgedPayload = Buffer.from(JSON.stringify({ iss: 'switchyard', aud: 'my-ep', iat: 0, exp: 9_999_999_999 })).toString('base64url');
  const otherEp = mintToken('other-ep', secret, 60, t0).accessToken;
  const cases: Array<[string, string, string, string, number]> = [
    ['expired exactly at exp', accessToken, 'my-ep', secret, t0 + 60_000],
    ['expired later', accessToken, 'my-ep', secret, t0 + 3_600_000],
    ['another endpoint', accessToken, 'other-ep', secret, t0],
    ['token of another endpoint', otherEp, 'my-ep', secret, t0],
    ['another secret', accessToken, 'my-ep', other, t0],
    ['forged payload', `${h}.${forgedPayload}.${s}`, 'my-ep', secret, t0],
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`, 'my-ep', secret, t0],
    ['signature altered', `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`, 'my-ep', secret, t0],
    ['signature with trailing junk', `${h}.${p}.${s}x`, 'my-ep', secret, t0],
    ['two parts', `${h}.${p}`, 'my-ep', secret, t0],
    ['empty', '', 'my-ep', secret, t0],
    ['garbage', 'not-a-token', 'my-ep', secret, t0],
    ['dots only', '..', 'my-ep', secret, t0],
    ['empty secret', accessToken, 'my-ep', '', t0],
    ['non-hex secret', accessToken, 'my-ep', 'zz', t0],
    ['huge', 'a'.repeat(10_000), 'my-ep', secret, t0],
  ];
  for (const [what, token, ep, sec, now] of cases) assert.equal(verifyToken(token, ep, sec, now), false, what);
});

test('mintToken: refuses a bad secret or TTL', () => {
  assert.throws(() => mintToken('e', '', 60));
  assert.throws(() => mintToken('e', secret, 0));
});
