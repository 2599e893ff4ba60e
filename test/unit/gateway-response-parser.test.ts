// The upstream response parser, table-driven, with every response also fed split at every byte
// boundary and one byte at a time (TCP may cut anywhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParseError, ResponseParser, type ResponseFault, type ResponseSink } from '../../src/gateway/response-parser.js';

interface Parsed {
  status: number;
  headers: string[];
  body: string;
  ended: boolean;
  keepAlive: boolean;
  consumed: number;
  bodyLength: number | null;
}

function parse(chunks: Buffer[], closeAtEnd = false): Parsed {
  const out: Parsed = { status: 0, headers: [], body: '', ended: false, keepAlive: true, consumed: 0, bodyLength: null };
  const bodies: Buffer[] = [];
  const sink: ResponseSink = {
    onHead: (s, h, n) => { out.status = s; out.headers = h; out.bodyLength = n; },
    onBody: (c) => bodies.push(Buffer.from(c)),
    onEnd: () => { out.ended = true; },
  };
  const p = new ResponseParser(sink);
  for (const c of chunks) {
    if (p.done) break;
    out.consumed += p.execute(c);
  }
  if (closeAtEnd) p.finish();
  out.body = Buffer.concat(bodies).toString('latin1');
  out.keepAlive = p.keepAlive;
  return out;
}

function splits(raw: string): Buffer[][] {
  const b = Buffer.from(raw, 'latin1');
  const all: Buffer[][] = [[b]];
  for (let i = 1; i < b.length; i++) all.push([b.subarray(0, i), b.subarray(i)]);
  all.push([...b].map((x) => Buffer.from([x])));
  return all;
}

