import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { normaliseRolloutPolicy } from '../../src/spec/rollout-policy.js';
import type { RolloutStatus } from '../../src/spec/rollout.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-store-rollouts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const status = (state: RolloutStatus['state']): RolloutStatus => ({
  state, step: 0, step_started_at: '2026-01-01T00:00:00.000Z', bake_ms: 0, applied: false, gates: [], window: null, reason: null,
  last_evaluated_at: null, history: [],
});

describe('rollouts in the SQLite store', () => {
  const store = new SqliteStore(join(dir, 'switchyard.db'));
  after(() => store.close());
  const spec = { candidate: 'green', baseline: { blue: 100 }, policy: normaliseRolloutPolicy({}), started_by: 'admin', started_by_role: 'Owner' };
  store.insertEndpoint('e1', {
    spec: { name: 'e1', tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' },
    provisioning_state: 'Succeeded', keys: { primaryKey: 'a', secondaryKey: 'b' }, token_secret: 'c',
  });

  it('keeps every rollout, answers the newest per endpoint and the active ones', () => {
    store.insertRollout({ id: 'r1', endpoint: 'e1', spec, status: status('RolledBack') });
    store.insertRollout({ id: 'r2', endpoint: 'e1', spec, status: status('Progressing') });
    assert.equal(store.latestRollout('e1')!.id, 'r2');
    assert.deepEqual(store.listRollouts().map((r) => r.id), ['r2', 'r1']);
    assert.deepEqual(store.listRollouts({ active: true }).map((r) => r.id), ['r2']);
    const updated = store.updateRolloutStatus('r2', { ...status('Paused'), bake_ms: 1234 });
    assert.equal(updated.status.bake_ms, 1234);
    assert.deepEqual(store.listRollouts({ active: true }).map((r) => r.status.state), ['Paused']);
    assert.deepEqual(store.getRolloutById('r2')!.spec, spec);
  });

  it('refuses a rollout of a missing endpoint and deletes rollouts with their endpoint', () => {
    assert.throws(() => store.insertRollout({ id: 'r3', endpoint: 'nope', spec, status: status('Progressing') }), (e: any) => e.code === 'EndpointNotFound');
    assert.throws(() => store.updateRolloutStatus('nope', status('Paused')), (e: any) => e.code === 'RolloutNotFound');
    store.deleteEndpoint('e1');
    assert.equal(store.latestRollout('e1'), undefined);
    assert.deepEqual(store.listRollouts(), []);
  });
});
