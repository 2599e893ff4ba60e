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
  const raw = 'POST /endpoints/ep/score?x=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\nX-Thing:  spaced  \r\n\r\n{"a":1}';
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
  const raw = 'POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
  everyWay(raw, (p) => {
    assert.equal(p.heads[0]!.chunked, true);
    assert.deepEqual(p.bodies, ['abc0123456789']);
  });
});

test('pipelined requests come out one by one, in order, with their bodies', () => {
  const raw =
    'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi' +
    'GET /b HTTP/1.1\r\nHost: h\r\n\r\n' +
    'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nyo\r\n0\r\n\r\n' +
    '\r\nGET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n';
  everyWay(raw, (p) => {
    assert.deepEqual(p.heads.map((h) => h.url), ['/a', '/b', '/c', '/d']);
    assert.deepEqual(p.bodies, ['hi', '', 'yo', '']);
    assert.equal(p.heads[3]!.keepAlive, false);
  });
});

test('execute stops at the end of a message and reports where', () => {
  const buf = Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
  const p = new RequestParser({ onHead: () => {}, onBody: () => {}, onMessageEnd: () => {} }, 1024);
  const pos = p.execute(buf, 0);
  assert.equal(pos, 28);
  assert.equal(p.done, true);
  p.reset();
  assert.equal(p.execute(buf, pos), buf.length);
  assert.equal(p.done, true);
});

