// The gateway's upstream HTTP/1.1 client against instances that frame their answers differently:
// Content-Length, chunked, close-delimited (HTTP/1.0), large bodies both ways, keep-alive reuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { call, client, deployment, endpoint, load, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

let gw: RunningGateway;
const KEY = 'k-upstream';
const HEADERS = { authorization: `Bearer ${KEY}` };
let plain: TestInstance, chunked: TestInstance, echo: TestInstance;
let http10: Server;
let http10Url = '';

before(async () => {
  plain = await startTestInstance('up-plain-0');
  chunked = await startTestInstance('up-chunked-0', { chunkBytes: 3 });
  // Echoes the body's sha256 and size, and sends a large answer of the requested size.
  echo = await startTestInstance('up-echo-0', {
    body: (req, body) => {
      const want = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('answer') ?? 0);
      return JSON.stringify({ sha: createHash('sha256').update(body).digest('hex'), size: body.length, pad: 'p'.repeat(want) });
    },
  });
  // A test instance speaking HTTP/1.0 with a close-delimited body (no Content-Length).
  http10 = createServer((s) => {
    let seen = '';
    s.on('data', (d) => {
      seen += d.toString('latin1');
      const headEnd = seen.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const m = /content-length: (\d+)/i.exec(seen.slice(0, headEnd));
      if (seen.length < headEnd + 4 + Number(m?.[1] ?? 0)) return;
      s.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil-close body');
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => http10.listen(0, '127.0.0.1', () => r()));
  http10Url = `http://127.0.0.1:${(http10.address() as AddressInfo).port}`;
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), limits: { maxBodyBytes: 8 * 1024 * 1024 } });
  await gw.publish(snapshot(1, [endpoint('up', {
    keys: [KEY], traffic: { plain: 100 },
    deployments: [
      deployment('plain', { instances: [plain], maxConcurrentPerInstance: 4 }),
      deployment('chunked', { instances: [chunked] }),
      deployment('echo', { instances: [echo], maxConcurrentPerInstance: 4 }),
      deployment('http10', { instances: [http10Url] }),
    ],
  })]));
});

after(async () => {
  await gw?.close();
  await Promise.all([plain, chunked, echo].map((i) => i.close()));
  await new Promise<void>((r) => http10.close(() => r()));
  await client.close();
});

const score = (dep: string, body: string | Buffer = '{}', query = '') =>
  call(`${gw.url}/endpoints/up/score${query}`, { headers: { ...HEADERS, 'azureml-model-deployment': dep }, body });

test('a chunked answer reaches the client whole', async () => {
  const r = await score('chunked', '{"q":1}');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { instance: 'up-chunked-0', body: '{"q":1}' });
});

test('a close-delimited HTTP/1.0 answer reaches the client whole, on a fresh connection each time', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await score('http10');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'until-close body');
    assert.equal(r.headers['content-type'], 'text/plain');
  }
});

test('bodies up to megabytes travel intact both ways (binary, past the single-write size)', async () => {
  for (const size of [0, 1, 16 * 1024, 16 * 1024 + 1, 3 * 1024 * 1024]) {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + 7) & 0xff;
    const r = await score('echo', body, `?answer=${size}`);
    assert.equal(r.status, 200, `size ${size}`);
    const got = JSON.parse(r.body) as { sha: string; size: number; pad: string };
    assert.equal(got.size, size);
    assert.equal(got.sha, createHash('sha256').update(body).digest('hex'));
    assert.equal(got.pad.length, size);
  }
});

test('keep-alive: sequential and concurrent requests reuse a handful of connections', async () => {
  const before = plain.connections;
  for (let i = 0; i < 200; i++) assert.equal((await score('plain')).status, 200);
  await load(400, 8, 30_000, async () => assert.equal((await score('plain')).status, 200));
  const opened = plain.connections - before;
  assert.ok(opened <= 4, `opened ${opened} connections for 600 requests (limit 4 per instance)`);
});
