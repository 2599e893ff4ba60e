import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySets, parseSet, parseSetPath, typeSetValue } from '../../src/cli/set.js';
import { SwitchyardError } from '../../src/errors.js';

const invalidSet = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof SwitchyardError && e.code === 'InvalidSet' && re.test(e.message));
};

test('values are typed as az types them', () => {
  assert.equal(typeSetValue('2'), 2);
  assert.equal(typeSetValue('-1.5'), -1.5);
  assert.equal(typeSetValue('true'), true);
  assert.equal(typeSetValue('false'), false);
  assert.equal(typeSetValue('null'), null);
  assert.deepEqual(typeSetValue('{"a": [1, "x"]}'), { a: [1, 'x'] });
  assert.deepEqual(typeSetValue('[1,2]'), [1, 2]);
  assert.equal(typeSetValue('"007"'), '007');
  assert.equal(typeSetValue('007'), '007');
  assert.equal(typeSetValue('debug'), 'debug');
  assert.equal(typeSetValue('a=b'), 'a=b');
  assert.equal(typeSetValue(''), '');
});

test('paths with dots and list indexes', () => {
  assert.deepEqual(parseSetPath('a.b[0].c', 'x'), ['a', 'b', 0, 'c']);
  assert.deepEqual(parseSet('environment_variables.X=a=b'), { path: ['environment_variables', 'X'], value: 'a=b', text: 'environment_variables.X=a=b' });
});

test('sets apply in order, creating maps along the path', () => {
  const doc: Record<string, unknown> = { instance_count: 1, request_settings: { request_timeout_ms: 5000 } };
  applySets(doc, ['instance_count=2', 'environment_variables.X=Y', 'request_settings.max_concurrent_requests_per_instance=4', 'instance_count=3']);
  assert.deepEqual(doc, {
    instance_count: 3,
    request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 4 },
    environment_variables: { X: 'Y' },
  });
});

test('list indexes replace or append', () => {
  const doc: Record<string, unknown> = { command: ['python', 'a.py'] };
  applySets(doc, ['command[1]=b.py', 'command[2]=--x']);
  assert.deepEqual(doc.command, ['python', 'b.py', '--x']);
});

test('bad sets are InvalidSet errors', () => {
  invalidSet(() => parseSet('instance_count'), /missing '='/);
  invalidSet(() => parseSet('=3'), /empty key/);
  invalidSet(() => parseSet('a..b=3'), /empty key/);
  invalidSet(() => applySets({ a: 1 }, ['a.b=2']), /'a' is not a map/);
  invalidSet(() => applySets({ a: {} }, ['a[0]=2']), /'a' is not a list/);
  invalidSet(() => applySets({ a: [] }, ['a[5]=2']), /past the end/);
});
