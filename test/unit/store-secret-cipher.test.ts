// Encryption at rest (src/store/secret-cipher.ts): AES-256-GCM round trip, bound to its row and
// column, refused under another key or when altered.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretCipher } from '../../src/store/secret-cipher.js';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('seals and opens, with a fresh IV each time', () => {
    const a = cipher.seal('the-key', 'endpoints/e/primary_key');
    const b = cipher.seal('the-key', 'endpoints/e/primary_key');
    assert.match(a, /^enc:v1:[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes('the-key'));
    assert.equal(cipher.open(a, 'endpoints/e/primary_key'), 'the-key');
    assert.equal(SecretCipher.isSealed(a), true);
    assert.equal(SecretCipher.isSealed('plain'), false);
  });

  it('refuses another context, another key, an altered value', () => {
    const sealed = cipher.seal('the-key', 'endpoints/e/primary_key');
    assert.throws(() => cipher.open(sealed, 'endpoints/f/primary_key'));
    assert.throws(() => cipher.open(sealed, 'endpoints/e/secondary_key'));
    assert.throws(() => new SecretCipher(randomBytes(32)).open(sealed, 'endpoints/e/primary_key'));
    const raw = Buffer.from(sealed.slice(7), 'base64url');
    raw[raw.length - 1] ^= 1;
    assert.throws(() => cipher.open('enc:v1:' + raw.toString('base64url'), 'endpoints/e/primary_key'));
    assert.throws(() => cipher.open('enc:v1:AAAA', 'x'));
    assert.throws(() => new SecretCipher(randomBytes(16)), /32 bytes/);
  });
});
