// resources.limits.memory quantities (Kubernetes form) and their validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLimitOf, parseMemoryQuantity } from '../../src/spec/memory-quantity.js';
import { isSwitchyardError } from '../../src/errors.js';

test('parses binary, decimal and plain quantities', () => {
  assert.equal(parseMemoryQuantity('m', '512Mi'), 512 * 2 ** 20);
  assert.equal(parseMemoryQuantity('m', '1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseMemoryQuantity('m', '1G'), 1e9);
  assert.equal(parseMemoryQuantity('m', 268435456), 268435456);
  assert.equal(parseMemoryQuantity('m', ' 64Mi '), 64 * 2 ** 20);
});

test('refuses malformed and too small quantities with InvalidValue naming the field', () => {
  for (const bad of ['lots', '', '-1Gi', '1Pi', '1 G B', '0', '1Mi', {}, [], true, 'Infinity']) {
    assert.throws(() => parseMemoryQuantity('resources.limits.memory', bad), (e) =>
      isSwitchyardError(e) && e.code === 'InvalidValue' && e.message.includes('resources.limits.memory'), JSON.stringify(bad));
  }
});

test('memoryLimitOf reads resources.limits.memory only', () => {
  assert.equal(memoryLimitOf({}), undefined);
  assert.equal(memoryLimitOf({ resources: { requests: { memory: '1Gi' } } }), undefined);
  assert.equal(memoryLimitOf({ resources: { limits: { memory: '256Mi', cpu: '1' } } }), 256 * 2 ** 20);
});
