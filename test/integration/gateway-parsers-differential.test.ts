// Differential fuzzing of the gateway's two HTTP parsers against Node's own (llhttp, strict mode), on
// loopback: a seeded generator makes valid messages and mutates some (bytes inserted, framing doubled,
// CRLFs cut, Host dropped, Expect added...). Requests go to a node:http server and to RequestParser;
// responses come from a raw TCP server to http.request and go to ResponseParser. Both sides must agree on
// accept/reject and, when accepted, on method/URL/headers/body (requests) or status/headers/body
// (responses). The gateway may refuse a few forms node accepts (listed in STRICTER below, each one a
// documented choice); it must never accept what node refuses. Bounded: a fixed number of messages per
// seed (SWITCHYARD_FUZZ_COUNT, default 600 each way) and a time limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request as httpRequest, Agent, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RequestParseError, RequestParser, type RequestHead } from '../../src/gateway/request-parser.js';
import { ResponseParseError, ResponseParser } from '../../src/gateway/response-parser.js';
import { seededRandom } from './seeded-random.js';

const COUNT = Number(process.env.SWITCHYARD_FUZZ_COUNT ?? 600);
const SEED = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261130);
const TIME_LIMIT_MS = 60_000;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-!#$%&'*+.^_`|~";
const VALUE_CHARS = 'abcXYZ019 -_=;,/"()\t\xa0\xe9\xff';
const PATH_CHARS = 'abcxyz0189-._~%!$&\'()*+,;=:@/?#"{}|^`\\';
/** Bytes a mutation may insert: the ones parsers disagree about. */
const NASTY = ['\r', '\n', '\r\n', '\x00', '\x0b', '\x0c', '\x7f', ' ', '\t', '\xa0', '\x80', '\xff', ':', ';', '"', '\\', ',', '=', '0', 'a'];
const word = (r: Rand, chars: string, lo: number, hi: number): string => Array.from({ length: int(r, lo, hi) }, () => pick(r, [...chars])).join('');

/** Chunked coding of `body` in random pieces, with random (valid) extensions and trailers. */
function chunk(r: Rand, body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const n = int(r, 1, Math.max(1, body.length - i));
    const ext = r() < 0.3 ? pick(r, [';a=b', ';x', ';n="q v"', ';a=', ';k="\\"q"']) : '';
    out += `${n.toString(r() < 0.5 ? 16 : 36).length > 0 ? n.toString(16) : ''}${ext}\r\n${body.slice(i, i + n)}\r\n`;
    i += n;
  }
  return `${out}0\r\n${r() < 0.2 ? 'X-Trailer: t\r\n' : ''}\r\n`;
}

/** Applies one mutation to the raw message text. */
function mutate(r: Rand, raw: string): string {
  const at = (s: string) => int(r, 0, s.length);
  const head = raw.indexOf('\r\n\r\n');
  switch (int(r, 0, 11)) {
    case 0:
    case 1:
    case 2: { // insert a nasty byte anywhere in the head
      const p = int(r, 0, Math.max(0, head));
      return raw.slice(0, p) + pick(r, NASTY) + raw.slice(p);
    }
    case 3: { // insert a nasty byte anywhere
      const p = at(raw);
      return raw.slice(0, p) + pick(r, NASTY) + raw.slice(p);
    }
    case 4: { // delete a byte
      const p = int(r, 0, raw.length - 1);
      return raw.slice(0, p) + raw.slice(p + 1);
    }
    case 5: { // turn one CRLF into a bare LF or a bare CR
      const crlfs = [...raw.matchAll(/\r\n/g)].map((m) => m.index!);
      if (crlfs.length === 0) return raw;
      const p = pick(r, crlfs);
      return raw.slice(0, p) + pick(r, ['\n', '\r']) + raw.slice(p + 2);
    }
    case 6: // a second Content-Length (equal or not)
      return raw.replace('\r\n', `\r\nContent-Length: ${pick(r, ['0', '3', '5', ' 5 '])}\r\n`);
    case 7: // Transfer-Encoding added
      return raw.replace('\r\n', `\r\nTransfer-Encoding: ${pick(r, ['chunked', 'gzip', 'gzip, chunked', 'chunked, gzip', 'identity', 'CHUNKED', '', 'chunked\t', '\tchunked', 'chunked '])}\r\n`);
    case 8: // Host removed
      return raw.replace(/\r\nHost:[^\r]*/i, '');
    case 9: // an Expect header
      return raw.replace('\r\n', `\r\nExpect: ${pick(r, ['100-continue', '100-Continue', 'foo', '', '100-continue, x'])}\r\n`);
    case 10: // obs-fold or a blank before the colon
      return raw.replace(/\r\n([A-Za-z-]+):/, pick(r, ['\r\n $1:', '\r\n$1 :', '\r\n$1\t:']));
    default: { // a chunk-size line mangled
      return raw.replace(/\r\n\r\n([0-9a-f]+)/, (_m, n: string) => `\r\n\r\n${pick(r, [` ${n}`, `${n} `, `${n};`, `${n};a b`, `${n};a=\x00`, `${n};a="\r"`, `0${n}`, `${n}\x00`])}`);
    }
  }
}

