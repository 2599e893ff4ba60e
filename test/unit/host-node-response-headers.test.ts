// The Node host refuses, at the source, response headers that could forge header lines: a web Response
// already refuses CR, LF and NUL; any other control character in a value gets 500 and a log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createScoringServer } from '../../src/hosts/node/scoring-server.js';

test('a Response with a control character in a header value is answered 500 with the reason logged', async () => {
  const server = createScoringServer({
    init: () => {},
    run: (raw) => (raw === 'evil' ? new Response('x', { headers: { 'x-evil': 'a\x0bHTTP/1.1 200 OK' } }) : new Response('fine', { headers: { 'x-ok': 'a\tb' } })),
  }, 1024);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
  const logged: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => { logged.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const evil = await fetch(url, { method: 'POST', body: 'evil' });
    assert.equal(evil.status, 500);
    assert.equal(evil.headers.get('x-evil'), null);
    assert.match(((await evil.json()) as { message: string }).message, /header 'x-evil' holds a control character/);
    const fine = await fetch(url, { method: 'POST', body: 'ok' });
    assert.equal(fine.status, 200);
    assert.equal(fine.headers.get('x-ok'), 'a\tb');
    await fine.text();
  } finally {
    process.stderr.write = write;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.match(logged.join(''), /run\(\) returned a Response that was refused: the value of response header 'x-evil'/);
});
