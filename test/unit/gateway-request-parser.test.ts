// The client request parser, table-driven, with every input also fed split at every byte boundary and
// one byte at a time (TCP may cut anywhere); pipelined messages parsed one after another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParseError, RequestParser, type RequestHead, type RequestSink } from '../../src/gateway/request-parser.js';

interface Parsed {
  heads: RequestHead[];
  bodies: string[];
}

/** Feeds the chunks, restarting the parser after each message as the connection does. */
function parse(chunks: Buffer[], maxHead = 16 * 1024): Parsed {
  const out: Parsed = { heads: [], bodies: [] };
  let body: Buffer[] = [];
  const sink: RequestSink = {
    onHead: (h) => { out.heads.push(h); body = []; },
    onBody: (c) => body.push(Buffer.from(c)),
    onMessageEnd: () => out.bodies.push(Buffer.concat(body).toString('latin1')),
  };
  const p = new RequestParser(sink, maxHead);
  for (const c of chunks) {
    let pos = 0;
    for (let guard = 0; pos < c.length && guard < 10_000; guard++) {
      if (p.done) p.reset();
      pos = p.execute(c, pos);
    }
  }
  return out;
}

function splits(raw: string): Buffer[][] {
  const b = Buffer.from(raw, 'latin1');
  const out: Buffer[][] = [[b], Array.from(b, (x) => Buffer.from([x]))];
  for (let i = 1; i < b.length; i++) out.push([b.subarray(0, i), b.subarray(i)]);
  return out;
}

function everyWay(raw: string, check: (p: Parsed) => void): void {
  for (const chunks of splits(raw)) check(parse(chunks));
}

function failsEveryWay(raw: string, status: number, maxHead?: number): void {
  for (const chunks of splits(raw)) {
    assert.throws(() => parse(chunks, maxHead), (e: unknown) => e instanceof RequestParseError && e.status === status, JSON.stringify(raw));
  }
}

test('Content-Length body, headers lower-cased, keep-alive by default on HTTP/1.1', () => {
  const raw = 'POST /endpoints/ep/score?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 7\r\nX-Thing:  spaced  \r\n\r\n{"a":1}';
  everyWay(raw, (p) => {
    assert.equal(p.heads.length, 1);
    const h = p.heads[0]!;
    assert.equal(h.method, 'POST');
    assert.equal(h.url, '/endpoints/ep/score?x=1');
    assert.equal(h.http10, false);
    assert.equal(h.keepAlive, true);
    assert.equal(h.contentLength, 7);
    assert.equal(h.headers['content-type'], 'application/json');
    assert.equal(h.headers['x-thing'], 'spaced');
    assert.deepEqual(p.bodies, ['{"a":1}']);
  });
});

test('chunked body with extensions and trailers', () => {
  const raw = 'POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
  everyWay(raw, (p) => {
    assert.equal(p.heads[0]!.chunked, true);
    assert.deepEqual(p.bodies, ['abc0123456789']);
  });
});

test('pipelined requests come out one by one, in order, with their bodies', () => {
  const raw =
    'POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi' +
    'GET /b HTTP/1.1\r\n\r\n' +
    'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nyo\r\n0\r\n\r\n' +
    '\r\nGET /d HTTP/1.1\r\nConnection: close\r\n\r\n';
  everyWay(raw, (p) => {
    assert.deepEqual(p.heads.map((h) => h.url), ['/a', '/b', '/c', '/d']);
    assert.deepEqual(p.bodies, ['hi', '', 'yo', '']);
    assert.equal(p.heads[3]!.keepAlive, false);
  });
});

test('execute stops at the end of a message and reports where', () => {
  const buf = Buffer.from('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  const p = new RequestParser({ onHead: () => {}, onBody: () => {}, onMessageEnd: () => {} }, 1024);
  const pos = p.execute(buf, 0);
  assert.equal(pos, 19);
  assert.equal(p.done, true);
  p.reset();
  assert.equal(p.execute(buf, pos), buf.length);
  assert.equal(p.done, true);
});

test('HTTP/1.0: close unless keep-alive is asked for; Expect: 100-continue seen; repeated headers merged as node does', () => {
  everyWay('GET /healthz HTTP/1.0\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, false));
  everyWay('GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, true));
  everyWay('GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, false));
  everyWay('POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx', (p) => {
    assert.equal(p.heads[0]!.expectContinue, true);
    assert.deepEqual(p.bodies, ['x']);
  });
  everyWay('GET / HTTP/1.1\r\nAccept: a\r\naccept: b\r\nAuthorization: one\r\nAuthorization: two\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\n\r\n', (p) => {
    const h = p.heads[0]!.headers;
    assert.equal(h.accept, 'a, b');
    assert.equal(h.authorization, 'one');
    assert.deepEqual(h['set-cookie'], ['1', '2']);
  });
  everyWay('GET / HTTP/1.1\r\n__proto__: x\r\n\r\n', (p) => assert.equal(p.heads[0]!.headers['__proto__'], 'x'));
});

test('malformed requests → 400', () => {
  const bad = [
    'GET /\r\n\r\n',
    'GET / HTTP/2.0\r\n\r\n',
    'GET  / HTTP/1.1\r\n\r\n',
    'BREW / HTTP/1.1\r\n\r\n',
    'get / HTTP/1.1\r\n\r\n',
    'GET /a\x01b HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nNo colon here\r\n\r\n',
    'GET / HTTP/1.1\r\n: empty name\r\n\r\n',
    'GET / HTTP/1.1\r\nBad Name: x\r\n\r\n',
    'GET / HTTP/1.1\r\n folded: x\r\n\r\n',
    'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n',
    'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
    'POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n',
    'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx',
    'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
    'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY',
    'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abc\r\n',
  ];
  for (const raw of bad) failsEveryWay(raw, 400);
  assert.throws(() => parse([Buffer.from(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1${' '.repeat(5000)}`)]), RequestParseError);
});

test('limits: a head over maxHeadBytes → 431, whole or split; trailers count too', () => {
  const big = `GET / HTTP/1.1\r\nX-Big: ${'y'.repeat(300)}\r\n\r\n`;
  failsEveryWay(big, 431, 256);
  everyWay(big, (p) => assert.equal(p.heads.length, 1)); // fine under the default limit
  // A head that never ends is refused as soon as it passes the limit, not buffered forever.
  const endless = Buffer.from(`GET / HTTP/1.1\r\nX: ${'z'.repeat(1000)}`);
  assert.throws(() => parse([endless], 512), (e: unknown) => e instanceof RequestParseError && e.status === 431);
  failsEveryWay(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'t'.repeat(300)}\r\n\r\n`, 431, 256);
});

test('a body split over many reads arrives whole; bytes after the message are left for the next one', () => {
  const body = 'b'.repeat(5000);
  const raw = `POST / HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const b = Buffer.from(raw);
  const chunks: Buffer[] = [];
  for (let i = 0; i < b.length; i += 777) chunks.push(b.subarray(i, i + 777));
  assert.deepEqual(parse(chunks).bodies, [body]);
});