// --- requests -------------------------------------------------------------------------------------

function genRequest(r: Rand): string {
  const version = r() < 0.85 ? 'HTTP/1.1' : 'HTTP/1.0';
  const method = pick(r, ['GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY']);
  const target = pick(r, ['/', '/endpoints/e/score', '*', `/${word(r, PATH_CHARS, 0, 12)}`]);
  const headers: string[] = [];
  if (version === 'HTTP/1.1' || r() < 0.5) headers.push(`Host: ${pick(r, ['gw', 'gw:7071', '127.0.0.1', ''])}`);
  for (let i = int(r, 0, 4); i > 0; i--) headers.push(`${word(r, TOKEN_CHARS, 1, 10)}:${pick(r, [' ', '', '\t', '  '])}${word(r, VALUE_CHARS, 0, 12)}${pick(r, ['', ' ', '\t'])}`);
  if (r() < 0.2) headers.push(`Cookie: a=${int(r, 0, 9)}`, `Cookie: b=${int(r, 0, 9)}`);
  if (r() < 0.15) headers.push(`Connection: ${pick(r, ['close', 'keep-alive', 'Keep-Alive', 'x, close'])}`);
  const body = method === 'GET' && r() < 0.7 ? '' : word(r, 'abc{}":01\r\n', 0, 40);
  let framed = '';
  const framing = r();
  if (framing < 0.45) {
    headers.push(`Content-Length: ${body.length}`);
    framed = body;
  } else if (framing < 0.8 && version === 'HTTP/1.1') {
    headers.push('Transfer-Encoding: chunked');
    framed = chunk(r, body);
  }
  for (let i = headers.length - 1; i > 0; i--) {
    const j = int(r, 0, i);
    [headers[i], headers[j]] = [headers[j]!, headers[i]!];
  }
  let raw = `${r() < 0.05 ? '\r\n' : ''}${method} ${target} ${version}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${framed}`;
  const mutations = r() < 0.3 ? 0 : int(r, 1, 2);
  for (let i = 0; i < mutations; i++) raw = mutate(r, raw);
  return raw;
}

type Verdict =
  | { kind: 'accepted'; method: string; url: string; headers: Record<string, unknown>; body: string; used?: number }
  | { kind: 'rejected'; why: string }
  | { kind: 'incomplete' };

function oursRequest(raw: string): Verdict {
  let head: RequestHead | null = null;
  const body: Buffer[] = [];
  let ended = false;
  const p = new RequestParser({ onHead: (h) => { head = h; }, onBody: (c) => body.push(Buffer.from(c)), onMessageEnd: () => { ended = true; } }, 16 * 1024);
  let used: number;
  try {
    used = p.execute(Buffer.from(raw, 'latin1'));
  } catch (e) {
    if (e instanceof RequestParseError) return { kind: 'rejected', why: `${e.status} ${e.message}` };
    throw e;
  }
  if (!ended || head === null) return { kind: 'incomplete' };
  const h = head as RequestHead;
  return { kind: 'accepted', method: h.method, url: h.url, headers: { ...h.headers }, body: Buffer.concat(body).toString('latin1'), used };
}

let nodeServer: HttpServer;
let nodePort = 0;

