// Which instance headers reach the client (forwarded-headers.ts): the decided list, in any case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropTowardsClient, headersTowardsClient } from '../../src/gateway/forwarded-headers.js';

test('framing, hop-by-hop, gateway-owned and host-wide headers are dropped; the rest passes', () => {
  const dropped = [
    'Content-Length', 'Transfer-Encoding', 'Connection', 'Keep-Alive', 'TE', 'Trailer', 'Upgrade', 'Proxy-Connection', 'Date',
    'X-Request-Id', 'x-ms-client-request-id', 'azureml-model-deployment', 'ms-azureml-model-error-statuscode', 'ms-azureml-model-error-reason',
    'Set-Cookie', 'set-cookie2', 'Clear-Site-Data', 'Strict-Transport-Security', 'Alt-Svc',
  ];
  for (const name of dropped) {
    assert.equal(dropTowardsClient(name), true, name);
    assert.equal(dropTowardsClient(name.toUpperCase()), true, name);
  }
  for (const name of ['Content-Type', 'Content-Encoding', 'Cache-Control', 'ETag', 'Server', 'X-Custom', 'Vary', 'Location', 'X-Request-Ids']) {
    assert.equal(dropTowardsClient(name), false, name);
  }
});

test('headers the upstream Connection header names are dropped too', () => {
  const out: string[] = ['x-first', '1'];
  headersTowardsClient(['X-Private', 'a', 'Connection', 'keep-alive, X-Private, x-other', 'Content-Type', 'text/plain', 'X-Other', 'b', 'X-Kept', 'c'], out);
  assert.deepEqual(out, ['x-first', '1', 'Content-Type', 'text/plain', 'X-Kept', 'c']);
});
