// Runs the Python host's own unit tests (test/unit/runtime-python-host/test_*.py) with /usr/bin/python3.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const folder = join(dirname(fileURLToPath(import.meta.url)), 'runtime-python-host');

it('Python host unit tests pass', { skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3' }, () => {
  const res = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', folder, '-p', 'test_*.py'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stderr, /\nOK\b/);
});
