// What the control plane adds for the web console, over real HTTP: the built files at `/` with a strict
// Content-Security-Policy and no token needed, only files of the build served, a clear answer when the
// console is not built, and GET /api/v1/whoami for every role.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { registerConsoleRoutes } from '../../src/control/routes/console.js';
import { ROLE_ACTIONS } from '../../src/control/permissions.js';
import { startHarness, removeDir, type Harness } from './control-harness.js';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); removeDir(h.dataDir); });

describe('console files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sy-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app-1.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html and hashed assets without a token, with a strict CSP', async () => {
    const app = Fastify();
    registerConsoleRoutes(app, dir);
    const index = await app.inject({ method: 'GET', url: '/' });
    assert.equal(index.statusCode, 200);
    assert.match(index.headers['content-type'] as string, /^text\/html/);
    const csp = index.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe'), csp);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const js = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.match(js.headers['cache-control'] as string, /immutable/);
    for (const url of ['/assets/app-2.js', '/assets/..%2Findex.html', '/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    await app.close();
  });

  it('says how to build the console when it is not built', async () => {
    const app = Fastify();
    registerConsoleRoutes(app, join(dir, 'nothing-here'));
    const r = await app.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 404);
    assert.match(r.body, /npm run build/);
    await app.close();
  });

  it('is served by the control plane at / on the REST port, no token needed', async () => {
    const res = await fetch(`${h.url}/`);
    // dist/console exists after `npm run build` (npm test builds it); either way the answer is not 401.
    assert.ok(res.status === 200 || res.status === 404, String(res.status));
    if (res.status === 200) assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });
});

describe('GET /api/v1/whoami', () => {
  it('answers the principal, role and allowed actions of every role; 401 without a token', async () => {
    const me = await h.call('GET', '/api/v1/whoami');
    assert.equal(me.status, 200);
    assert.equal(me.body.principal, 'admin');
    assert.equal(me.body.role, 'Owner');
    assert.deepEqual(new Set(me.body.actions), ROLE_ACTIONS.Owner);
    for (const role of ['Contributor', 'Reader'] as const) {
      const made = await h.call('POST', '/api/v1/tokens', { name: `who-${role.toLowerCase()}`, role });
      const r = await fetch(`${h.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${made.body.token}` } });
      const body = await r.json() as { principal: string; role: string; actions: string[] };
      assert.equal(body.principal, `who-${role.toLowerCase()}`);
      assert.equal(body.role, role);
      assert.deepEqual(new Set(body.actions), ROLE_ACTIONS[role]);
    }
    assert.equal(ROLE_ACTIONS.Reader.has('onlineEndpoints/listKeys/action'), false);
    assert.equal((await fetch(`${h.url}/api/v1/whoami`)).status, 401);
  });
});
