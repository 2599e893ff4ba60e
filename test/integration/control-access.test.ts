// Control-plane access over real HTTP (real SQLite, FakeBackend/FakeGateway): every route of the
// OpenAPI document × every role against the policy, what each role may do with real resources, tokens
// (create, list, revoke at once, bad input) and the audit log (who, what, outcome).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTE_ACTIONS, type Role } from '../../src/control/permissions.js';
import { startHarness, removeDir, type Harness } from './control-harness.js';

let h: Harness;
const tokens: Record<Role, string> = { Owner: '', Contributor: '', Reader: '', 'Switchyard Gateway': '' };
const principal: Record<Role, string> = { Owner: 'olivia', Contributor: 'carl', Reader: 'rita', 'Switchyard Gateway': 'gus' };

async function as(token: string | undefined, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(h.url + path, init);
  // The snapshot stream of standalone gateways never ends: its status and headers are the answer.
  if (res.headers.get('content-type') === 'application/x-ndjson') {
    await res.body?.cancel();
    return { status: res.status, body: '', text: '' };
  }
  const text = await res.text();
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body: parsed, text };
}

/**
 * The policy of the issue, written apart from src/control/permissions.ts: tokens and audit need Owner;
 * other reads need Reader, except logs (an action in Azure); everything else needs Contributor.
 */
function minimumRole(method: string, path: string): Role | 'public' | 'fetch token' {
  if (path === '/api/v1/health') return 'public';
  // A storage-initializer's download takes a deployment's fetch token and no user token at all.
  if (path === '/api/v1/artifacts/{digest}/archive') return 'fetch token';
  // Standalone gateways read snapshots (secrets inside) and report: their own role and Owner, no one else.
  if (path.startsWith('/api/v1/gateway/') || (path.startsWith('/api/v1/gateways') && method !== 'GET')) return 'Switchyard Gateway';
  if (path.startsWith('/api/v1/tokens') || path.startsWith('/api/v1/audit')) return 'Owner';
  // Logs and samples of compared answers hold users' data: Contributor and above.
  if (method === 'GET' && !path.endsWith('/logs') && !path.endsWith('/comparison/samples')) return 'Reader';
  return 'Contributor';
}
const RANK: Record<Role, number> = { Reader: 0, Contributor: 1, Owner: 2, 'Switchyard Gateway': -1 };
/** The Switchyard Gateway role is outside the ranks: its routes (and Owner), nothing else. */
const allowedFor = (role: Role, needed: Role | 'public'): boolean =>
  needed === 'public' || role === needed || role === 'Owner' || (needed !== 'Switchyard Gateway' && role !== 'Switchyard Gateway' && RANK[role] >= RANK[needed]);

before(async () => {
  h = await startHarness();
  for (const role of ['Owner', 'Contributor', 'Reader', 'Switchyard Gateway'] as const) {
    const r = await h.call('POST', '/api/v1/tokens', { name: principal[role], role });
    assert.equal(r.status, 201, r.text);
    tokens[role] = r.body.token;
  }
  for (const [name, auth_mode] of [['ep-key', 'key'], ['ep-tok', 'aml_token']]) {
    const r = await h.call('POST', '/api/v1/endpoints', { name, auth_mode });
    assert.equal(r.status, 202, r.text);
  }
});
after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

