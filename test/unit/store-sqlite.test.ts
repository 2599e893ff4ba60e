import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite-store.js';
import { newKeys, newTokenSecret, hashKey, newKey } from '../../src/store/credentials.js';
import { D, storeContract } from '../integration/store-suite.js';

let dir: string;
let store: SqliteStore;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
  store = new SqliteStore(join(dir, 'switchyard.db'));
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

// The same contract the PostgreSQL store passes (test/integration/store-postgres.test.ts).
storeContract('sqlite', (label) => new SqliteStore(join(dir, `${label}.db`)));

describe('SqliteStore pragmas', () => {
  it('runs in WAL mode with synchronous=FULL', () => {
    const db = (store as any).db;
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  });
});

describe('credentials', () => {
  it('makes 32-byte base64url keys and hex secrets, different every time', () => {
    const k = newKeys();
    assert.equal(Buffer.from(k.primaryKey, 'base64url').length, 32);
    assert.match(k.primaryKey, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(k.primaryKey, k.secondaryKey);
    assert.notEqual(newKey(), newKey());
    assert.match(newTokenSecret(), /^[0-9a-f]{64}$/);
    assert.equal(hashKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('reopening', () => {
  it('applies migrations once, records them, and reads what was written', () => {
    store.createModel({ name: 'm', version: '2', path: D('b'), type: 'custom_model', tags: {} });
    const second = new SqliteStore(join(dir, 'switchyard.db'));
    try {
      assert.equal(second.getModel('m', '2')!.path, D('b'));
      assert.equal((second as any).db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const versions = (second as any).db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r: any) => r.version);
      assert.deepEqual(versions, Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      second.close();
    }
  });
});
