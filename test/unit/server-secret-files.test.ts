// The master key and admin token files: given by path (replicas share them), created when missing
// (mode 0600), a padded base64url key accepted (`basenc --base64url` pads), anything else refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMasterKey, keyCheckValue } from '../../src/server/master-key.js';
import { ensureAdminToken } from '../../src/server/admin-token.js';

describe('secret files', () => {
  it('creates a missing key and token file at the given path, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'));
    try {
      const key = await ensureMasterKey(join(dir, 'data'), join(dir, 'key'));
      assert.equal(key.created, true);
      assert.equal(key.path, join(dir, 'key'));
      assert.equal(statSync(key.path).mode & 0o777, 0o600);
      const again = await ensureMasterKey(join(dir, 'other-data'), join(dir, 'key'));
      assert.equal(again.created, false);
      assert.equal(again.check, key.check);
      const token = await ensureAdminToken(join(dir, 'data'), join(dir, 'token'));
      assert.equal((await ensureAdminToken(join(dir, 'x'), join(dir, 'token'))).token, token.token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a padded base64url key with the same check value, and refuses what is not a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-secrets-'));
    try {
      const raw = randomBytes(32);
      writeFileSync(join(dir, 'padded'), `${raw.toString('base64url')}=\n`);
      const key = await ensureMasterKey(dir, join(dir, 'padded'));
      assert.equal(key.check, keyCheckValue(raw));
      assert.notEqual(key.check, keyCheckValue(randomBytes(32)));
      writeFileSync(join(dir, 'short'), randomBytes(16).toString('base64url'));
      await assert.rejects(ensureMasterKey(dir, join(dir, 'short')), /does not hold a master key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