/** node:http's verdict: the first answer on the connection (200 with what it parsed, or its error). */
function nodeRequest(raw: string): Promise<Verdict> {
  return new Promise((resolve) => {
    const s = connect(nodePort, '127.0.0.1');
    let got = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return resolve({ kind: got.length === 0 ? 'incomplete' : 'rejected', why: 'no answer' } as Verdict);
      const status = Number(got.subarray(9, 12).toString('latin1'));
      const bodyText = got.subarray(end + 4).toString('utf8');
      if (status === 200) return resolve({ kind: 'accepted', ...JSON.parse(bodyText) } as Verdict);
      if (/HPE_INVALID_EOF_STATE/.test(bodyText)) return resolve({ kind: 'incomplete' });
      resolve({ kind: 'rejected', why: `${status} ${bodyText}` });
    };
    const timer = setTimeout(finish, 2000);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      // An interim 100 Continue (the request had Expect: 100-continue) is not the verdict.
      if (got.subarray(0, 13).toString('latin1') === 'HTTP/1.1 100 ') {
        const e = got.indexOf('\r\n\r\n');
        if (e < 0) return;
        got = got.subarray(e + 4);
      }
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = /content-length: (\d+)/i.exec(got.subarray(0, end).toString('latin1'));
      if (len && got.length >= end + 4 + Number(len[1])) finish();
    });
    s.on('close', finish);
    s.on('error', () => {});
    s.end(Buffer.from(raw, 'latin1'));
  });
}

