// The permission table (src/control/permissions.ts): shape, the policy per role, and the messages of
// a denial; token hashing; the audit decisions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTIONS, ROLES, ROLE_ACTIONS, ROUTE_ACTIONS, RUN_AS_SERVER_ACTION, RUN_AS_SERVER_ROUTES, actionsNeeded, allows, isReadAction, parseRole, permissionFor, rolesAllowed,
} from '../../src/control/permissions.js';
import { forbidden } from '../../src/control/auth.js';
import { hashAccessToken, newAccessToken, sameHash } from '../../src/control/access-token-secret.js';
import { auditTarget, isAudited, isDenied, outcomeOf } from '../../src/control/audit.js';

const OWNER_ONLY = ['tokens/read', 'tokens/write', 'tokens/delete', 'auditLogs/read', 'onlineEndpoints/deployments/runAsServer/action'];
/** What a standalone gateway's token does (docs/gateway.md): besides it, only Owner. */
const GATEWAY_ONLY = ['gateways/snapshots/action', 'gateways/register/action'];

describe('permission table', () => {
  it('maps every route to a known action (or public), by METHOD /path', () => {
    for (const [route, action] of Object.entries(ROUTE_ACTIONS)) {
      assert.match(route, /^(GET|POST|PATCH|DELETE) \/[\w/:.-]*$/, route);
      assert.ok(action === 'public' || (ACTIONS as readonly string[]).includes(action), `${route}: ${action}`);
    }
    assert.deepEqual(Object.entries(ROUTE_ACTIONS).filter(([, a]) => a === 'public').map(([r]) => r), ['GET /api/v1/health', 'GET /api/v1/artifacts/:digest/archive']);
  });

  it('uses every action at least once', () => {
    const used = new Set(Object.values(ROUTE_ACTIONS));
    for (const a of ACTIONS) assert.ok(used.has(a) || a === RUN_AS_SERVER_ACTION, `${a} is not used by any route`);
  });

  it('HEAD needs what GET needs; unknown routes have no permission', () => {
    assert.equal(permissionFor('HEAD', '/api/v1/endpoints'), 'onlineEndpoints/read');
    assert.equal(permissionFor('PUT', '/api/v1/endpoints'), undefined);
  });

  it('Reader ⊂ Contributor ⊂ Owner, and Owner may do everything', () => {
    for (const a of ROLE_ACTIONS.Reader) assert.ok(ROLE_ACTIONS.Contributor.has(a), a);
    for (const a of ROLE_ACTIONS.Contributor) assert.ok(ROLE_ACTIONS.Owner.has(a), a);
    assert.deepEqual([...ROLE_ACTIONS.Owner].sort(), [...ACTIONS].sort());
  });

  it('Reader only reads, and reads neither tokens nor the audit log', () => {
    for (const a of ROLE_ACTIONS.Reader) assert.ok(isReadAction(a) && !OWNER_ONLY.includes(a), a);
    for (const a of ['onlineEndpoints/listKeys/action', 'onlineEndpoints/regenerateKeys/action', 'onlineEndpoints/token/action',
      'onlineEndpoints/write', 'onlineEndpoints/delete', 'onlineEndpoints/deployments/write', 'models/write'] as const) {
      assert.equal(allows('Reader', a), false, a);
    }
    assert.equal(allows('Reader', 'onlineEndpoints/read'), true);
  });

  it('Contributor does everything but tokens and audit', () => {
    for (const a of ACTIONS) assert.equal(allows('Contributor', a), !OWNER_ONLY.includes(a) && !GATEWAY_ONLY.includes(a), a);
  });

  it('Switchyard Gateway reads routing snapshots and reports, and nothing else; only Owner shares that', () => {
    assert.deepEqual([...ROLE_ACTIONS['Switchyard Gateway']].sort(), [...GATEWAY_ONLY].sort());
    for (const a of GATEWAY_ONLY) assert.deepEqual(rolesAllowed(a as (typeof ACTIONS)[number]), ['Owner', 'Switchyard Gateway']);
    assert.equal(ROUTE_ACTIONS['GET /api/v1/gateway/snapshots'], 'gateways/snapshots/action');
    assert.deepEqual(rolesAllowed('gateways/read'), ['Reader', 'Contributor', 'Owner']);
    assert.equal(parseRole('switchyard gateway'), 'Switchyard Gateway');
  });

  it('writing a deployment also needs runAsServer (Owner only) when instances run as the server', () => {
    for (const route of RUN_AS_SERVER_ROUTES) assert.equal(ROUTE_ACTIONS[route], 'onlineEndpoints/deployments/write', route);
    const post = ['POST', '/api/v1/endpoints/:endpoint/deployments', 'onlineEndpoints/deployments/write'] as const;
    assert.deepEqual(actionsNeeded(...post, false), ['onlineEndpoints/deployments/write']);
    assert.deepEqual(actionsNeeded(...post, true), ['onlineEndpoints/deployments/write', RUN_AS_SERVER_ACTION]);
    assert.deepEqual(actionsNeeded('PATCH', '/api/v1/endpoints/:endpoint/deployments/:name', 'onlineEndpoints/deployments/write', true).length, 2);
    assert.deepEqual(actionsNeeded('DELETE', '/api/v1/endpoints/:endpoint/deployments/:name', 'onlineEndpoints/deployments/delete', true), ['onlineEndpoints/deployments/delete']);
    assert.deepEqual(rolesAllowed(RUN_AS_SERVER_ACTION), ['Owner']);
    assert.match(forbidden({ name: 'ci', role: 'Contributor' }, RUN_AS_SERVER_ACTION).message, /runs scoring instances as its own user.*docs\/security\.md/);
  });

  it('parses roles case-insensitively', () => {
    assert.equal(parseRole('reader'), 'Reader');
    assert.equal(parseRole(' OWNER '), 'Owner');
    assert.equal(parseRole('Admin'), undefined);
    assert.equal(parseRole(3), undefined);
    assert.deepEqual(ROLES, ['Owner', 'Contributor', 'Reader', 'Switchyard Gateway']);
    assert.deepEqual(rolesAllowed('onlineEndpoints/listKeys/action'), ['Contributor', 'Owner']);
  });

  it('a denial names the principal, the role and the missing action', () => {
    const e = forbidden({ name: 'ci', role: 'Reader' }, 'onlineEndpoints/listKeys/action');
    assert.equal(e.code, 'Forbidden');
    assert.equal(e.status, 403);
    assert.match(e.message, /"ci" has role Reader, which does not allow onlineEndpoints\/listKeys\/action \(allowed for Contributor, Owner\)/);
  });
});

