import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRequired, parseFlags, type FlagDef } from '../../src/cli/flags.js';
import { GLOBAL_FLAGS } from '../../src/cli/command.js';
import { parseTrafficFlag } from '../../src/cli/traffic.js';
import { SwitchyardError } from '../../src/errors.js';

const defs: FlagDef[] = [
  { name: 'name', short: 'n', kind: 'string', help: '' },
  { name: 'endpoint-name', short: 'e', kind: 'string', help: '' },
  { name: 'file', short: 'f', kind: 'string', help: '' },
  { name: 'set', kind: 'list', multi: true, help: '' },
  { name: 'no-wait', kind: 'boolean', help: '' },
  { name: 'all-traffic', kind: 'boolean', help: '' },
  { name: 'lines', short: 'l', kind: 'number', help: '' },
  { name: 'container', short: 'c', kind: 'string', choices: ['inference-server', 'storage-initializer'], help: '' },
  ...GLOBAL_FLAGS,
];

const usageError = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof SwitchyardError && e.code === 'UsageError' && re.test(e.message));
};

test('long, short and = forms', () => {
  const { values } = parseFlags(['--name', 'blue', '-e', 'ep', '--file=d.yml', '-o', 'tsv', '--query=primaryKey'], defs);
  assert.deepEqual(values, { name: 'blue', 'endpoint-name': 'ep', file: 'd.yml', output: 'tsv', query: 'primaryKey' });
  assert.equal(parseFlags(['-n=blue'], defs).values.name, 'blue');
  assert.equal(parseFlags(['-nblue'], defs).values.name, 'blue');
});

test('unambiguous prefixes of long flags', () => {
  const { values } = parseFlags(['--endpoint', 'ep', '--na', 'blue', '--all', '--no-w'], defs);
  assert.equal(values['endpoint-name'], 'ep');
  assert.equal(values.name, 'blue');
  assert.equal(values['all-traffic'], true);
  assert.equal(values['no-wait'], true);
});

test('an exact name wins over longer names it prefixes', () => {
  const d: FlagDef[] = [{ name: 'name', kind: 'string', help: '' }, { name: 'names', kind: 'string', help: '' }];
  assert.equal(parseFlags(['--name', 'x'], d).values.name, 'x');
});

test('ambiguous and unknown flags are usage errors naming them', () => {
  usageError(() => parseFlags(['--n', 'x'], defs), /ambiguous option: --n could match --name, --no-wait/);
  usageError(() => parseFlags(['--bogus'], defs), /unrecognized arguments: --bogus/);
  usageError(() => parseFlags(['-z'], defs), /unrecognized arguments: -z/);
});

test('a value flag refuses a missing value or a flag in its place', () => {
  usageError(() => parseFlags(['--name'], defs), /--name\/-n: expected one argument/);
  usageError(() => parseFlags(['--name', '--no-wait'], defs), /expected one argument/);
});

test('repeated and multi-word --set', () => {
  const { values } = parseFlags(['--set', 'a=1', 'b.c=2', '--set', 'd=x', '-n', 'blue'], defs);
  assert.deepEqual(values.set, ['a=1', 'b.c=2', 'd=x']);
  assert.equal(values.name, 'blue');
});

test('numbers, choices and booleans are checked', () => {
  assert.equal(parseFlags(['-l', '50'], defs).values.lines, 50);
  usageError(() => parseFlags(['--lines', 'many'], defs), /invalid number value: 'many'/);
  usageError(() => parseFlags(['-c', 'nope'], defs), /invalid choice: 'nope'/);
  assert.equal(parseFlags(['-o', 'TSV'], defs).values.output, 'tsv');
  assert.equal(parseFlags(['--no-wait=false'], defs).values['no-wait'], false);
});

test('positionals are collected; -- ends flags', () => {
  const r = parseFlags(['x', '--name', 'n', '--', '--file'], defs);
  assert.deepEqual(r.positionals, ['x', '--file']);
});

test('required flags are checked apart from parsing', () => {
  const req: FlagDef[] = [{ name: 'name', short: 'n', kind: 'string', required: true, help: '' }, { name: 'endpoint-name', short: 'e', kind: 'string', required: true, help: '' }];
  usageError(() => checkRequired({}, req), /required: --name\/-n, --endpoint-name\/-e/);
  checkRequired({ name: 'a', 'endpoint-name': 'b' }, req);
});

test('traffic flags parse to maps; bad syntax is a usage error', () => {
  assert.deepEqual(parseTrafficFlag(['blue=90 green=10'], 'traffic'), { blue: 90, green: 10 });
  assert.deepEqual(parseTrafficFlag(['blue=90', 'green=10'], 'traffic'), { blue: 90, green: 10 });
  assert.deepEqual(parseTrafficFlag(['green=0'], 'mirror-traffic'), { green: 0 });
  usageError(() => parseTrafficFlag(['blue:90'], 'traffic'), /--traffic: invalid value 'blue:90'/);
  usageError(() => parseTrafficFlag(['blue=ninety'], 'traffic'), /whole number/);
  usageError(() => parseTrafficFlag(['blue=101'], 'traffic'), /0 to 100/);
  usageError(() => parseTrafficFlag(['blue=1 blue=2'], 'traffic'), /named twice/);
});