describe('the permission table covers every route', () => {
  it('every route of the OpenAPI document has an action, and every action entry is a route', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).body;
    const documented = new Set<string>();
    for (const [path, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    for (const route of documented) assert.ok(ROUTE_ACTIONS[route], `${route} is missing from ROUTE_ACTIONS`);
    for (const route of Object.keys(ROUTE_ACTIONS)) assert.ok(documented.has(route), `${route} is in ROUTE_ACTIONS but not a documented route`);
  });

  it('walks every route × every role: allowed or 403, as the policy says; no token: 401', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).body;
    let checked = 0;
    for (const [template, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      // Names that do not exist: an allowed request ends in 404/400 and changes nothing.
      const path = template.replace(/\{(\w+)\}/g, 'zz-none');
      for (const m of Object.keys(methods)) {
        const method = m.toUpperCase();
        const needed = minimumRole(method, template);
        const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
        for (const role of ['Owner', 'Contributor', 'Reader', 'Switchyard Gateway'] as const) {
          const r = await as(tokens[role], method, path, body);
          if (needed === 'fetch token') {
            assert.equal(r.status, 401, `${role} ${method} ${template}: a user token must not fetch artifacts, got ${r.status} ${r.text}`);
            checked++;
            continue;
          }
          const allowed = allowedFor(role, needed);
          if (allowed) {
            assert.ok(r.status !== 403 && r.status !== 401, `${role} ${method} ${template}: expected allowed, got ${r.status} ${r.text}`);
          } else {
            assert.equal(r.status, 403, `${role} ${method} ${template}: expected 403, got ${r.status} ${r.text}`);
            assert.equal(r.body.error.code, 'Forbidden');
            assert.ok(r.body.error.message.includes(`"${principal[role]}"`) && r.body.error.message.includes(role), r.body.error.message);
            assert.equal(r.body.error.details.action, ROUTE_ACTIONS[`${method} ${template.replace(/\{(\w+)\}/g, ':$1')}`]);
          }
          checked++;
        }
        const anonymous = await as(undefined, method, path, body);
        assert.equal(anonymous.status, needed === 'public' ? 200 : 401, `anonymous ${method} ${template}`);
      }
    }
    assert.ok(checked >= 3 * 30, `only ${checked} checks`);
  });
});

