import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, parsePins, pinsSatisfied } from '../../src/runtime/local/version-pin.js';

describe('version pins', () => {
  const table: Array<[string, string, boolean]> = [
    ['1.2.1', '=1.7.0', false],
    ['1.7.0', '=1.7.0', true],
    ['1.7.3', '=1.7', true],
    ['1.70.0', '=1.7', false],
    ['1.24.2', '=1.23.5', false],
    ['1.24.2', '==1.24.2', true],
    ['1.24.2', '==1.24.*', true],
    ['1.24.2', '!=1.24.*', false],
    ['1.24.2', '>=1.20,<2', true],
    ['2.0.0', '>=1.20,<2', false],
    ['1.4.7', '~=1.4.5', true],
    ['1.5.0', '~=1.4.5', false],
    ['3.11.2', '=3.10', false],
    ['3.11.2', '>3.8', true],
    ['2.0.0rc1', '>=2.0', true],
  ];
  for (const [version, pin, ok] of table) {
    it(`${version} ${ok ? 'meets' : 'does not meet'} ${pin}`, () => {
      assert.equal(pinsSatisfied(version, parsePins(pin)), ok);
    });
  }

  it('compares release parts numerically', () => {
    assert.equal(compareVersions('1.10', '1.9'), 1);
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
    assert.equal(compareVersions('0.24.2', '1.0'), -1);
  });
});