describe('access token hashing', () => {
  it('makes 256-bit random tokens with a prefix', () => {
    const a = newAccessToken();
    assert.match(a, /^syt_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.slice(4), 'base64url').length, 32);
    assert.notEqual(a, newAccessToken());
  });

  it('stores the sha256 hex and compares hashes in constant time', () => {
    assert.equal(hashAccessToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const h = hashAccessToken(newAccessToken());
    assert.equal(sameHash(h, h), true);
    assert.equal(sameHash(h, hashAccessToken('other')), false);
    assert.equal(sameHash(h, 'abc'), false);
  });
});

describe('audit decisions', () => {
  it('records changes and secret-revealing actions; not plain reads; denials go apart', () => {
    assert.equal(isAudited('onlineEndpoints/write', 202), true);
    assert.equal(isAudited('onlineEndpoints/listKeys/action', 200), true);
    assert.equal(isAudited('onlineEndpoints/read', 200), false);
    assert.equal(isAudited('onlineEndpoints/read', 403), false);
    assert.equal(isAudited('onlineEndpoints/write', 401), false);
    assert.equal(isAudited(undefined, 404), false);
    assert.equal(isDenied(401, undefined), true);
    assert.equal(isDenied(403, undefined), true);
    assert.equal(isDenied(429, 'rate-limited'), true);
    assert.equal(isDenied(404, undefined), false);
    assert.deepEqual([outcomeOf(202), outcomeOf(403), outcomeOf(401), outcomeOf(409)], ['Succeeded', 'Denied', 'Denied', 'Failed']);
  });

  it('targets the resource by path, and a created one by its name; never the body otherwise', () => {
    const t = (method: string, url: string, body?: unknown, query?: unknown) => auditTarget({ method, url, body, query } as any);
    assert.equal(t('POST', '/api/v1/endpoints', { name: 'ep', traffic: {} }), 'endpoints/ep');
    assert.equal(t('POST', '/api/v1/endpoints/ep/deployments', { name: 'blue' }), 'endpoints/ep/deployments/blue');
    assert.equal(t('POST', '/api/v1/endpoints/ep/regenerate-keys', { keyType: 'primary' }), 'endpoints/ep/regenerate-keys');
    assert.equal(t('PATCH', '/api/v1/endpoints/ep?x=1', { name: 'other' }), 'endpoints/ep');
    assert.equal(t('POST', '/api/v1/artifacts?kind=dir&name=code', undefined, { name: 'code' }), 'artifacts/code');
    assert.equal(t('POST', '/api/v1/endpoints', undefined), 'endpoints');
    assert.equal(t('POST', '/' + 'a'.repeat(1000)).length, 256);
  });
});
