// The audit log under attack, over real HTTP (real SQLite): a flood of bad tokens must neither erase
// nor hide real actions, is answered 429 with Retry-After past the per-source budget (valid tokens
// still pass), and lands in the denied-attempt aggregates as a handful of counted rows, not one
// synchronous write per request. Control-plane tokens with an expiry stop working with a clear 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execSql } from './test-store.js';
import { startHarness, removeDir, type Harness } from './control-harness.js';

let h: Harness;
const LIMIT = 50;
const FLOOD = 3000;

before(async () => {
  h = await startHarness(undefined, { security: { authFailureLimit: LIMIT, authFailureWindowSeconds: 600 } });
});
after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

const bad = (i: number) => fetch(`${h.url}/api/v1/endpoints`, { headers: { authorization: `Bearer syt_bad${i}` } });

describe('a flood of bad tokens', () => {
  it('is limited per source, keeps real actions, and is counted apart in a few rows', async () => {
    assert.equal((await h.call('POST', '/api/v1/endpoints', { name: 'ep-before' })).status, 202);
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    let realCalls = 0;
    const worker = async (w: number) => {
      for (let i = w; i < FLOOD; i += 20) {
        const r = await bad(i);
        await r.arrayBuffer();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 429) retryAfter = r.headers.get('retry-after');
        // A real user on the same address is never limited.
        if (i % 200 === w) {
          const ok = await h.call('GET', '/api/v1/endpoints');
          assert.equal(ok.status, 200, 'a valid token passes during the flood');
          realCalls++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
    assert.ok(realCalls > 0);
    assert.equal(statuses.get(401), LIMIT, JSON.stringify([...statuses]));
    assert.equal(statuses.get(429), FLOOD - LIMIT);
    assert.ok(retryAfter !== null && Number(retryAfter) >= 1 && Number(retryAfter) <= 600, `Retry-After: ${retryAfter}`);
    const limited = await bad(0);
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).error.code, 'TooManyRequests');

    assert.equal((await h.call('POST', '/api/v1/endpoints', { name: 'ep-after' })).status, 202);
    const actions = (await h.call('GET', '/api/v1/audit?limit=10000')).body.value;
    assert.ok(actions.some((e: any) => e.target === 'endpoints/ep-before'), 'the action before the flood is still there');
    assert.ok(actions.some((e: any) => e.target === 'endpoints/ep-after'));
    assert.ok(actions.every((e: any) => e.principal !== 'anonymous'), 'no denied attempt among actions');

    const denied = (await h.call('GET', '/api/v1/audit/denied?limit=10000')).body.value;
    const flood = denied.filter((d: any) => d.principal === 'anonymous' && d.source === '127.0.0.1' && d.action === 'onlineEndpoints/read');
    const counted = (reason: string) => flood.filter((d: any) => d.reason === reason).reduce((n: number, d: any) => n + d.count, 0);
    assert.equal(counted('invalid-token') + counted('rate-limited'), FLOOD + 1);
    assert.equal(counted('invalid-token'), LIMIT);
    // Per minute windows: a few rows, whatever the flood's size (it may straddle a minute or two).
    assert.ok(flood.length <= 6, `${flood.length} rows for ${FLOOD} attempts`);
    const n = Number((await execSql(h.dataDir, 'SELECT count(*) AS n FROM audit_denied'))[0]!.n);
    assert.ok(n < 20, `${n} rows in audit_denied`);
  });

  it('a request without any token counts as missing-token', async () => {
    await fetch(`${h.url}/api/v1/models`);
    const denied = (await h.call('GET', '/api/v1/audit/denied')).body.value;
    assert.ok(denied.some((d: any) => d.reason === 'rate-limited' || d.reason === 'missing-token'));
  });
});

describe('token expiry', () => {
  let h2: Harness;
  before(async () => { h2 = await startHarness(); });
  after(async () => { await h2.close(); removeDir(h2.dataDir); });

  it('is optional, shown in list, validated, and an expired token answers 401 saying it expired', async () => {
    const forever = (await h2.call('POST', '/api/v1/tokens', { name: 'forever', role: 'Reader' })).body;
    assert.equal(forever.expires_at, undefined);
    const made = await h2.call('POST', '/api/v1/tokens', { name: 'temp', role: 'Reader', expires_in_seconds: 3600 });
    assert.equal(made.status, 201, made.text);
    const expiresAt = Date.parse(made.body.expires_at);
    assert.ok(Math.abs(expiresAt - (Date.parse(made.body.created_at) + 3600_000)) < 1000);
    const listed = (await h2.call('GET', '/api/v1/tokens')).body.value.find((t: any) => t.id === made.body.id);
    assert.equal(listed.expires_at, made.body.expires_at);
    const ok = await fetch(`${h2.url}/api/v1/endpoints`, { headers: { authorization: `Bearer ${made.body.token}` } });
    assert.equal(ok.status, 200);
    for (const v of [0, 59, 1.5, '30d', 11 * 366 * 86_400]) {
      const r = await h2.call('POST', '/api/v1/tokens', { name: 'x', role: 'Reader', expires_in_seconds: v });
      assert.equal(r.status, 400, `${v}: ${r.text}`);
    }
    // Time passes: the row's expiry is moved into the past (another connection to the same store).
    await execSql(h2.dataDir, 'UPDATE access_tokens SET expires_at = ? WHERE id = ?', [new Date(Date.now() - 1000).toISOString(), made.body.id]);
    const r = await fetch(`${h2.url}/api/v1/endpoints`, { headers: { authorization: `Bearer ${made.body.token}` } });
    assert.equal(r.status, 401);
    assert.match((await r.json()).error.message, /expired at .*token create/);
    const denied = (await h2.call('GET', '/api/v1/audit/denied')).body.value;
    assert.ok(denied.some((d: any) => d.reason === 'expired-token'));
  });
});
