// Who instances run as (instance-user.ts) and the groups of deployments (instance-sandbox.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchyardError } from '../../src/errors.js';
import { DeploymentGroups } from '../../src/runtime/local/instance-sandbox.js';
import { canSwitchUsers, lookupUser, resolveInstanceIsolation } from '../../src/runtime/local/instance-user.js';

describe('the instance user setting', () => {
  it('`none` runs instances as the server, and says so', () => {
    assert.deepEqual(resolveInstanceIsolation('none'), { isolated: false, reason: '--instance-user none was given' });
  });

  it('an unknown user is refused with how to make it (a server that can switch users)', { skip: !canSwitchUsers() && 'cannot switch users here' }, () => {
    assert.throws(() => resolveInstanceIsolation('no-such-user-i10a'), (e: unknown) =>
      e instanceof SwitchyardError && e.code === 'InvalidValue' && /scripts\/instance-user\.sh no-such-user-i10a/.test(e.message) && /--instance-user none/.test(e.message));
  });

  it('root is refused as an instance user', { skip: !canSwitchUsers() && 'cannot switch users here' }, () => {
    assert.throws(() => resolveInstanceIsolation('root'), /has uid 0/);
  });

  it('an explicit user on a server that cannot switch users is refused; the default falls back', { skip: canSwitchUsers() && 'this process can switch users' }, () => {
    assert.throws(() => resolveInstanceIsolation('nobody'), /cannot switch users/);
    assert.equal(resolveInstanceIsolation(undefined).isolated, false);
  });

  it('looks users up by name only when the name is a plausible user name', () => {
    assert.equal(lookupUser('root')?.uid, 0);
    assert.equal(lookupUser('../etc'), null);
    assert.equal(lookupUser('a b'), null);
  });
});

describe('deployment groups', () => {
  it('are stable for a name, distinct within a server, above every allocated range, and freed on release', () => {
    const a = new DeploymentGroups('/srv/a');
    const g1 = a.gidFor('ep\u0000blue');
    assert.equal(a.gidFor('ep\u0000blue'), g1);
    assert.ok(g1 >= DeploymentGroups.BASE && g1 < DeploymentGroups.BASE + DeploymentGroups.SPAN);
    const gids = new Set(Array.from({ length: 500 }, (_, i) => a.gidFor(`ep\u0000d${i}`)));
    assert.equal(gids.size, 500);
    assert.equal(new DeploymentGroups('/srv/a').gidFor('ep\u0000blue'), g1, 'the same after a restart');
    a.release('ep\u0000blue');
    assert.equal(a.gidFor('ep\u0000blue'), g1);
  });
});
