// The credentials a deployment's pods get from the control plane (src/control/deployment-credentials.ts):
// the instance secret is stable per deployment and key, the fetch token is scoped and expires.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DeploymentCredentials } from '../../src/control/deployment-credentials.js';
import { SwitchyardError } from '../../src/errors.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const code = (fn: () => unknown): string | undefined => {
  try { fn(); } catch (e) { return (e as SwitchyardError).code; }
  return undefined;
};

test('instance secrets: the same for the same key and deployment, different otherwise', () => {
  const key = randomBytes(32);
  const one = new DeploymentCredentials(key);
  assert.equal(one.instanceSecret('e', 'blue'), new DeploymentCredentials(Buffer.from(key)).instanceSecret('e', 'blue'));
  assert.notEqual(one.instanceSecret('e', 'blue'), one.instanceSecret('e', 'green'));
  assert.notEqual(one.instanceSecret('e', 'blue'), new DeploymentCredentials(randomBytes(32)).instanceSecret('e', 'blue'));
  assert.ok(one.instanceSecret('e', 'blue').length >= 32);
});

test('fetch tokens cover their deployment\'s digests until they expire, and nothing else', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const key = randomBytes(32);
  const creds = new DeploymentCredentials(key, 3600, () => now);
  const token = creds.mintFetchToken('e', 'blue', [A]);
  assert.deepEqual(creds.verifyFetchToken(token, A), { endpoint: 'e', deployment: 'blue', digests: [A], exp: Date.parse('2026-01-01T01:00:00Z') / 1000 });
  assert.equal(code(() => creds.verifyFetchToken(token, B)), 'Forbidden');
  assert.equal(code(() => new DeploymentCredentials(randomBytes(32), 3600, () => now).verifyFetchToken(token, A)), 'Unauthorized');
  const [prefix, payload, sig] = token.split('.');
  const widened = Buffer.from(JSON.stringify({ endpoint: 'e', deployment: 'blue', digests: [A, B], exp: 9e9 })).toString('base64url');
  assert.equal(code(() => creds.verifyFetchToken(`${prefix}.${widened}.${sig}`, B)), 'Unauthorized');
  assert.equal(code(() => creds.verifyFetchToken(`${prefix}.${payload}`, A)), 'Unauthorized');
  assert.equal(code(() => creds.verifyFetchToken('an-admin-token', A)), 'Unauthorized');
  now = new Date('2026-01-01T01:00:00Z');
  assert.equal(code(() => creds.verifyFetchToken(token, A)), 'Unauthorized');
});
