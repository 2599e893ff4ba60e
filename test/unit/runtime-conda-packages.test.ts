import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debianPackageOf, importNameOf, parseCondaSpec, parsePipSpec, requirementsOf } from '../../src/runtime/local/conda-packages.js';

describe('conda file requirements', () => {
  it('reads the tutorial conda file', () => {
    const reqs = requirementsOf({
      name: 'model-env',
      channels: ['conda-forge'],
      dependencies: ['python=3.7', 'numpy=1.21.2', 'pip=21.2.4', 'scikit-learn=0.24.2', 'scipy=1.7.1', { pip: ['azureml-defaults==1.38.0', 'inference-schema[numpy-support]==1.3.0', 'joblib==1.0.1'] }],
    });
    assert.deepEqual(
      reqs.map((r) => [r.name, r.kind, r.module ?? r.skipReason ?? null]),
      [
        ['python', 'python', null],
        ['numpy', 'module', 'numpy'],
        ['pip', 'skipped', 'installer tooling'],
        ['scikit-learn', 'module', 'sklearn'],
        ['scipy', 'module', 'scipy'],
        ['azureml-defaults', 'skipped', 'provided by the Switchyard host'],
        ['inference-schema', 'skipped', 'provided by the Switchyard host'],
        ['joblib', 'module', 'joblib'],
      ],
    );
    assert.deepEqual(reqs[3]!.pins, [{ op: '=', version: '0.24.2' }]);
    assert.deepEqual(reqs[7]!.pins, [{ op: '==', version: '1.0.1' }]);
  });

  const conda: Array<[string, string, string]> = [
    ['conda-forge::numpy=1.21.2=py39h20f2e39_0', 'numpy', '=1.21.2'],
    ['numpy 1.21.*', 'numpy', '=1.21.*'],
    ['numpy>=1.20,<2', 'numpy', '>=1.20,<2'],
    ['numpy==1.21', 'numpy', '==1.21'],
    ['PyYAML', 'pyyaml', ''],
    ['scikit_learn', 'scikit-learn', ''],
  ];
  for (const [spec, name, pins] of conda) {
    it(`parses the conda spec ${spec}`, () => {
      const r = parseCondaSpec(spec)!;
      assert.equal(r.name, name);
      assert.equal(r.pins.map((p) => `${p.op}${p.version}`).join(','), pins);
    });
  }

  it('parses pip specs with extras, markers and URLs', () => {
    assert.equal(parsePipSpec('pandas[performance]>=1.3 ; python_version > "3.6"')!.module, 'pandas');
    assert.deepEqual(parsePipSpec('pandas[performance]>=1.3 ; python_version > "3.6"')!.pins, [{ op: '>=', version: '1.3' }]);
    assert.equal(parsePipSpec('--extra-index-url https://example.org/simple'), null);
    assert.equal(parsePipSpec('git+https://github.com/org/repo.git'), null);
    assert.equal(parsePipSpec('-r requirements.txt'), null);
    assert.equal(parsePipSpec('mypkg @ https://example.org/mypkg.whl')!.pins.length, 0);
  });

  it('skips non-Python conda libraries but checks them from pip', () => {
    assert.equal(parseCondaSpec('libgcc-ng')!.kind, 'skipped');
    assert.equal(parseCondaSpec('cudatoolkit=11.3')!.kind, 'skipped');
    assert.equal(parseCondaSpec('mkl')!.kind, 'skipped');
    assert.equal(parsePipSpec('mkl')!.kind, 'module');
  });

  it('maps distribution names to import names', () => {
    const cases: Record<string, string> = {
      'scikit-learn': 'sklearn', pyyaml: 'yaml', pillow: 'PIL', 'opencv-python-headless': 'cv2', 'python-dateutil': 'dateutil',
      beautifulsoup4: 'bs4', pytorch: 'torch', torch: 'torch', protobuf: 'google.protobuf', 'typing-extensions': 'typing_extensions',
      Pandas: 'pandas', 'azure-ai-ml': 'azure.ai.ml', lightgbm: 'lightgbm',
    };
    for (const [dist, mod] of Object.entries(cases)) assert.equal(importNameOf(dist), mod, dist);
  });

  it('suggests Debian packages', () => {
    assert.equal(debianPackageOf(parseCondaSpec('scikit-learn')!), 'python3-sklearn');
    assert.equal(debianPackageOf(parseCondaSpec('pandas')!), 'python3-pandas');
    assert.equal(debianPackageOf(parsePipSpec('pillow')!), 'python3-pil');
  });

  it('has no requirements without a conda file or dependencies', () => {
    assert.deepEqual(requirementsOf(undefined), []);
    assert.deepEqual(requirementsOf({ name: 'x' }), []);
  });
});