describe('roles with real resources', () => {
  it('Reader reads, but cannot list keys, regenerate them, get tokens or change anything', async () => {
    const t = tokens.Reader;
    assert.equal((await as(t, 'GET', '/api/v1/endpoints/ep-key')).status, 200);
    assert.equal((await as(t, 'GET', '/api/v1/endpoints')).body.value.length, 2);
    assert.equal((await as(t, 'GET', '/api/v1/endpoints/ep-key/deployments')).status, 200);
    const denied: [string, string, unknown?][] = [
      ['POST', '/api/v1/endpoints/ep-key/list-keys'],
      ['POST', '/api/v1/endpoints/ep-key/regenerate-keys', { keyType: 'primary' }],
      ['POST', '/api/v1/endpoints/ep-tok/token'],
      ['POST', '/api/v1/endpoints', { name: 'ep-new' }],
      ['PATCH', '/api/v1/endpoints/ep-key', { description: 'x' }],
      ['DELETE', '/api/v1/endpoints/ep-key'],
      ['POST', '/api/v1/models', { name: 'm', path: 'sha256:' + 'a'.repeat(64) }],
      ['POST', '/api/v1/endpoints/ep-key/deployments', { name: 'blue' }],
      ['GET', '/api/v1/tokens'],
      ['GET', '/api/v1/audit'],
    ];
    for (const [method, path, body] of denied) {
      const r = await as(t, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    const keys = await as(t, 'POST', '/api/v1/endpoints/ep-key/list-keys');
    assert.match(keys.body.error.message, /"rita" has role Reader, which does not allow onlineEndpoints\/listKeys\/action/);
    assert.equal((await h.call('GET', '/api/v1/endpoints/ep-key')).body.description, undefined, 'nothing changed');
    assert.equal((await h.call('GET', '/api/v1/endpoints')).body.value.length, 2);
  });

  it('Contributor does everything to resources, keys included, but cannot manage tokens or read the audit log', async () => {
    const t = tokens.Contributor;
    const keys = await as(t, 'POST', '/api/v1/endpoints/ep-key/list-keys');
    assert.equal(keys.status, 200);
    assert.equal(typeof keys.body.primaryKey, 'string');
    assert.equal((await as(t, 'POST', '/api/v1/endpoints/ep-tok/token')).status, 200);
    const regen = await as(t, 'POST', '/api/v1/endpoints/ep-key/regenerate-keys', { keyType: 'secondary' });
    assert.equal(regen.status, 200);
    assert.notEqual(regen.body.secondaryKey, keys.body.secondaryKey);
    assert.equal((await as(t, 'POST', '/api/v1/endpoints', { name: 'ep-carl' })).status, 202);
    assert.equal((await as(t, 'PATCH', '/api/v1/endpoints/ep-carl', { description: 'mine' })).status, 202);
    assert.equal((await as(t, 'DELETE', '/api/v1/endpoints/ep-carl')).status, 202);
    for (const [method, path, body] of [
      ['POST', '/api/v1/tokens', { name: 'x', role: 'Owner' }], ['GET', '/api/v1/tokens'], ['DELETE', '/api/v1/tokens/whatever'], ['GET', '/api/v1/audit'],
    ] as const) {
      const r = await as(t, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.match(r.body.error.message, /"carl" has role Contributor/);
    }
  });

  it('Owner tokens manage tokens and read the audit log; the admin token is principal admin, Owner', async () => {
    assert.equal((await as(tokens.Owner, 'GET', '/api/v1/tokens')).status, 200);
    assert.equal((await as(tokens.Owner, 'GET', '/api/v1/audit?limit=1')).status, 200);
    const made = await as(tokens.Owner, 'POST', '/api/v1/tokens', { name: 'temp', role: 'reader' });
    assert.equal(made.status, 201);
    assert.equal(made.body.role, 'Reader');
    assert.equal(made.body.created_by, 'olivia');
    assert.equal((await as(tokens.Owner, 'DELETE', `/api/v1/tokens/${made.body.id}`)).status, 200);
    const audit = (await h.call('GET', '/api/v1/audit?limit=1')).body.value;
    assert.equal(audit.length, 1);
  });
});

describe('tokens', () => {
  it('shows the token once: list and revoke never show it', async () => {
    const made = await h.call('POST', '/api/v1/tokens', { name: 'once', role: 'Reader' });
    assert.equal(made.status, 201);
    assert.deepEqual(Object.keys(made.body).sort(), ['created_at', 'created_by', 'id', 'name', 'role', 'token']);
    assert.match(made.body.token, /^syt_[A-Za-z0-9_-]{43}$/);
    const list = await h.call('GET', '/api/v1/tokens');
    assert.ok(!list.text.includes(made.body.token));
    const mine = list.body.value.find((t: any) => t.id === made.body.id);
    assert.deepEqual(Object.keys(mine).sort(), ['created_at', 'created_by', 'id', 'name', 'role']);
    const revoked = await h.call('DELETE', `/api/v1/tokens/${made.body.id}`);
    assert.ok(!revoked.text.includes(made.body.token));
    assert.equal(typeof revoked.body.revoked_at, 'string');
  });

  it('a revoked token is refused at the next request', async () => {
    const made = (await h.call('POST', '/api/v1/tokens', { name: 'shortlived', role: 'Contributor' })).body;
    assert.equal((await as(made.token, 'GET', '/api/v1/endpoints')).status, 200);
    assert.equal((await h.call('DELETE', `/api/v1/tokens/${made.id}`)).status, 200);
    const r = await as(made.token, 'GET', '/api/v1/endpoints');
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'Unauthorized');
    assert.ok(!(await h.call('GET', '/api/v1/tokens')).body.value.some((t: any) => t.id === made.id), 'not listed once revoked');
    assert.equal((await h.call('DELETE', `/api/v1/tokens/${made.id}`)).status, 200, 'revoking again is harmless');
    assert.equal((await h.call('DELETE', '/api/v1/tokens/no-such-id')).body.error.code, 'TokenNotFound');
  });

  it('refuses bad roles and names with a clear 400', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ name: 'x', role: 'Admin' }, 'InvalidValue', /role must be one of Owner, Contributor, Reader, Switchyard Gateway, got "Admin"/],
      [{ name: 'x', role: 7 }, 'InvalidValue', /role/],
      [{ name: 'has space', role: 'Reader' }, 'InvalidName', /Token name must be 1-64 characters/],
      [{ name: '', role: 'Reader' }, 'InvalidName', /Token name/],
      [{ name: 'x'.repeat(65), role: 'Reader' }, 'InvalidName', /Token name/],
      [{ name: 'Admin', role: 'Reader' }, 'InvalidName', /reserved for the admin token/],
      [{ role: 'Reader' }, 'MissingField', /name/],
      [{ name: 'x' }, 'MissingField', /role/],
      [{ name: 'x', role: 'Reader', expires: 1 }, 'UnknownKey', /expires/],
    ];
    const before = (await h.call('GET', '/api/v1/tokens')).body.value.length;
    for (const [body, code, message] of cases) {
      const r = await h.call('POST', '/api/v1/tokens', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, code, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.body.error.message, message);
    }
    assert.equal((await h.call('GET', '/api/v1/tokens')).body.value.length, before, 'nothing created');
  });

  it('stores only the sha256 of a token', async () => {
    const made = (await h.call('POST', '/api/v1/tokens', { name: 'hashed', role: 'Reader' })).body;
    const rec = h.plane.store.getAccessToken(made.id)!;
    assert.notEqual(rec.token_hash, made.token);
    assert.match(rec.token_hash, /^[0-9a-f]{64}$/);
  });
});

