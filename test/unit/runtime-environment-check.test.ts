import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCondaSpec, parsePipSpec } from '../../src/runtime/local/conda-packages.js';
import { unsatisfiedMessage } from '../../src/runtime/local/environment-check.js';
import { chooseInterpreter, missingModules } from '../../src/runtime/local/interpreter-check.js';

describe('environment messages', () => {
  it('names the packages, the interpreter and what to do', () => {
    const message = unsatisfiedMessage([
      { interpreter: '/usr/bin/python3', missing: [parseCondaSpec('scikit-learn=1.7.0')!, parsePipSpec('pandas')!] },
      { interpreter: '/root/.pyenv/shims/python3', missing: [parseCondaSpec('scikit-learn')!] },
    ]);
    assert.match(message, /\/usr\/bin\/python3 cannot import: scikit-learn \(import sklearn\), pandas\./);
    assert.match(message, /apt-get install python3-sklearn python3-pandas/);
    assert.match(message, /set `interpreter:`/);
    assert.match(message, /Also tried: \/root\/\.pyenv\/shims\/python3 \(missing scikit-learn\)/);
  });

  it('suggests pip for interpreters outside /usr/bin', () => {
    const message = unsatisfiedMessage([{ interpreter: '/opt/py/bin/python', missing: [parsePipSpec('torch')!] }]);
    assert.match(message, /\/opt\/py\/bin\/python -m pip install torch/);
  });

  it('reports an interpreter that cannot run', async () => {
    const { choice, rejected } = await chooseInterpreter([], { explicit: '/nonexistent/python3' });
    assert.equal(choice, undefined);
    assert.match(unsatisfiedMessage(rejected), /cannot be used: .*\/nonexistent\/python3/);
  });

  it('lists modules an interpreter lacks', () => {
    const reqs = [parseCondaSpec('numpy')!, parseCondaSpec('pip')!, parsePipSpec('torch')!];
    const report = { interpreter: 'py', version: '3.11.2', modules: { numpy: { found: true, version: '1.24.2' }, torch: { found: false, version: null } } };
    assert.deepEqual(missingModules(report, reqs).map((r) => r.name), ['torch']);
  });
});