/** Forms the gateway refuses on purpose although node:http accepts them (request-parser.ts says why). */
function stricterRequest(raw: string): string | null {
  const line = raw.replace(/^(\r?\n)+/, '').split('\r\n')[0] ?? '';
  const parts = line.split(' ');
  if (parts.length === 2 || / HTTP\/(0\.9|2\.0)$/.test(line)) return 'HTTP/0.9 or 2.0 request line';
  if (/ {2}/.test(line)) return 'more than one SP between request-line parts';
  const head = raw.slice(0, raw.indexOf('\r\n\r\n') + 2);
  const te = [...head.matchAll(/\r\ntransfer-encoding:([^\r]*)/gi)].map((m) => m[1]!.trim());
  if (te.length > 0 && / HTTP\/1\.0$/.test(line)) return 'Transfer-Encoding on HTTP/1.0';
  if (te.length > 0 && te.every((v) => v === '')) return 'empty Transfer-Encoding';
  if (/^[A-Z]+ \*[^ ]/.test(line)) return "a target that starts with '*' but is not '*'";
  if (/\n[0-9a-fA-F]+;[;=]/.test(raw.slice(raw.indexOf('\r\n\r\n')))) return 'a chunk extension without a name (;; or ;=)';
  if (/^CONNECT /.test(line)) return 'CONNECT';
  if (/^[A-Z]+ [a-z][a-z0-9+.-]*:\/\//i.test(line)) return 'absolute-form target';
  return null;
}

// --- responses ------------------------------------------------------------------------------------

function genResponse(r: Rand): string {
  const status = pick(r, [200, 200, 201, 204, 302, 404, 500, 503, 304, 418]);
  const version = r() < 0.9 ? 'HTTP/1.1' : 'HTTP/1.0';
  const headers: string[] = [];
  for (let i = int(r, 0, 4); i > 0; i--) headers.push(`${word(r, TOKEN_CHARS, 1, 10)}:${pick(r, [' ', '', '\t'])}${word(r, VALUE_CHARS, 0, 12)}`);
  if (r() < 0.2) headers.push(`Set-Cookie: s=${int(r, 0, 9)}`);
  const body = status === 204 || status === 304 ? '' : word(r, 'abc{}":01\r\n', 0, 40);
  let framed = body;
  const framing = r();
  if (framing < 0.5) headers.push(`Content-Length: ${body.length}`);
  else if (framing < 0.85) {
    headers.push('Transfer-Encoding: chunked');
    framed = chunk(r, body);
  }
  let raw = `${version} ${status} ${pick(r, ['OK', 'Whatever', '', 'x y'])}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${framed}`;
  if (status === 204 || status === 304) raw = raw.replace(/Content-Length: \d+\r\n/, '');
  const mutations = r() < 0.3 ? 0 : int(r, 1, 2);
  for (let i = 0; i < mutations; i++) raw = mutate(r, raw);
  return raw;
}

type ResVerdict =
  | { kind: 'accepted'; status: number; headers: string[]; body: string }
  | { kind: 'rejected'; why: string }
  | { kind: 'incomplete' }
  | { kind: 'leftover' };

function oursResponse(raw: string): ResVerdict {
  const out = { status: 0, headers: [] as string[], body: [] as Buffer[], ended: false };
  const p = new ResponseParser({ onHead: (s, h) => { out.status = s; out.headers = h; }, onBody: (c) => out.body.push(Buffer.from(c)), onEnd: () => { out.ended = true; } });
  p.reset(false);
  const buf = Buffer.from(raw, 'latin1');
  try {
    const used = p.execute(buf);
    if (out.ended && used < buf.length) return { kind: 'leftover' };
    p.finish(); // the raw server closes after writing
  } catch (e) {
    if (e instanceof ResponseParseError) return { kind: 'rejected', why: `${e.fault}: ${e.message}` };
    throw e;
  }
  if (!out.ended) return { kind: 'incomplete' };
  return { kind: 'accepted', status: out.status, headers: out.headers, body: Buffer.concat(out.body).toString('latin1') };
}

let rawServer: Server;
let rawPort = 0;
let nextAnswer = '';
const rawSockets = new Set<Socket>();
const agent = new Agent({ keepAlive: false });

function nodeResponse(raw: string): Promise<ResVerdict> {
  nextAnswer = raw;
  return new Promise((resolve) => {
    let done = false;
    const settle = (v: ResVerdict): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => settle({ kind: 'incomplete' }), 2000);
    const req = httpRequest({ port: rawPort, host: '127.0.0.1', method: 'POST', path: '/', agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => settle({ kind: 'accepted', status: res.statusCode!, headers: res.rawHeaders, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('aborted', () => settle({ kind: 'incomplete' }));
      res.on('error', () => settle({ kind: 'incomplete' }));
    });
    req.on('error', (e: Error & { code?: string; reason?: string }) => {
      settle(e.code?.startsWith('HPE_') ? { kind: 'rejected', why: `${e.code} ${e.reason ?? ''}` } : { kind: 'incomplete' });
    });
    req.end('x');
  });
}

/** Responses the gateway refuses on purpose although node's client takes them (response-parser.ts). */
function stricterResponse(raw: string, ours: string): string | null {
  const line = raw.split('\r\n')[0] ?? '';
  // node's client does not check chunk extensions (nor bytes after the size); the gateway does.
  if (/invalid chunk (extension|size) '[0-9a-fA-F]+(;|\\x00)/.test(ours)) return 'chunk-size line extensions checked';
  if (!/^HTTP\/1\.[01] /.test(line)) return 'a version other than HTTP/1.0 or 1.1';
  if (/^HTTP\/1\.[01] (0\d\d|101)/.test(line)) return 'status below 100, or 101';
  const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) + 2);
  if (/\r\ntransfer-encoding:/i.test(head) && /\r\ncontent-length:/i.test(head)) return 'Transfer-Encoding with Content-Length (node lets an empty Transfer-Encoding pass)';
  return null;
}

// --- the tests ------------------------------------------------------------------------------------

before(async () => {
  nodeServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString('latin1') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
    });
  });
  nodeServer.on('clientError', (e: Error & { code?: string }, socket: Socket) => {
    const text = `${e.code ?? 'ERR'}`;
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
    else socket.destroy();
  });
  await new Promise<void>((r) => nodeServer.listen(0, '127.0.0.1', () => r()));
  nodePort = (nodeServer.address() as AddressInfo).port;
  rawServer = createServer((s) => {
    rawSockets.add(s);
    s.on('close', () => rawSockets.delete(s));
    s.on('error', () => {});
    const answer = nextAnswer;
    s.once('data', () => s.end(Buffer.from(answer, 'latin1')));
  });
  await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', () => r()));
  rawPort = (rawServer.address() as AddressInfo).port;
});

after(async () => {
  for (const s of rawSockets) s.destroy();
  agent.destroy();
  await new Promise<void>((r) => rawServer.close(() => r()));
  nodeServer.closeAllConnections();
  await new Promise<void>((r) => nodeServer.close(() => r()));
});

