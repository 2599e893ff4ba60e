import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { authorize, challengeFor, compileAuth, credentialOf } from '../../src/gateway/auth.js';
import { mintToken } from '../../src/gateway/token.js';
import type { EndpointRoute } from '../../src/gateway/snapshot.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const secret = '0f'.repeat(32);

function ep(authMode: 'key' | 'aml_token', keys: string[] = []): EndpointRoute {
  return { name: 'ep', authMode, keyHashes: keys.map(sha), tokenSecret: secret, traffic: [], mirror: null, deployments: {} };
}

test('credentialOf: Bearer in any case, blanks, bare credential, missing', () => {
  const table: Array<[string | undefined, string | undefined]> = [
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    ['abc', 'abc'],
    ['  abc ', 'abc'],
    ['Bearer', undefined],
    ['Bearer   ', undefined],
    ['', undefined],
    [undefined, undefined],
    ['Basic abc', 'Basic abc'],
  ];
  for (const [header, want] of table) assert.equal(credentialOf(header), want, String(header));
});

test('key auth: primary and secondary accepted, anything else refused', () => {
  const auth = compileAuth(ep('key', ['primary-key', 'secondary-key']));
  const table: Array<[string | undefined, string]> = [
    ['Bearer primary-key', 'ok'],
    ['Bearer secondary-key', 'ok'],
    ['bearer primary-key', 'ok'],
    ['primary-key', 'ok'],
    ['Bearer primary-ke', 'invalid'],
    ['Bearer primary-key2', 'invalid'],
    ['Bearer ' + sha('primary-key'), 'invalid'], // the hash itself is not a credential
    ['Basic primary-key', 'invalid'],
    ['Bearer ' + 'x'.repeat(5000), 'invalid'],
    [undefined, 'missing'],
    ['', 'missing'],
    ['Bearer ', 'missing'],
  ];
  for (const [header, want] of table) assert.equal(authorize(auth, header), want, String(header).slice(0, 40));
});

test('key auth: a rotated key stops working with the next compiled snapshot', () => {
  const before = compileAuth(ep('key', ['old', 'secondary']));
  const after = compileAuth(ep('key', ['new', 'secondary']));
  assert.equal(authorize(before, 'Bearer old'), 'ok');
  assert.equal(authorize(after, 'Bearer old'), 'invalid');
  assert.equal(authorize(after, 'Bearer new'), 'ok');
});

test('key auth: malformed hashes in the snapshot never match, and no keys means nothing matches', () => {
  const e = ep('key');
  e.keyHashes = ['not-hex', ''];
  assert.equal(authorize(compileAuth(e), 'Bearer not-hex'), 'invalid');
  assert.equal(authorize(compileAuth(ep('key')), 'Bearer anything'), 'invalid');
});

test('aml_token auth: valid, expired, other endpoint, and a key presented as token', () => {
  const now = Date.UTC(2025, 5, 1);
  const auth = compileAuth(ep('aml_token', ['a-key']));
  const good = mintToken('ep', secret, 60, now).accessToken;
  const otherEp = mintToken('ep2', secret, 60, now).accessToken;
  assert.equal(authorize(auth, `Bearer ${good}`, now + 1000), 'ok');
  assert.equal(authorize(auth, `Bearer ${good}`, now + 61_000), 'invalid');
  assert.equal(authorize(auth, `Bearer ${otherEp}`, now), 'invalid');
  assert.equal(authorize(auth, 'Bearer a-key', now), 'invalid');
  assert.equal(authorize(auth, undefined, now), 'missing');
});

test('challengeFor: RFC 6750 challenge, invalid_token only when a credential was presented', () => {
  assert.equal(challengeFor('missing'), 'Bearer realm="switchyard"');
  assert.match(challengeFor('invalid'), /error="invalid_token"/);
});

test('verified keys are remembered per compiled snapshot only, bounded, and never for tokens or failures', () => {
  const auth = compileAuth(ep('key', ['k1']));
  assert.equal(authorize(auth, 'Bearer k1'), 'ok');
  assert.equal(authorize(auth, 'Bearer k1'), 'ok');
  assert.equal(auth.verified.size, 1);
  assert.equal(authorize(auth, 'Bearer wrong'), 'invalid');
  assert.equal(auth.verified.size, 1);
  for (let i = 0; i < 200; i++) authorize(auth, `Bearer${' '.repeat(i % 50 + 1)}k1`);
  assert.ok(auth.verified.size <= 64);
  // A rotated key: the next snapshot compiles a fresh cache, so the old key is refused at once.
  assert.equal(authorize(compileAuth(ep('key', ['k2'])), 'Bearer k1'), 'invalid');
});