describe('audit log', () => {
  it('records allowed actions with who, what and outcome; denied attempts are counted apart', async () => {
    await as(tokens.Reader, 'POST', '/api/v1/endpoints/ep-key/list-keys');
    await as(tokens.Contributor, 'POST', '/api/v1/endpoints/ep-key/list-keys');
    await as(tokens.Contributor, 'POST', '/api/v1/endpoints/ep-tok/token');
    await as(tokens.Contributor, 'PATCH', '/api/v1/endpoints/ep-key', { tags: { a: 'b' } });
    await as('not-a-token', 'DELETE', '/api/v1/endpoints/ep-key');
    await as(tokens.Contributor, 'GET', '/api/v1/endpoints/ep-key');
    const entries = (await h.call('GET', '/api/v1/audit?limit=3')).body.value;
    assert.equal(entries.length, 3);
    const [patch, token, allowed] = entries;
    assert.deepEqual(
      { principal: allowed.principal, action: allowed.action, status: allowed.status, outcome: allowed.outcome, code: allowed.code },
      { principal: 'carl', action: 'onlineEndpoints/listKeys/action', status: 200, outcome: 'Succeeded', code: null });
    assert.equal(token.action, 'onlineEndpoints/token/action');
    assert.equal(patch.action, 'onlineEndpoints/write');
    assert.equal(patch.target, 'endpoints/ep-key');
    assert.equal(patch.status, 202);
    assert.ok(!Number.isNaN(Date.parse(allowed.at)));
    const all = (await h.call('GET', '/api/v1/audit?limit=10000')).body.value;
    assert.ok(all.every((e: any) => e.status !== 401 && e.status !== 403), 'no denial among real actions');

    const denied = (await h.call('GET', '/api/v1/audit/denied?limit=10000')).body.value;
    const forbidden = denied.find((d: any) => d.principal === 'rita' && d.action === 'onlineEndpoints/listKeys/action');
    assert.deepEqual({ reason: forbidden.reason, status: forbidden.status, source: forbidden.source },
      { reason: 'forbidden', status: 403, source: '127.0.0.1' });
    assert.ok(forbidden.count >= 1);
    const anon = denied.find((d: any) => d.principal === 'anonymous' && d.action === 'onlineEndpoints/delete');
    assert.deepEqual({ reason: anon.reason, status: anon.status }, { reason: 'invalid-token', status: 401 });
    assert.match(anon.window, /:00\.000Z$/, 'counted per minute');
    assert.equal((await as(tokens.Contributor, 'GET', '/api/v1/audit/denied')).status, 403, 'Owner only');
  });

  it('records creates with the new name, failures with their code, token create/revoke; not plain reads', async () => {
    await h.call('POST', '/api/v1/endpoints', { name: 'bad name!' });
    await h.call('POST', '/api/v1/endpoints', { name: 'ep-audit' });
    const made = (await h.call('POST', '/api/v1/tokens', { name: 'audited', role: 'Reader' })).body;
    await h.call('DELETE', `/api/v1/tokens/${made.id}`);
    await h.call('GET', '/api/v1/endpoints');
    await h.call('GET', '/api/v1/tokens');
    const [revoke, create, ep, bad] = (await h.call('GET', '/api/v1/audit?limit=4')).body.value;
    assert.deepEqual([bad.action, bad.target, bad.status, bad.outcome, bad.code], ['onlineEndpoints/write', 'endpoints/bad%20name!', 400, 'Failed', 'InvalidName']);
    assert.deepEqual([ep.principal, ep.target, ep.status, ep.outcome], ['admin', 'endpoints/ep-audit', 202, 'Succeeded']);
    assert.deepEqual([create.action, create.target, create.status], ['tokens/write', `tokens/audited/${made.id}`, 201]);
    assert.deepEqual([revoke.action, revoke.target, revoke.status], ['tokens/delete', `tokens/audited/${made.id}`, 200]);
    const all = await h.call('GET', '/api/v1/audit?limit=10000');
    assert.ok(!all.text.includes(made.token), 'no token in the audit log');
  });

  it('limit is validated', async () => {
    assert.equal((await h.call('GET', '/api/v1/audit?limit=0')).status, 400);
    assert.equal((await h.call('GET', '/api/v1/audit?limit=abc')).status, 400);
    assert.equal((await h.call('GET', '/api/v1/audit')).body.value.length <= 100, true);
  });
});
