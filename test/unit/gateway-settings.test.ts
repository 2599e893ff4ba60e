// Gateway settings (gateway/settings.ts) and the open-file limit (server/open-file-limit.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMaxConnections, gatewayLimitsFromEnv } from '../../src/gateway/settings.js';
import { openFileLimit } from '../../src/server/open-file-limit.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('the default connection cap fits under the open-file limit next to the control plane', () => {
  assert.equal(defaultMaxConnections(1024, 512), 192);
  assert.equal(defaultMaxConnections(20_000, 512), 9680);
  assert.equal(defaultMaxConnections(1_048_576, 512), 10_000);
  assert.equal(defaultMaxConnections(256, 512), 64);
  assert.equal(defaultMaxConnections(Number.NaN, 512), 10_000);
  assert.equal(defaultMaxConnections(Number.POSITIVE_INFINITY, 512), 10_000);
});

test('SWITCHYARD_GATEWAY_* overrides are read and checked', () => {
  const sizing = { openFileLimit: 1024, controlConnections: 512 };
  assert.deepEqual(gatewayLimitsFromEnv({}, sizing), { maxConnections: 192 });
  assert.deepEqual(gatewayLimitsFromEnv({
    SWITCHYARD_GATEWAY_MAX_CONNECTIONS: '50', SWITCHYARD_GATEWAY_AUTH_FAILURE_LIMIT: '0',
    SWITCHYARD_GATEWAY_AUTH_FAILURE_WINDOW_SECONDS: '10', SWITCHYARD_GATEWAY_AUTH_FAILURE_SOURCES: '500',
  }, sizing), { maxConnections: 50, authFailureLimit: 0, authFailureWindowMs: 10_000, authFailureSources: 500 });
  assert.throws(() => gatewayLimitsFromEnv({ SWITCHYARD_GATEWAY_MAX_CONNECTIONS: 'lots' }, sizing), /SWITCHYARD_GATEWAY_MAX_CONNECTIONS must be a whole number/);
  assert.throws(() => gatewayLimitsFromEnv({ SWITCHYARD_GATEWAY_AUTH_FAILURE_SOURCES: '5' }, sizing), /at least 100/);
});

test('the open-file limit is read from /proc on Linux', { skip: process.platform !== 'linux' && 'not Linux' }, () => {
  const l = openFileLimit();
  assert.ok(l !== null && l.soft > 0 && l.soft <= l.hard, JSON.stringify(l));
});

test('Node raises the soft open-file limit to the hard one at start (a child started with 512 of 2048 sees 2048)', { skip: process.platform !== 'linux' && 'not Linux' }, () => {
  const script = "import { openFileLimit } from './src/server/open-file-limit.ts'; console.log(JSON.stringify(openFileLimit()));";
  const r = spawnSync('prlimit', ['--nofile=512:2048', '--', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
  if (r.error) return; // no prlimit on this machine: nothing to start the child with
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { soft: 2048, hard: 2048 });
});
