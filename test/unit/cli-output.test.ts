import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawText, render } from '../../src/cli/output.js';
import { SwitchyardError } from '../../src/errors.js';

const endpoint = {
  name: 'my-endpoint',
  auth_mode: 'key',
  traffic: { blue: 90, green: 10 },
  scoring_uri: 'http://127.0.0.1:7071/score',
  tags: {},
  provisioning_state: 'Succeeded',
  id: '/x/my-endpoint',
};

test('json: 2-space indent, sorted keys, trailing newline', () => {
  const out = render({ b: 1, a: { d: true, c: null } }, { format: 'json' });
  assert.equal(out, '{\n  "a": {\n    "c": null,\n    "d": true\n  },\n  "b": 1\n}\n');
});

test('json of a string result (invoke) is a JSON string', () => {
  assert.equal(render('[1.5, 2]', { format: 'json' }), '"[1.5, 2]"\n');
});

test('jsonc is coloured only on a terminal', () => {
  assert.equal(render({ a: 1 }, { format: 'jsonc', color: false }), '{\n  "a": 1\n}\n');
  assert.match(render({ a: 1 }, { format: 'jsonc', color: true }), /\x1b\[/);
});

test('--query applies before formatting', () => {
  assert.equal(render(endpoint, { format: 'json', query: 'traffic' }), '{\n  "blue": 90,\n  "green": 10\n}\n');
  assert.throws(() => render(endpoint, { format: 'json', query: '[[' }), (e: unknown) => e instanceof SwitchyardError && e.code === 'UsageError');
});

test('tsv of a scalar prints the bare value', () => {
  assert.equal(render({ primaryKey: 'abc', secondaryKey: 'def' }, { format: 'tsv', query: 'primaryKey' }), 'abc\n');
  assert.equal(render(endpoint, { format: 'tsv', query: 'scoring_uri' }), 'http://127.0.0.1:7071/score\n');
  assert.equal(render(true, { format: 'tsv' }), 'true\n');
  assert.equal(render(3, { format: 'tsv' }), '3\n');
});

test('tsv of an object: values tab-separated in key order; nested list → length, map → empty', () => {
  assert.equal(render({ g: null, a: 'x', b: 2, c: [1, 2, 3], d: { e: 1 }, f: false }, { format: 'tsv' }), 'x\t2\t3\t\tFalse\tNone\n');
  assert.equal(render(endpoint, { format: 'tsv', query: '{s:provisioning_state, n:name}' }), 'Succeeded\tmy-endpoint\n');
  assert.equal(render({ primaryKey: 'p', secondaryKey: 's' }, { format: 'tsv' }), 'p\ts\n');
});

test('tsv of a list: one line per item', () => {
  assert.equal(render(['a', 'b'], { format: 'tsv' }), 'a\nb\n');
  assert.equal(render([{ v: 1, n: 'a' }, { v: 2, n: 'b' }], { format: 'tsv' }), 'a\t1\nb\t2\n');
  assert.equal(render([endpoint], { format: 'tsv', query: '[].name' }), 'my-endpoint\n');
  assert.equal(render([], { format: 'tsv' }), '');
});

test('yaml: sorted keys, block style, lists not indented', () => {
  assert.equal(render({ b: [1, 2], a: 'x' }, { format: 'yaml' }), 'a: x\nb:\n- 1\n- 2\n');
});

test('table: scalar fields, capitalised headers, id/type skipped, dashes', () => {
  const out = render([endpoint, { ...endpoint, name: 'other', auth_mode: 'aml_token' }], { format: 'table' });
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0]!, /^Auth_mode\s+Name\s+Provisioning_state\s+Scoring_uri$/);
  assert.match(lines[1]!, /^-+\s+-+\s+-+\s+-+$/);
  assert.match(lines[2]!, /^key\s+my-endpoint\s+Succeeded/);
  assert.match(lines[3]!, /^aml_token\s+other/);
  assert.ok(!out.includes('/x/my-endpoint'));
  assert.equal(render('v', { format: 'table' }), 'Result\n------\nv\n');
});

test('table keeps query order when --query is given', () => {
  const out = render(endpoint, { format: 'table', query: '{Z:name, A:auth_mode}' });
  assert.match(out.split('\n')[0]!, /^Z\s+A$/);
});

test('none prints nothing; null results print nothing', () => {
  assert.equal(render(endpoint, { format: 'none' }), '');
  assert.equal(render(undefined, { format: 'json' }), '');
  assert.equal(render(endpoint, { format: 'json', query: 'missing' }), '');
});

test('raw text (logs) prints as is', () => {
  assert.equal(render(new RawText('line 1\nline 2'), { format: 'json' }), 'line 1\nline 2\n');
  assert.equal(render(new RawText('x\n'), { format: 'none' }), '');
});