test('HTTP/1.0: close unless keep-alive is asked for; Expect: 100-continue seen; repeated headers merged as node does', () => {
  everyWay('GET /healthz HTTP/1.0\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, false));
  everyWay('GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, true));
  everyWay('GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n', (p) => assert.equal(p.heads[0]!.keepAlive, false));
  everyWay('POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx', (p) => {
    assert.equal(p.heads[0]!.expectContinue, true);
    assert.deepEqual(p.bodies, ['x']);
  });
  everyWay('GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\naccept: b\r\nAuthorization: one\r\nAuthorization: two\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\n\r\n', (p) => {
    const h = p.heads[0]!.headers;
    assert.equal(h.accept, 'a, b');
    assert.equal(h.authorization, 'one');
    assert.deepEqual(h['set-cookie'], ['1', '2']);
  });
  everyWay('GET / HTTP/1.1\r\nHost: h\r\n__proto__: x\r\n\r\n', (p) => assert.equal(p.heads[0]!.headers['__proto__'], 'x'));
});

test('malformed requests → 400', () => {
  const bad = [
    'GET /\r\n\r\n',
    'GET / HTTP/2.0\r\n\r\n',
    'GET  / HTTP/1.1\r\nHost: h\r\n\r\n',
    'BREW / HTTP/1.1\r\nHost: h\r\n\r\n',
    'get / HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n: empty name\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\n folded: x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1e3\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx',
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY',
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abc\r\n',
  ];
  for (const raw of bad) failsEveryWay(raw, 400);
  assert.throws(() => parse([Buffer.from(`POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1${' '.repeat(5000)}`)]), RequestParseError);
});

test('as llhttp: only SP and HTAB are trimmed from values; NBSP and obs-text stay, VT/FF/DEL are refused', () => {
  everyWay('GET / HTTP/1.1\r\nHost: h\r\nX-A: \t\xa0a\xa0 \t\r\nX-B: \xe9\r\n\r\n', (p) => {
    assert.equal(p.heads[0]!.headers['x-a'], '\xa0a\xa0');
    assert.equal(p.heads[0]!.headers['x-b'], '\xe9');
  });
  for (const c of ['\x0b', '\x0c', '\x7f', '\x01', '\r']) {
    failsEveryWay(`GET / HTTP/1.1\r\nHost: h\r\nX-A: ${c}a\r\n\r\n`, 400);
    failsEveryWay(`GET / HTTP/1.1\r\nHost: h\r\nX-A: a${c}\r\n\r\n`, 400);
  }
});

test('as llhttp: a second Content-Length is refused even when equal; chunk lines need CRLF; extensions are checked', () => {
  failsEveryWay('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', 400);
  failsEveryWay('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc', 400);
  const chunked = (lines: string): string => `POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n${lines}`;
  for (const bad of [
    '3\nabc\r\n0\r\n\r\n', // bare LF after the size
    '3\r\nabc\r\n0\n\r\n', // bare LF after the last size
    '3\r\nabc\r\n0\r\n\n', // bare LF ending the trailers
    '3;a=b\rc\r\nabc\r\n0\r\n\r\n', // CR in an extension
    '3;a=b\x00c\r\nabc\r\n0\r\n\r\n', // NUL in an extension
    '3;a=\xe9\r\nabc\r\n0\r\n\r\n', // obs-text outside quotes
    '3; a=b\r\nabc\r\n0\r\n\r\n', // blank before the name
    '3 \r\nabc\r\n0\r\n\r\n', // blank after the size
    ' 3\r\nabc\r\n0\r\n\r\n',
    '3;\r\nabc\r\n0\r\n\r\n',
    '3;a=b;\r\nabc\r\n0\r\n\r\n',
    '3\r\nabc\r\n0\r\nBad Trailer: x\r\n\r\n',
    '3\r\nabc\r\n0\r\nX: a\x00b\r\n\r\n',
  ]) failsEveryWay(chunked(bad), 400);
  for (const good of ['3;a=b;c\r\nabc\r\n0\r\n\r\n', '3;a=\r\nabc\r\n0\r\n\r\n', '3;a="x\\"y\t\xe9"\r\nabc\r\n0\r\n\r\n', '0003\r\nabc\r\n0\r\nX: t\r\n\r\n']) {
    everyWay(chunked(good), (p) => assert.deepEqual(p.bodies, ['abc']));
  }
});

test('as node:http: HTTP/1.1 needs a Host (400); an Expect other than 100-continue is 417; neither applies to 1.0', () => {
  failsEveryWay('POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400);
  everyWay('POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n', (p) => assert.equal(p.heads.length, 1));
  everyWay('POST / HTTP/1.1\r\nHost:\r\nContent-Length: 0\r\n\r\n', (p) => assert.equal(p.heads[0]!.headers.host, ''));
  for (const e of ['foo', '', '100-continued', '200-continue']) failsEveryWay(`POST / HTTP/1.1\r\nHost: h\r\nExpect: ${e}\r\nContent-Length: 0\r\n\r\n`, 417);
  everyWay('POST / HTTP/1.1\r\nHost: h\r\nExpect:  100-CONTINUE \r\nContent-Length: 0\r\n\r\n', (p) => assert.equal(p.heads[0]!.expectContinue, true));
  everyWay('POST / HTTP/1.0\r\nExpect: foo\r\nContent-Length: 0\r\n\r\n', (p) => assert.equal(p.heads[0]!.expectContinue, false));
});

test('request targets: origin-form or *, visible ASCII only', () => {
  for (const t of ['/a#b', '/a\\b', '/a"{}<>|^`', '*', '//x']) everyWay(`GET ${t} HTTP/1.1\r\nHost: h\r\n\r\n`, (p) => assert.equal(p.heads[0]!.url, t));
  for (const t of ['/\xe9', '/?q=\x7f', 'a', 'http://h/a', '/a\x01']) failsEveryWay(`GET ${t} HTTP/1.1\r\nHost: h\r\n\r\n`, 400);
});

test('limits: a head over maxHeadBytes → 431, whole or split; trailers count too', () => {
  const big = `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'y'.repeat(300)}\r\n\r\n`;
  failsEveryWay(big, 431, 256);
  everyWay(big, (p) => assert.equal(p.heads.length, 1)); // fine under the default limit
  // A head that never ends is refused as soon as it passes the limit, not buffered forever.
  const endless = Buffer.from(`GET / HTTP/1.1\r\nHost: h\r\nX: ${'z'.repeat(1000)}`);
  assert.throws(() => parse([endless], 512), (e: unknown) => e instanceof RequestParseError && e.status === 431);
  failsEveryWay(`POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: ${'t'.repeat(300)}\r\n\r\n`, 431, 256);
});

test('a body split over many reads arrives whole; bytes after the message are left for the next one', () => {
  const body = 'b'.repeat(5000);
  const raw = `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const b = Buffer.from(raw);
  const chunks: Buffer[] = [];
  for (let i = 0; i < b.length; i += 777) chunks.push(b.subarray(i, i + 777));
  assert.deepEqual(parse(chunks).bodies, [body]);
});
