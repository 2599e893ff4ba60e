// Attacks from an instance on the gateway's clients (issue 10, finding 3): a hostile instance (a raw TCP
// server, so it can send any bytes) answers with both Content-Length and chunked coding, header lines
// injected through CR/LF/NUL, invalid names, forged Set-Cookie / azureml-model-deployment / x-request-id,
// and bytes past the end of its answer. A strict raw-socket client reads every answer and then checks
// that the next answer on the same keep-alive connection is the real one (its own request id, the
// honest instance's body): the connection was never desynchronised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { deployment, endpoint, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

const KEY = 'untrusted-upstream-key';
/** A full forged answer, the payload of every desynchronisation attempt. */
const FORGED = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nSet-Cookie: session=stolen\r\n\r\n{"forged":true} ';
const FORGED_CHUNK = `${Buffer.byteLength(FORGED).toString(16)}\r\n${FORGED}\r\n`;

/** What the hostile instance answers, by the attack named in the request body. */
const ATTACKS: Record<string, string> = {
  // Both framings: Content-Length covers only the first chunk's framing, the chunks carry a forged answer.
  'cl-te': `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n${FORGED_CHUNK}0\r\n\r\n`,
  'te-cl': `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  'cl-cl': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello',
  'lf-injection': 'HTTP/1.1 200 OK\r\nX-Note: a\nSet-Cookie: session=stolen\r\nContent-Length: 5\r\n\r\nhello',
  'cr-injection': 'HTTP/1.1 200 OK\r\nX-Note: a\rSet-Cookie: session=stolen\r\nContent-Length: 5\r\n\r\nhello',
  'nul-in-value': 'HTTP/1.1 200 OK\r\nX-Note: a\x00b\r\nContent-Length: 5\r\n\r\nhello',
  'bad-name': 'HTTP/1.1 200 OK\r\nX Note: 1\r\nContent-Length: 5\r\n\r\nhello',
  'bad-chunk-ext': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x00\r\nhello\r\n0\r\n\r\n',
  // Syntactically valid, but headers only the gateway may set, and ones that reach beyond this answer.
  forged: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: session=stolen; Path=/\r\nazureml-model-deployment: good\r\n' +
    'X-Request-Id: 00000000-0000-0000-0000-000000000000\r\nms-azureml-model-error-statuscode: 200\r\nStrict-Transport-Security: max-age=31536000\r\n' +
    'Clear-Site-Data: "cookies"\r\nConnection: keep-alive, X-Private\r\nX-Private: hop\r\nX-Custom: kept\r\nContent-Length: 5\r\n\r\nhello',
  // A complete answer followed by a forged one on the same connection.
  trailing: `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello${FORGED}`,
  // A length far longer than the body the client is told about: the gateway frames from what it read.
  chunked: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n${FORGED_CHUNK}0\r\n\r\n`,
};

let gw: RunningGateway;
let good: TestInstance;
let evil: Server;
const evilSockets = new Set<Socket>();

before(async () => {
  good = await startTestInstance('good-0');
  evil = createServer((s) => {
    evilSockets.add(s);
    s.on('close', () => evilSockets.delete(s));
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const attack = buf.subarray(end + 4, end + 4 + length).toString('latin1');
      buf = buf.subarray(end + 4 + length);
      s.write(Buffer.from(ATTACKS[attack] ?? 'HTTP/1.1 500 Unknown\r\nContent-Length: 0\r\n\r\n', 'latin1'));
    });
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  await gw.publish(snapshot(1, [endpoint('ep', {
    keys: [KEY], traffic: { good: 100 },
    deployments: [deployment('good', { instances: [good], maxConcurrentPerInstance: 4 }), deployment('evil', { instances: [evilUrl], maxConcurrentPerInstance: 4 })],
  })]));
});

after(async () => {
  await gw.close();
  await good.close();
  for (const s of evilSockets) s.destroy();
  await new Promise<void>((r) => evil.close(() => r()));
});

interface StrictAnswer {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/**
 * A client that reads answers by the book and refuses anything ambiguous: no bare CR or LF in the head,
 * token names, exactly one framing (Content-Length or chunked), and nothing but the next answer after
 * an answer.
 */
class StrictClient {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private closed = false;
  readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    this.socket.on('error', () => {});
  }

