// The failed-authentication limiter (windows, Retry-After, bounded memory, IPv6 by /64), the denied-
// attempt aggregation (per minute and source, bounded, one write per flush) and the settings parser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFailureLimiter, sourceKey } from '../../src/control/auth-failure-limiter.js';
import { DeniedAttempts } from '../../src/control/denied-attempts.js';
import { DEFAULT_SECURITY, securitySettingsFromEnv } from '../../src/control/security-settings.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLogger } from '../../src/logger.js';

describe('AuthFailureLimiter', () => {
  it('allows `limit` failures per window, then limits with the seconds left, then starts over', () => {
    let now = 1_000_000;
    const l = new AuthFailureLimiter({ limit: 3, windowMs: 60_000, maxSources: 100, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(l.fail('10.0.0.1').limited, false);
    now += 15_000;
    assert.deepEqual(l.fail('10.0.0.1'), { limited: true, retryAfterSeconds: 45 });
    assert.equal(l.fail('10.0.0.2').limited, false, 'another source has its own budget');
    now += 45_000;
    assert.equal(l.fail('10.0.0.1').limited, false, 'a new window');
  });

  it('remembers at most maxSources, forgetting the oldest window first', () => {
    const l = new AuthFailureLimiter({ limit: 1, windowMs: 60_000, maxSources: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i++) l.fail(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(l.size, 100);
  });

  it('counts IPv6 per /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(sourceKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(sourceKey('::1'), '0:0:0:0::/64');
    assert.equal(sourceKey('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(sourceKey('192.0.2.7'), '192.0.2.7');
    assert.equal(sourceKey(undefined), 'unknown');
  });
});

describe('DeniedAttempts', () => {
  it('counts per minute, source, principal, action and reason; writes on flush; bounded pending and rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-denied-'));
    let now = Date.parse('2026-01-01T10:00:05Z');
    const store = new SqliteStore(join(dir, 'db'), { now: () => new Date(now) });
    const denied = new DeniedAttempts(store, silentLogger(), { retentionDays: 1, maxRows: 100, maxPending: 3, flushMs: 3600_000, now: () => new Date(now) });
    try {
      for (let i = 0; i < 1000; i++) denied.record({ source: '10.0.0.1', principal: 'anonymous', action: '-', reason: 'invalid-token', status: 401 });
      denied.record({ source: '10.0.0.1', principal: 'rita', action: 'tokens/read', reason: 'forbidden', status: 403 });
      assert.equal(store.listDeniedAttempts(10).length, 0, 'nothing written before a flush');
      // Past maxPending distinct keys, new sources are counted under (other).
      for (let i = 0; i < 50; i++) denied.record({ source: `10.1.0.${i}`, principal: 'anonymous', action: '-', reason: 'missing-token', status: 401 });
      denied.flush();
      const rows = store.listDeniedAttempts(100);
      const bySource = Object.fromEntries(rows.map((r) => [`${r.source}/${r.reason}`, r.count]));
      assert.equal(bySource['10.0.0.1/invalid-token'], 1000);
      assert.equal(bySource['10.0.0.1/forbidden'], 1);
      assert.equal(rows.reduce((n, r) => n + r.count, 0), 1051);
      assert.ok(rows.length <= 4, `aggregated: ${rows.length} rows`);
      assert.equal(rows[0]!.window, '2026-01-01T10:00:00.000Z');
      // A second flush of the same key adds up.
      denied.record({ source: '10.0.0.1', principal: 'anonymous', action: '-', reason: 'invalid-token', status: 401 });
      denied.flush();
      assert.equal(store.listDeniedAttempts(100).find((r) => r.source === '10.0.0.1' && r.reason === 'invalid-token')!.count, 1001);
      // Retention: two days later the old windows go.
      now += 2 * 86_400_000;
      denied.record({ source: '10.0.0.9', principal: 'anonymous', action: '-', reason: 'invalid-token', status: 401 });
      denied.flush();
      assert.deepEqual(store.listDeniedAttempts(100).map((r) => r.source), ['10.0.0.9']);
      // Row cap: the oldest windows go first.
      for (let m = 0; m < 150; m++) {
        now += 60_000;
        denied.record({ source: '10.0.0.9', principal: 'anonymous', action: '-', reason: 'invalid-token', status: 401 });
        denied.flush();
      }
      const kept = store.listDeniedAttempts(1000);
      assert.equal(kept.length, 100);
      assert.equal(kept[0]!.window, new Date(Math.floor(now / 60_000) * 60_000).toISOString(), 'the newest window is kept');
    } finally {
      denied.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit retention', () => {
  it('prunes real actions by age only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-audit-'));
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new SqliteStore(join(dir, 'db'), { now: () => new Date(now) });
    try {
      const entry = { principal: 'admin', role: 'Owner', action: 'onlineEndpoints/write', target: 'endpoints/x', status: 202, outcome: 'Succeeded' as const, code: null };
      store.insertAudit(entry);
      now += 100 * 86_400_000;
      store.insertAudit(entry);
      assert.equal(store.pruneAudit(new Date(now - 90 * 86_400_000).toISOString()), 1);
      assert.equal(store.listAudit(10).length, 1);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('security settings', () => {
  it('defaults keep actions at least 90 days; variables override; bad values name the variable', () => {
    assert.ok(DEFAULT_SECURITY.auditRetentionDays >= 90);
    assert.equal(securitySettingsFromEnv({}).authFailureLimit, DEFAULT_SECURITY.authFailureLimit);
    assert.equal(securitySettingsFromEnv({ SWITCHYARD_AUDIT_RETENTION_DAYS: '400' }).auditRetentionDays, 400);
    assert.throws(() => securitySettingsFromEnv({ SWITCHYARD_AUTH_FAILURE_LIMIT: '0' }), /SWITCHYARD_AUTH_FAILURE_LIMIT must be a whole number of at least 1/);
    assert.throws(() => securitySettingsFromEnv({ SWITCHYARD_MAX_ARTIFACT_ENTRIES: 'many' }), /SWITCHYARD_MAX_ARTIFACT_ENTRIES/);
  });
});
