// Secrets stay secret: on a populated server (real SQLite, real HTTP), no GET answer holds an endpoint
// key, an aml_token signing secret, a minted aml_token or a control-plane token; the server's log holds
// none at debug level; the database files hold none in plain text (keys are sealed with the master
// key); a store written in plain text is sealed when the server starts; a wrong master key stops it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/logger.js';
import { onPostgres, openTestStore, storeRawText } from './test-store.js';
import { newKeys, newTokenSecret } from '../../src/store/credentials.js';
import { startHarness, removeDir, tempDataDir, type Harness } from './control-harness.js';
import { folderArchive } from './control-archives.js';

let h: Harness;
let logText = '';
const secrets: string[] = [];

async function upload(files: Record<string, string>): Promise<string> {
  const res = await fetch(`${h.url}/api/v1/artifacts?kind=dir&name=code`, {
    method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' },
    body: new Uint8Array(await folderArchive(files)),
  });
  return ((await res.json()) as any).digest;
}

function endpointSecrets(name: string): string[] {
  const rec = h.plane.store.getEndpoint(name)!;
  return [rec.keys.primaryKey, rec.keys.secondaryKey, rec.token_secret];
}

before(async () => {
  const sink = new Writable({ write(chunk, _enc, done) { logText += chunk.toString(); done(); } });
  h = await startHarness(undefined, { logger: createLogger({ level: 'debug', stream: sink }) });
  const model = await upload({ 'model.pkl': 'weights' });
  const code = await upload({ 'score.py': 'def init(): pass\ndef run(d): return d\n' });
  assert.equal((await h.call('POST', '/api/v1/models', { name: 'm', path: model })).status, 201);
  assert.equal((await h.call('POST', '/api/v1/environments', { name: 'env', image: 'python:3.11' })).status, 201);
  for (const [name, auth_mode] of [['ep-key', 'key'], ['ep-tok', 'aml_token']]) {
    assert.equal((await h.call('POST', '/api/v1/endpoints', { name, auth_mode })).status, 202);
  }
  const dep = await h.call('POST', '/api/v1/endpoints/ep-key/deployments', {
    name: 'blue', model: 'azureml:m:1', environment: 'azureml:env:1', code_configuration: { code, scoring_script: 'score.py' }, instance_type: 'Standard_DS3_v2', instance_count: 1,
  });
  assert.equal(dep.status, 202, dep.text);
  await h.call('GET', `/api/v1/operations/${dep.body.operation.id}?wait=10`);
  // Secrets travel: listed, regenerated (old and new), minted; a control token made.
  const old = endpointSecrets('ep-key');
  assert.equal((await h.call('POST', '/api/v1/endpoints/ep-key/list-keys')).body.primaryKey, old[0]);
  assert.equal((await h.call('POST', '/api/v1/endpoints/ep-key/regenerate-keys', { keyType: 'primary' })).status, 200);
  const minted = (await h.call('POST', '/api/v1/endpoints/ep-tok/token')).body.accessToken;
  const made = (await h.call('POST', '/api/v1/tokens', { name: 'ci', role: 'Reader' })).body.token;
  // Requests carrying the secrets as bearer tokens too (what a log of headers would leak).
  await fetch(`${h.url}/api/v1/endpoints`, { headers: { authorization: `Bearer ${made}` } });
  await fetch(`${h.url}/api/v1/endpoints`, { headers: { authorization: `Bearer ${old[0]}` } });
  secrets.push(...old, ...endpointSecrets('ep-key'), ...endpointSecrets('ep-tok'), minted, made, h.token,
    readFileSync(join(h.dataDir, 'master-key'), 'utf8').trim());
  assert.ok(secrets.every((s) => typeof s === 'string' && s.length >= 32), 'every secret is known');
});
after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

const leaks = (text: string): string[] => secrets.filter((s) => text.includes(s));