  async request(deploymentName: string, body: string): Promise<StrictAnswer & { id: string }> {
    assert.equal(this.buf.length, 0, `bytes arrived before the request was sent: ${JSON.stringify(this.buf.toString('latin1'))}`);
    const id = randomUUID();
    this.socket.write(`POST /endpoints/ep/score HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${KEY}\r\nazureml-model-deployment: ${deploymentName}\r\n` +
      `x-ms-client-request-id: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return { ...(await this.read()), id };
  }

  private async need(n: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed after ${JSON.stringify(this.buf.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} bytes, have ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 100);
      });
      this.waiter = null;
    }
  }

  private take(n: number): string {
    const s = this.buf.subarray(0, n).toString('latin1');
    this.buf = this.buf.subarray(n);
    return s;
  }

  private async line(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\r\n');
      if (i >= 0) return this.take(i + 2).slice(0, -2);
      await this.need(this.buf.length + 1);
    }
  }

  private async read(): Promise<StrictAnswer> {
    let end: number;
    for (;;) {
      end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) break;
      await this.need(this.buf.length + 1);
    }
    const head = this.take(end + 4).slice(0, -4);
    assert.doesNotMatch(head, /\r(?!\n)|(?<!\r)\n|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/, `a bare CR/LF or control character in the head: ${JSON.stringify(head)}`);
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine!);
    assert.ok(m, `status line ${JSON.stringify(statusLine)}`);
    const headers = new Map<string, string[]>();
    for (const l of lines) {
      const colon = l.indexOf(':');
      const name = l.slice(0, colon);
      assert.match(name, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, `header name in ${JSON.stringify(l)}`);
      const key = name.toLowerCase();
      headers.set(key, [...(headers.get(key) ?? []), l.slice(colon + 1).trim()]);
    }
    const cl = headers.get('content-length');
    const te = headers.get('transfer-encoding');
    assert.ok((cl === undefined) !== (te === undefined), `exactly one framing: ${JSON.stringify(head)}`);
    let body = '';
    if (cl !== undefined) {
      assert.equal(cl.length, 1, 'one Content-Length');
      const n = Number(cl[0]);
      await this.need(n);
      body = this.take(n);
    } else {
      assert.deepEqual(te, ['chunked']);
      for (;;) {
        const size = parseInt(await this.line(), 16);
        if (size === 0) break;
        await this.need(size + 2);
        body += this.take(size);
        assert.equal(this.take(2), '\r\n');
      }
      assert.equal(await this.line(), '', 'no trailers');
    }
    return { status: Number(m[1]), headers, body };
  }

  /** The connection carries the real next answer: the honest instance's, for this very request. */
  async checkNextIsReal(): Promise<void> {
    const next = await this.request('good', `{"after":"${randomUUID()}"}`);
    assert.equal(next.status, 200);
    assert.deepEqual(next.headers.get('x-ms-client-request-id'), [next.id]);
    assert.deepEqual(next.headers.get('azureml-model-deployment'), ['good']);
    assert.equal(JSON.parse(next.body).instance, 'good-0');
    assert.doesNotMatch(next.body, /forged/);
  }

  close(): void {
    this.socket.destroy();
  }
}

for (const attack of ['cl-te', 'te-cl', 'cl-cl', 'lf-injection', 'cr-injection', 'nul-in-value', 'bad-name', 'bad-chunk-ext']) {
  test(`an instance answer with ${attack} is refused with 424 invalid_response; the connection stays in step`, async () => {
    const c = new StrictClient(gw.port);
    try {
      const a = await c.request('evil', attack);
      assert.equal(a.status, 424, a.body);
      assert.deepEqual(a.headers.get('ms-azureml-model-error-reason'), ['invalid_response']);
      assert.deepEqual(a.headers.get('ms-azureml-model-error-statuscode'), ['502']);
      assert.deepEqual(a.headers.get('azureml-model-deployment'), ['evil']);
      assert.deepEqual(a.headers.get('x-ms-client-request-id'), [a.id]);
      assert.equal(a.headers.get('set-cookie'), undefined);
      assert.match(JSON.parse(a.body).error.message, /refuses to pass on \((conflicting_framing|invalid_header|malformed_body_framing): /);
      await c.checkNextIsReal();
      await c.checkNextIsReal();
    } finally {
      c.close();
    }
  });
}

test('headers only the gateway sets, cookies, HSTS and Connection-named headers never reach the client', async () => {
  const c = new StrictClient(gw.port);
  try {
    const a = await c.request('evil', 'forged');
    assert.equal(a.status, 200);
    assert.equal(a.body, 'hello');
    assert.deepEqual(a.headers.get('azureml-model-deployment'), ['evil']);
    assert.notDeepEqual(a.headers.get('x-request-id'), ['00000000-0000-0000-0000-000000000000']);
    assert.equal(a.headers.get('x-request-id')?.length, 1);
    for (const h of ['set-cookie', 'ms-azureml-model-error-statuscode', 'strict-transport-security', 'clear-site-data', 'x-private']) {
      assert.equal(a.headers.get(h), undefined, h);
    }
    assert.deepEqual(a.headers.get('x-custom'), ['kept']);
    assert.deepEqual(a.headers.get('content-type'), ['text/plain']);
    await c.checkNextIsReal();
  } finally {
    c.close();
  }
});

test('bytes an instance sends past the end of its answer are never forwarded', async () => {
  const c = new StrictClient(gw.port);
  try {
    for (let i = 0; i < 3; i++) {
      const a = await c.request('evil', 'trailing');
      assert.equal(a.status, 200);
      assert.equal(a.body, 'hello');
      await c.checkNextIsReal();
    }
  } finally {
    c.close();
  }
});

test('a chunk whose data looks like an answer is data: the client gets it inside a body the gateway framed', async () => {
  const c = new StrictClient(gw.port);
  try {
    const a = await c.request('evil', 'chunked');
    assert.equal(a.status, 200);
    assert.equal(a.body, `hello${FORGED}`);
    await c.checkNextIsReal();
  } finally {
    c.close();
  }
});
