// The gateway's client side spoken raw over TCP (client-connection.ts, request-parser.ts): pipelining in
// order, chunked and split uploads, Expect: 100-continue, HTTP/1.0 close semantics, malformed requests,
// head and body limits, slow bodies. Real GatewayHost (worker thread) in front of a real test instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { deployment, endpoint, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

let gw: RunningGateway;
let blue: TestInstance;
const KEY = 'raw-key-1';

before(async () => {
  blue = await startTestInstance('raw-blue-0');
  gw = await GatewayHost.start({
    host: '127.0.0.1', port: 0, logger: silentLogger(),
    limits: { maxBodyBytes: 4096, maxHeaderBytes: 2048, headersTimeoutMs: 2000, requestTimeoutMs: 1500 },
  });
  await gw.publish(snapshot(1, [endpoint('ep', { keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 4 })] })]));
});

after(async () => {
  await gw.close();
  await blue.close();
});

interface Conversation {
  socket: Socket;
  text(): string;
  closed: Promise<void>;
  /** Resolves once the received text matches. */
  until(re: RegExp, ms?: number): Promise<string>;
}

function open(): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect(gw.port, '127.0.0.1');
    let received = '';
    let closed!: () => void;
    const closedP = new Promise<void>((r) => (closed = r));
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    socket.on('close', () => closed());
    socket.on('error', () => {});
    const c: Conversation = {
      socket,
      text: () => received,
      closed: closedP,
      until: async (re, ms = 3000) => {
        const deadline = Date.now() + ms;
        while (!re.test(received)) {
          if (Date.now() > deadline) throw new Error(`no ${re} in ${JSON.stringify(received.slice(0, 2000))}`);
          await new Promise((r) => setTimeout(r, 5));
        }
        return received;
      },
    };
    socket.once('connect', () => resolve(c));
    socket.once('error', reject);
  });
}

const score = (body: string, extra = ''): string =>
  `POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

test('pipelined requests are answered in order on one connection, each with its own x-request-id', async () => {
  const c = await open();
  c.socket.write(score('{"n":1}') + 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' + score('{"n":2}') + 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await c.until(/"n\\":2[\s\S]*HTTP\/1\.1 404 [\s\S]*\r\n\r\n\{[^}]*\}\}/);
  assert.deepEqual(statuses(text), [200, 200, 200, 404]);
  assert.ok(text.indexOf('"n\\":1') < text.indexOf('Healthy') && text.indexOf('Healthy') < text.indexOf('"n\\":2'));
  assert.equal(new Set([...text.matchAll(/x-request-id: (\S+)/gi)].map((m) => m[1])).size, 4);
  assert.match(text, /azureml-model-deployment: blue/);
  c.socket.destroy();
});

test('a request split at every few bytes, and a chunked upload, reach the instance whole', async () => {
  const c = await open();
  const raw = Buffer.from(score('{"split":true}'));
  for (let i = 0; i < raw.length; i += 7) {
    c.socket.write(raw.subarray(i, i + 7));
    await new Promise((r) => setTimeout(r, 1));
  }
  await c.until(/split/);
  c.socket.write(`POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"ch\r\n`);
  await new Promise((r) => setTimeout(r, 20));
  c.socket.write('9\r\nunked":1}\r\n0\r\n\r\n');
  const text = await c.until(/chunked/);
  assert.deepEqual(statuses(text), [200, 200]);
  assert.equal(blue.seen.at(-1)!.body, '{"chunked":1}');
  c.socket.destroy();
});

test('Expect: 100-continue gets 100 Continue when the body is wanted, a final answer (and close) when not', async () => {
  const c = await open();
  c.socket.write(`POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nExpect: 100-continue\r\nContent-Length: 8\r\n\r\n`);
  await c.until(/HTTP\/1\.1 100 Continue\r\n\r\n/);
  c.socket.write('{"e":1}\n');
  const text = await c.until(/HTTP\/1\.1 200 /);
  assert.ok(text.startsWith('HTTP/1.1 100 Continue'));
  c.socket.destroy();
  const d = await open();
  d.socket.write('POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 8\r\n\r\n');
  const refused = await d.until(/HTTP\/1\.1 401 /);
  assert.doesNotMatch(refused, /100 Continue/);
  assert.match(refused, /connection: close/);
  await d.closed;
});

test('HTTP/1.0: the connection closes after the answer unless keep-alive is asked for', async () => {
  const c = await open();
  c.socket.write('GET /healthz HTTP/1.0\r\n\r\n');
  await c.closed;
  assert.match(c.text(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close\r\n\r\n\{"status":"Healthy"\}$/);
  const k = await open();
  k.socket.write('GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const text = await k.until(/HTTP\/1\.1 200 [\s\S]*HTTP\/1\.1 200 [\s\S]*\r\n\r\n$/);
  assert.match(text, /connection: keep-alive/i);
  assert.ok(text.endsWith('\r\n\r\n'), 'no body for HEAD');
  k.socket.destroy();
});

test('malformed requests → 400 and close; heads over maxHeaderBytes → 431', async () => {
  for (const bad of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n', 'POST /endpoints/ep/score HTTP/1.1\r\nContent-Length: x\r\n\r\n']) {
    const c = await open();
    c.socket.write(bad);
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(bad));
  }
  const c = await open();
  c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(3000)}\r\n\r\n`);
  await c.closed;
  assert.match(c.text(), /^HTTP\/1\.1 431 /);
});

test('413 declared and streamed; the connection closes after the answer', async () => {
  const c = await open();
  c.socket.write(score('x'.repeat(5000)));
  await c.closed;
  assert.match(c.text(), /^HTTP\/1\.1 413 [\s\S]*connection: close/);
  const d = await open();
  d.socket.write(`POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nTransfer-Encoding: chunked\r\n\r\n`);
  for (let i = 0; i < 6 && !d.socket.destroyed; i++) d.socket.write(`400\r\n${'z'.repeat(1024)}\r\n`);
  await d.closed;
  assert.match(d.text(), /^HTTP\/1\.1 413 /);
});

test('a body that never completes is cut after the request timeout; the gateway keeps serving', async () => {
  const c = await open();
  const t0 = Date.now();
  c.socket.write(score('{"never":1}').slice(0, -3));
  await c.closed;
  const took = Date.now() - t0;
  assert.ok(took >= 1400 && took < 4000, `closed after ${took} ms`);
  assert.match(c.text(), /^HTTP\/1\.1 408 /);
  const d = await open();
  d.socket.write(score('{"after":1}'));
  assert.deepEqual(statuses(await d.until(/after/)), [200]);
  d.socket.destroy();
});
