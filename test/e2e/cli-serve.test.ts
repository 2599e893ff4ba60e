// `switchyard serve`: the machine-readable listening line on stdout, the "what next" text on stderr,
// the admin token the CLI picks up on its own, and a clean stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sy } from './cli-harness.js';

test('serve prints the listening line, guides the user, and stops on SIGTERM', async () => {
  const server = await startServer();
  let stopped = false;
  try {
    assert.match(server.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    // The guide goes to stderr just after the listening line; give the pipe a moment.
    for (let i = 0; i < 50 && !server.stderr().includes('export SWITCHYARD_URL='); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(server.stderr(), new RegExp(`export SWITCHYARD_URL=${server.controlUrl.replace(/\./g, '\\.')}\n`));
    // The CLI finds the admin token in SWITCHYARD_DATA_DIR without SWITCHYARD_TOKEN.
    const r = await sy(server, ['online-endpoint', 'list', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const { code, stdout } = await server.stop();
    stopped = true;
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.equal(JSON.parse(lines[0]!).event, 'listening');
    assert.equal(JSON.parse(lines[lines.length - 1]!).event, 'closed');
  } finally {
    if (!stopped) await server.stop();
  }
});