function tally(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

test(`requests: RequestParser agrees with node:http on ${COUNT} seeded messages (seed ${SEED})`, async () => {
  const r = seededRandom(SEED);
  const deadline = Date.now() + TIME_LIMIT_MS;
  const outcomes = new Map<string, number>();
  for (let i = 0; i < COUNT && Date.now() < deadline; i++) {
    let raw = genRequest(r);
    const ours = oursRequest(raw);
    // Bytes after the first message would be a second request (node answers them too): both parsers
    // are shown the first message only.
    if (ours.kind === 'accepted' && ours.used! < Buffer.byteLength(raw, 'latin1')) raw = Buffer.from(raw, 'latin1').subarray(0, ours.used).toString('latin1');
    if (ours.kind === 'accepted') delete ours.used;
    const theirs = await nodeRequest(raw);
    const where = `#${i} ${JSON.stringify(raw)}\nours: ${JSON.stringify(ours)}\nnode: ${JSON.stringify(theirs)}`;
    if (ours.kind === 'accepted' && theirs.kind === 'accepted') {
      assert.equal(ours.method, theirs.method, where);
      assert.equal(ours.url, theirs.url, where);
      assert.deepEqual(ours.headers, theirs.headers, where);
      assert.equal(ours.body, theirs.body, where);
      tally(outcomes, 'both accepted');
    } else if (ours.kind !== 'accepted' && theirs.kind !== 'accepted') {
      // Refused, or still waiting for bytes when the connection ended: either way not accepted.
      tally(outcomes, ours.kind === theirs.kind ? `both ${ours.kind}` : 'both refused (one at EOF)');
    } else if (ours.kind !== 'accepted') {
      const why = stricterRequest(raw);
      assert.ok(why !== null, `the gateway refuses what node:http takes: ${where}`);
      tally(outcomes, `stricter on purpose: ${why}`);
    } else {
      assert.fail(`disagreement: ${where}`);
    }
  }
  console.log(`# request outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get('both accepted') ?? 0) > COUNT / 5, 'the generator makes enough valid messages');
  assert.ok((outcomes.get('both rejected') ?? 0) > COUNT / 10, 'and enough malformed ones');
});

test(`responses: ResponseParser agrees with node's http client on ${COUNT} seeded answers (seed ${SEED})`, async () => {
  const r = seededRandom(SEED + 1);
  const deadline = Date.now() + TIME_LIMIT_MS;
  const outcomes = new Map<string, number>();
  for (let i = 0; i < COUNT && Date.now() < deadline; i++) {
    const raw = genResponse(r);
    const ours = oursResponse(raw);
    if (ours.kind === 'leftover') {
      // Bytes after a complete answer: the gateway passes the first and drops the connection; node's
      // client reports the rest as an error of the same request. Not comparable.
      tally(outcomes, 'leftover bytes (connection dropped)');
      continue;
    }
    const theirs = await nodeResponse(raw);
    const where = `#${i} ${JSON.stringify(raw)}\nours: ${JSON.stringify(ours)}\nnode: ${JSON.stringify(theirs)}`;
    if (ours.kind === 'accepted' && theirs.kind === 'accepted') {
      assert.equal(ours.status, theirs.status, where);
      assert.deepEqual(ours.headers, theirs.headers, where);
      assert.equal(ours.body, theirs.body, where);
      tally(outcomes, 'both accepted');
    } else if (ours.kind !== 'accepted' && theirs.kind !== 'accepted') {
      tally(outcomes, ours.kind === theirs.kind ? `both ${ours.kind}` : 'both refused (one at EOF)');
    } else if (ours.kind !== 'accepted') {
      const why = stricterResponse(raw, ours.kind === 'rejected' ? ours.why : '');
      assert.ok(why !== null, `the gateway refuses what node's client takes: ${where}`);
      tally(outcomes, `stricter on purpose: ${why}`);
    } else {
      assert.fail(`disagreement: ${where}`);
    }
  }
  console.log(`# response outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get('both accepted') ?? 0) > COUNT / 5, 'the generator makes enough valid answers');
  assert.ok((outcomes.get('both rejected') ?? 0) > COUNT / 10, 'and enough malformed ones');
});
