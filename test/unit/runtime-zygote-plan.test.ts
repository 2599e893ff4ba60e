// What a Python zygote preloads and which deployments start cold (src/runtime/local/zygote-plan.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zygoteDecision, zygoteKey } from '../../src/runtime/local/zygote-plan.js';

const TUTORIAL = {
  name: 'model-env',
  dependencies: ['python=3.9', 'numpy=1.23.5', 'pip=23.0.1', 'scikit-learn=1.2.2', 'scipy=1.10.1', { pip: ['azureml-defaults', 'inference-schema[numpy-support]', 'joblib'] }],
};

describe('zygoteDecision', () => {
  it("preloads the conda file's Python modules and sklearn's common submodules, not tooling nor what the host provides", () => {
    assert.deepEqual(zygoteDecision(TUTORIAL, {}), {
      zygote: { preload: ['numpy', 'sklearn', 'sklearn.linear_model', 'sklearn.pipeline', 'sklearn.preprocessing', 'scipy', 'joblib'], importEnv: {} },
    });
  });

  it('preloads only the host without a conda file', () => {
    assert.deepEqual(zygoteDecision(undefined, {}), { zygote: { preload: [], importEnv: {} } });
  });

  it('leaves out packages that are not fork-safe once imported', () => {
    const d = zygoteDecision({ dependencies: ['numpy', { pip: ['torch', 'tensorflow-cpu', 'pandas'] }] }, {});
    assert.deepEqual(d, { zygote: { preload: ['numpy', 'pandas'], importEnv: {} } });
  });

  it('starts cold when the deployment sets variables Python or the loader read at start', () => {
    const d = zygoteDecision(TUTORIAL, { PYTHONPATH: '/x', LD_PRELOAD: '/y.so', OTHER: '1' });
    assert.ok('cold' in d);
    assert.match(d.cold, /LD_PRELOAD, PYTHONPATH/);
  });

  it('keys a zygote by the variables numerical libraries read at import', () => {
    const one = zygoteDecision(TUTORIAL, { OMP_NUM_THREADS: '1', GREETING: 'hi' });
    const other = zygoteDecision(TUTORIAL, { GREETING: 'hello' });
    assert.ok('zygote' in one && 'zygote' in other);
    assert.deepEqual(one.zygote.importEnv, { OMP_NUM_THREADS: '1' });
    assert.notEqual(zygoteKey('/usr/bin/python3', one.zygote), zygoteKey('/usr/bin/python3', other.zygote));
    // Other variables do not matter to the zygote: equal plans share one.
    assert.equal(zygoteKey('/usr/bin/python3', other.zygote), zygoteKey('/usr/bin/python3', zygoteDecision(TUTORIAL, {}).zygote!));
    assert.notEqual(zygoteKey('/usr/bin/python3', other.zygote), zygoteKey('/opt/py/bin/python3', other.zygote));
  });
});
