// aml_token signing secrets against the real gateway (serve(): worker-thread gateway, SQLite store):
// regenerate-keys on an aml_token endpoint rotates the secret so every token issued before fails at
// once, and switching auth_mode key -> aml_token -> key -> aml_token never lets an old token work again.
// With no deployment, an accepted credential answers 404 NoTraffic and a refused one 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { silentLogger } from '../../src/logger.js';
import { removeDir, tempDataDir } from './control-harness.js';

let dataDir: string;
let server: RunningServer;
let admin: string;

async function api(method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${admin}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.controlUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

/** The gateway's verdict on a credential: 'accepted' (it routed: 404 without deployments) or 'refused' (401). */
async function verdict(endpoint: string, credential: string): Promise<'accepted' | 'refused'> {
  const res = await fetch(`${server.gatewayUrl}/endpoints/${endpoint}/score`, {
    method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: '{}',
  });
  await res.arrayBuffer();
  assert.ok(res.status === 401 || res.status === 404, `status ${res.status}`);
  return res.status === 401 ? 'refused' : 'accepted';
}

async function setMode(endpoint: string, auth_mode: 'key' | 'aml_token'): Promise<void> {
  const r = await api('PATCH', `/api/v1/endpoints/${endpoint}`, { auth_mode });
  assert.equal(r.status, 202, r.text);
  let op = r.body.operation;
  while (op.status === 'Running') op = (await api('GET', `/api/v1/operations/${op.id}?wait=10`)).body;
  assert.equal(op.status, 'Succeeded', JSON.stringify(op));
}

const token = async (endpoint: string): Promise<string> => (await api('POST', `/api/v1/endpoints/${endpoint}/token`)).body.accessToken;

before(async () => {
  dataDir = tempDataDir();
  server = await serve({ port: 0, gatewayPort: 0, dataDir, logger: silentLogger(), handleSignals: false });
  admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
});
after(async () => {
  await server.close();
  removeDir(dataDir);
});

describe('aml_token signing secrets', () => {
  it('regenerate-keys rotates the secret: issued tokens fail at once, the answered one works', async () => {
    assert.equal((await api('POST', '/api/v1/endpoints', { name: 'tok', auth_mode: 'aml_token' })).status, 202);
    const first = await token('tok');
    const second = await token('tok');
    assert.equal(await verdict('tok', first), 'accepted');
    for (const keyType of ['primary', 'secondary']) {
      const r = await api('POST', '/api/v1/endpoints/tok/regenerate-keys', { keyType });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.body).sort(), ['accessToken', 'expiryTimeUtc', 'refreshAfterTimeUtc', 'tokenType']);
      assert.equal(await verdict('tok', first), 'refused', 'a token issued before the rotation');
      assert.equal(await verdict('tok', second), 'refused');
      assert.equal(await verdict('tok', r.body.accessToken), 'accepted');
      assert.equal(await verdict('tok', await token('tok')), 'accepted');
    }
    const audit = (await api('GET', '/api/v1/audit?limit=5')).body.value;
    assert.ok(audit.some((e: any) => e.action === 'onlineEndpoints/regenerateKeys/action' && e.target === 'endpoints/tok/regenerate-keys'));
  });

  it('key -> aml_token -> key -> aml_token: a token of the first aml_token period never works again', async () => {
    assert.equal((await api('POST', '/api/v1/endpoints', { name: 'flip', auth_mode: 'key' })).status, 202);
    const keys = (await api('POST', '/api/v1/endpoints/flip/list-keys')).body;
    assert.equal(await verdict('flip', keys.primaryKey), 'accepted');
    await setMode('flip', 'aml_token');
    const old = await token('flip');
    assert.equal(await verdict('flip', old), 'accepted');
    assert.equal(await verdict('flip', keys.primaryKey), 'refused', 'keys do not work in aml_token mode');
    await setMode('flip', 'key');
    assert.equal(await verdict('flip', old), 'refused', 'tokens do not work in key mode');
    await setMode('flip', 'aml_token');
    assert.equal(await verdict('flip', old), 'refused', 'the old token stays dead after switching back');
    assert.equal(await verdict('flip', await token('flip')), 'accepted');
    // An update that keeps aml_token mode does not rotate (clients' tokens stay valid).
    const current = await token('flip');
    assert.equal((await api('PATCH', '/api/v1/endpoints/flip', { description: 'still tokens' })).status, 202);
    assert.equal(await verdict('flip', current), 'accepted');
  });
});
