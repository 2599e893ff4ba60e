import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseEnvironmentInput, normaliseModelInput } from '../../src/spec/asset-input.js';
import { parseAssetRef, isDigest } from '../../src/spec/references.js';

const D = `sha256:${'a'.repeat(64)}`;
const fails = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: any) => { assert.equal(e.code, code, e.message); if (message) assert.match(e.message, message); return true; });

describe('model input', () => {
  it('reads name, version, path, type, description, tags', () => {
    assert.deepEqual(normaliseModelInput({ name: 'sk', version: 3, path: D, type: 'MLflow_Model', description: 'd', tags: { a: '1' } }),
      { name: 'sk', version: '3', path: D, type: 'mlflow_model', description: 'd', tags: { a: '1' } });
    assert.deepEqual(normaliseModelInput({ name: 'sk', path: D }), { name: 'sk', path: D, type: 'custom_model', tags: {} });
  });
  it('refuses bad input', () => {
    fails(() => normaliseModelInput({ path: D }), 'MissingField', /name/);
    fails(() => normaliseModelInput({ name: 'sk' }), 'MissingField', /path/);
    fails(() => normaliseModelInput({ name: 'sk', path: 'model/' }), 'InvalidReference', /sha256/);
    fails(() => normaliseModelInput({ name: 'sk!', path: D }), 'InvalidName');
    fails(() => normaliseModelInput({ name: 'sk', path: D, version: 'latest' }), 'InvalidValue', /reserved/);
    fails(() => normaliseModelInput({ name: 'sk', path: D, version: 1.5 }), 'InvalidValue');
    fails(() => normaliseModelInput({ name: 'sk', path: D, type: 'onnx' }), 'InvalidValue', /custom_model/);
    fails(() => normaliseModelInput({ name: 'sk', path: D, stage: 'prod' }), 'UnknownKey', /"stage"/);
  });
});

describe('environment input', () => {
  it('reads every field', () => {
    const env = normaliseEnvironmentInput({
      $schema: 'x', name: 'env', version: '1', image: 'img', conda_file: { channels: ['conda-forge'] },
      build: { path: 'docker', dockerfile_path: 'Dockerfile' }, os_type: 'linux', interpreter: '/usr/bin/python3',
      inference_config: { scoring_route: { port: 5001, path: '/score' } }, command: ['python', 'app.py'], tags: {},
    });
    assert.deepEqual(env, {
      name: 'env', version: '1', image: 'img', conda_file: { channels: ['conda-forge'] },
      build: { path: 'docker', dockerfile_path: 'Dockerfile' }, os_type: 'linux', interpreter: '/usr/bin/python3',
      inference_config: { scoring_route: { port: 5001, path: '/score' } }, command: ['python', 'app.py'], tags: {},
    });
  });
  it('refuses bad input', () => {
    fails(() => normaliseEnvironmentInput({ name: 'env', build: { context: '.' } }), 'UnknownKey', /build\.context/);
    fails(() => normaliseEnvironmentInput({ name: 'env', conda_file: 'conda.yml' }), 'InvalidValue');
    fails(() => normaliseEnvironmentInput({ name: 'env', command: [] }), 'InvalidValue', /command/);
  });
});

describe('references', () => {
  it('parses azureml references', () => {
    assert.deepEqual(parseAssetRef('model', 'azureml:sk:1'), { name: 'sk', version: '1' });
    assert.deepEqual(parseAssetRef('model', 'azureml:sk-model.v2@latest'), { name: 'sk-model.v2', version: 'latest' });
    assert.deepEqual(parseAssetRef('model', 'azureml://registries/r/models/sk/versions/7'), { name: 'sk', version: '7' });
    assert.equal(parseAssetRef('model', 'sk:1'), null);
    fails(() => parseAssetRef('model', 'azureml:'), 'InvalidReference');
    fails(() => parseAssetRef('model', 'azureml:a:b:c'), 'InvalidReference');
  });
  it('recognises digests', () => {
    assert.equal(isDigest(D), true);
    assert.equal(isDigest(D.toUpperCase()), false);
    assert.equal(isDigest('sha256:abc'), false);
  });
});
