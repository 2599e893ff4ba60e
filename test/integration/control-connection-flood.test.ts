// A connection flood against the control plane of a real server (serve(): gateway worker, SQLite, in
// this process): 1,500 connections that send half a request head and stall. The control plane keeps at most
// SWITCHYARD_CONTROL_MAX_CONNECTIONS of them (the rest are closed at once) and cuts the held ones when
// their head is late (SWITCHYARD_CONTROL_HEADERS_TIMEOUT_MS); meanwhile the gateway, in the same
// process, still answers scoring requests, and afterwards the control plane answers again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { silentLogger } from '../../src/logger.js';
import { removeDir, tempDataDir } from './control-harness.js';

const FLOOD = 1500;
const MAX_CONNECTIONS = 256;
let server: RunningServer;
let admin: string;
const SETTINGS = { SWITCHYARD_CONTROL_MAX_CONNECTIONS: String(MAX_CONNECTIONS), SWITCHYARD_CONTROL_HEADERS_TIMEOUT_MS: '3000' };

before(async () => {
  Object.assign(process.env, SETTINGS);
  try {
    server = await serve({ port: 0, gatewayPort: 0, dataDir: tempDataDir(), logger: silentLogger(), handleSignals: false });
  } finally {
    for (const k of Object.keys(SETTINGS)) delete process.env[k];
  }
  admin = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
});
after(async () => {
  await server?.close();
  removeDir(server.dataDir);
});

const api = (method: string, path: string, body?: unknown) => fetch(server.controlUrl + path, {
  method, headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  ...(body ? { body: JSON.stringify(body) } : {}),
});

describe('slow-header flood on the control plane', () => {
  it('is cut, and the gateway answers scoring requests throughout', { timeout: 120_000 }, async () => {
    assert.equal((await api('POST', '/api/v1/endpoints', { name: 'flood-ep' })).status, 202);
    const key = (await (await api('POST', '/api/v1/endpoints/flood-ep/list-keys')).json()).primaryKey;
    const { port } = new URL(server.controlUrl);

    let open = 0;
    let closedByServer = 0;
    const sockets: Socket[] = [];
    const allClosed = new Promise<void>((resolve) => {
      for (let i = 0; i < FLOOD; i++) {
        const s = connect(Number(port), '127.0.0.1', () => { open++; s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'); });
        s.on('error', () => {});
        s.on('close', () => { if (++closedByServer === FLOOD) resolve(); });
        sockets.push(s);
      }
    });

    // While the flood holds the control plane, the gateway (same process, same file limit) answers.
    let answered = 0;
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.gatewayUrl}/endpoints/flood-ep/score`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}',
      });
      await res.arrayBuffer();
      assert.equal(res.status, 404, 'authenticated and routed (no deployment yet)');
      answered++;
    }
    assert.equal(answered, 20);

    // Every flood connection is closed by the server: the excess at once, the held ones at their head's deadline.
    let gaveUp = false;
    let closedBefore = 0;
    const timeout = setTimeout(() => { gaveUp = true; closedBefore = closedByServer; for (const s of sockets) s.destroy(); }, 60_000);
    await allClosed;
    clearTimeout(timeout);
    assert.equal(gaveUp, false, `the server still held ${FLOOD - closedBefore} slow connections after 60 s`);
    assert.ok(open > 0, 'the flood did connect');
    console.log(`${open} of ${FLOOD} flood connections were accepted at TCP level; all were closed by the server`);

    const health = await fetch(`${server.controlUrl}/api/v1/health`);
    assert.equal(health.status, 200, 'the control plane answers again');
    assert.equal((await api('GET', '/api/v1/endpoints/flood-ep')).status, 200);
  });
});