describe('no secret leaves by a read', () => {
  it('no GET answer of any documented route holds a secret', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).body;
    const artifact = h.plane.store.listModels()[0]!.path;
    const op = h.plane.store.runningOperations()[0]?.id ?? (await h.call('PATCH', '/api/v1/endpoints/ep-key', {})).body.operation.id;
    const values: Record<string, string[]> = {
      digest: [artifact], id: [op], endpoint: ['ep-key', 'ep-tok'], version: ['1', 'latest'],
    };
    let fetched = 0;
    for (const [template, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      if (!('get' in methods)) continue;
      // The routing snapshot stream carries what gateways need to check keys and reach instances, by
      // design and only to the Switchyard Gateway role and Owner (docs/security.md, "Standalone gateways").
      if (template === '/api/v1/gateway/snapshots') continue;
      const names = template.includes('/models/') ? ['m'] : template.includes('/environments/') ? ['env']
        : template.includes('/deployments/') ? ['blue'] : ['ep-key', 'ep-tok'];
      const paths = new Set<string>();
      for (const name of names) {
        for (const endpoint of values.endpoint!) {
          paths.add(template.replace('{name}', name).replace('{endpoint}', endpoint)
            .replace('{digest}', values.digest![0]!).replace('{id}', values.id![0]!).replace('{version}', '1'));
        }
      }
      for (const path of paths) {
        const r = await h.call('GET', path);
        assert.ok(r.status < 500, `${path}: ${r.status}`);
        assert.deepEqual(leaks(r.text), [], `GET ${path} leaks a secret`);
        fetched++;
      }
    }
    for (const path of ['/api/v1/tokens', '/api/v1/audit?limit=10000', '/api/v1/endpoints/ep-key/deployments/blue/logs?container=storage-initializer']) {
      const r = await h.call('GET', path);
      assert.deepEqual(leaks(r.text), [], `GET ${path} leaks a secret`);
      fetched++;
    }
    assert.ok(fetched >= 20, `only ${fetched} GETs`);
    assert.ok(leaks((await h.call('POST', '/api/v1/endpoints/ep-key/list-keys')).text).length > 0, 'the check sees a secret where there is one');
  });

  it('the server log (debug level) holds no secret', async () => {
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(logText.length > 0, 'the log was captured');
    assert.deepEqual(leaks(logText), []);
  });

  it('the logger redacts secret-named keys', async () => {
    let text = '';
    const sink = new Writable({ write(chunk, _enc, done) { text += chunk.toString(); done(); } });
    const log = createLogger({ level: 'info', stream: sink });
    log.info({ primaryKey: 'P', keys: { primaryKey: 'Q' }, req: { headers: { authorization: 'Bearer R' } }, token: 'S', x: { token_secret: 'T' } }, 'm');
    await new Promise((r) => setTimeout(r, 50));
    for (const s of ['"P"', '"Q"', 'Bearer R', '"S"', '"T"']) assert.ok(!text.includes(s), `${s} in ${text}`);
  });
});

describe('secrets at rest', () => {
  it('the store holds no key, token secret or control token in plain text', async () => {
    const db = await storeRawText(h.dataDir);
    assert.ok(db.length > 0);
    assert.deepEqual(leaks(db).filter((s) => s !== readFileSync(join(h.dataDir, 'master-key'), 'utf8').trim()), []);
  });

  it('the master key file is 0600 and holds 32 random bytes', () => {
    const path = join(h.dataDir, 'master-key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url').length, 32);
  });

  it('a store written in plain text is sealed at start, keys unchanged; a wrong master key stops the start', async () => {
    const dir = tempDataDir();
    try {
      const plain = await openTestStore(dir);
      const keys = newKeys();
      const secret = newTokenSecret();
      plain.insertEndpoint('legacy', {
        spec: { name: 'legacy', tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' },
        provisioning_state: 'Succeeded', keys, token_secret: secret,
      });
      plain.close();
      const raw = () => storeRawText(dir);
      assert.ok((await raw()).includes(keys.primaryKey), 'written in plain text first');

      const second = await startHarness(dir);
      try {
        assert.deepEqual((await second.call('POST', '/api/v1/endpoints/legacy/list-keys')).body, keys);
        assert.equal(second.plane.store.getEndpoint('legacy')!.token_secret, secret);
        if (!onPostgres) {
          // SQLite keeps old page images in the WAL and free pages: rewrite the file to see what stays.
          (second.plane.store as any).db.pragma('wal_checkpoint(TRUNCATE)');
          (second.plane.store as any).db.exec('VACUUM');
        }
      } finally {
        await second.close();
      }
      const sealed = await raw();
      for (const s of [keys.primaryKey, keys.secondaryKey, secret]) assert.ok(!sealed.includes(s), 'sealed at rest');

      await assert.rejects(async () => (await openTestStore(dir)).close(), /encrypted endpoint keys; open it with the master key/);
      const original = readFileSync(join(dir, 'master-key'));
      writeFileSync(join(dir, 'master-key'), randomBytes(32).toString('base64url'));
      await assert.rejects(startHarness(dir), /Cannot decrypt the primary_key of endpoint "legacy".*master key is not the one/);
      writeFileSync(join(dir, 'master-key'), original);
      const third = await startHarness(dir);
      assert.deepEqual((await third.call('POST', '/api/v1/endpoints/legacy/list-keys')).body, keys);
      await third.close();
    } finally {
      removeDir(dir);
    }
  });
});
