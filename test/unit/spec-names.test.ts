import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nameRuleBroken, validateName } from '../../src/spec/names.js';
import { SwitchyardError } from '../../src/errors.js';

describe('endpoint and deployment names (docs/compatibility.md, "Names and limits")', () => {
  const valid = ['abc', 'blue', 'my-endpoint', 'A1-b2', 'a'.repeat(32), 'e2e-123-x', 'Green'];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(nameRuleBroken(name), null);
      assert.equal(validateName('endpoint', name), name);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /3 to 32 characters long \(it has 0\)/],
    ['ab', /3 to 32 characters long \(it has 2\)/],
    ['a'.repeat(33), /3 to 32 characters long \(it has 33\)/],
    ['1abc', /start with a letter/],
    ['-abc', /start with a letter/],
    ['abc-', /not end with '-'/],
    ['ab_c', /only letters, digits and '-' \(found "_"\)/],
    ['ab c', /only letters, digits and '-' \(found " "\)/],
    ['ab.c', /found "\."/],
    ['ábc', /start with a letter/],
    ['abé', /found "é"/],
  ];
  for (const [name, rule] of invalid) {
    it(`refuses ${JSON.stringify(name)} saying which rule failed`, () => {
      assert.throws(() => validateName('deployment', name), (e: unknown) => {
        assert.ok(e instanceof SwitchyardError);
        assert.equal(e.code, 'InvalidName');
        assert.equal(e.status, 400);
        assert.match(e.message, rule);
        assert.ok(e.message.includes(JSON.stringify(name)), 'the message shows the value');
        assert.match(e.message, /deployment name/);
        return true;
      });
    });
  }

  it('refuses a non-string', () => {
    assert.throws(() => validateName('endpoint', 42), /must be a string, got number 42/);
    assert.throws(() => validateName('endpoint', undefined), /got nothing/);
  });
});