const cases: Array<{ name: string; raw: string; status: number; body: string; keepAlive: boolean; close?: boolean; headers?: string[] }> = [
  { name: 'content-length', raw: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}', status: 200, body: '{"a":1}', keepAlive: true, headers: ['Content-Type', 'application/json', 'Content-Length', '7'] },
  { name: 'zero length', raw: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', status: 200, body: '', keepAlive: true },
  { name: 'chunked', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n', status: 200, body: 'Wikipedia in\r\n\r\nchunks.', keepAlive: true },
  { name: 'chunked with trailers', raw: 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n', status: 200, body: 'abc', keepAlive: true },
  { name: 'connection close', raw: 'HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 4\r\n\r\nboom', status: 500, body: 'boom', keepAlive: false },
  { name: 'http/1.0 keep-alive', raw: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok', status: 200, body: 'ok', keepAlive: true },
  { name: 'http/1.0 default close', raw: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', status: 200, body: 'ok', keepAlive: false },
  { name: 'until close', raw: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it', status: 200, body: 'all of it', keepAlive: false, close: true },
  { name: '204 no body', raw: 'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n', status: 204, body: '', keepAlive: true },
  { name: '1xx skipped', raw: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx', status: 201, body: 'x', keepAlive: true },
  { name: 'no reason phrase, OWS', raw: 'HTTP/1.1 404 \r\nContent-Length:   3  \r\n\r\nnah', status: 404, body: 'nah', keepAlive: true },
  { name: 'binary body', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\x00\xff\r\n', status: 200, body: '\x00\xff\r\n', keepAlive: true },
];

test('parses every case whole, split at every byte, and byte by byte', () => {
  for (const c of cases) {
    for (const chunks of splits(c.raw)) {
      const p = parse(chunks, c.close);
      assert.equal(p.status, c.status, c.name);
      assert.equal(p.body, c.body, c.name);
      assert.equal(p.ended, true, `${c.name}: ended`);
      assert.equal(p.keepAlive, c.keepAlive, `${c.name}: keepAlive`);
      if (!c.close) assert.equal(p.consumed, Buffer.byteLength(c.raw, 'latin1'), `${c.name}: consumed`);
      if (c.headers) assert.deepEqual(p.headers, c.headers, c.name);
    }
  }
});

test('stops at the end of the response: extra bytes are not consumed', () => {
  const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE';
  const p = parse([Buffer.from(raw)]);
  assert.equal(p.body, 'ok');
  assert.equal(p.consumed, raw.length - 'GARBAGE'.length);
});

test('a truncated body is not an end', () => {
  const p = parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')], true);
  assert.equal(p.ended, false);
});

test('keep-alive timeout hint is read', () => {
  const parser = new ResponseParser({ onHead() {}, onBody() {}, onEnd() {} });
  parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(parser.keepAliveHint, 5);
});

test('malformed responses throw', () => {
  const bad = [
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'garbage\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno-colon-here\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
  ];
  for (const raw of bad) assert.throws(() => parse([Buffer.from(raw)]), undefined, raw);
  assert.throws(() => parse([Buffer.from('HTTP/1.1 200 OK\r\n' + 'x: y\r\n'.repeat(20000))]), /larger than/);
});

test('reset() makes the parser ready for the next response on the same connection', () => {
  let n = 0;
  const p = new ResponseParser({ onHead() {}, onBody() {}, onEnd() { n++; } });
  for (let i = 0; i < 3; i++) {
    p.reset();
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'));
  }
  assert.equal(n, 3);
});

/** Asserts the response is refused, whole and split at every byte, with this fault. */
function refused(raw: string, fault: ResponseFault): void {
  for (const chunks of splits(raw)) {
    assert.throws(() => parse(chunks, true), (e: unknown) => e instanceof ResponseParseError && e.fault === fault, `${JSON.stringify(raw)} → ${fault}`);
  }
}

test('an untrusted instance: conflicting framing is refused, never guessed', () => {
  refused('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'conflicting_framing');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'conflicting_framing');
  refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc', 'conflicting_framing');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', 'conflicting_framing');
  refused('HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc', 'conflicting_framing');
  refused('HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc', 'conflicting_framing');
});

test('an untrusted instance: header names must be tokens, values free of CR, LF, NUL and other controls', () => {
  for (const line of ['X A: 1', 'X-A : 1', '\xe9: 1', ': 1', 'X-A\t: 1', 'no colon']) refused(`HTTP/1.1 200 OK\r\n${line}\r\nContent-Length: 0\r\n\r\n`, 'invalid_header');
  for (const c of ['\x00', '\r', '\n', '\x0b', '\x0c', '\x1b', '\x7f']) {
    refused(`HTTP/1.1 200 OK\r\nX-A: a${c}b\r\nContent-Length: 0\r\n\r\n`, 'invalid_header');
  }
  // The injection attempt in full: a bare LF that would start a forged line downstream.
  refused('HTTP/1.1 200 OK\r\nX-A: a\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n', 'invalid_header');
  // SP/HTAB are trimmed, NBSP and other obs-text kept, HTAB inside kept (as llhttp).
  const p = parse([Buffer.from('HTTP/1.1 200 OK\r\nX-A: \t\xa0a\tb\xe9\xa0 \r\nContent-Length: 0\r\n\r\n', 'latin1')]);
  assert.deepEqual(p.headers, ['X-A', '\xa0a\tb\xe9\xa0', 'Content-Length', '0']);
});

test('an untrusted instance: status lines and chunk framing are checked', () => {
  for (const line of ['HTTP/1.2 200 OK', 'HTTP/2.0 200 OK', 'HTTP/0.9 200 OK', 'http/1.1 200 OK', 'HTTP/1.1 200X', 'HTTP/1.1  200 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 099 Low', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 200 O\rK']) {
    refused(`${line}\r\nContent-Length: 0\r\n\r\n`, 'malformed_status_line');
  }
  const chunked = (lines: string): string => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${lines}`;
  for (const bad of ['3\nabc\r\n0\r\n\r\n', '3\r\nabc\n0\r\n\r\n', '3 \r\nabc\r\n0\r\n\r\n', '3;a=b\x00\r\nabc\r\n0\r\n\r\n', '3;a b\r\nabc\r\n0\r\n\r\n', '3\r\nabc\r\n0\r\nX Y: 1\r\n\r\n', '3\r\nabc\r\n0\r\nX: \x01\r\n\r\n']) {
    refused(chunked(bad), 'malformed_body_framing');
  }
});

test('the sink is told the framing the parser decided: a length, or -1 (chunked, until close), 0 without body', () => {
  assert.equal(parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc')]).bodyLength, 3);
  assert.equal(parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')]).bodyLength, -1);
  assert.equal(parse([Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc')], true).bodyLength, -1);
  assert.equal(parse([Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n')]).bodyLength, 0);
  assert.equal(parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzzz')], true).bodyLength, -1);
});
