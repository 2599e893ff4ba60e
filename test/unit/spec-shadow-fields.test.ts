// The shadow extensions of the endpoint spec (spec/endpoint-input.ts, spec/shadow-traffic.ts):
// shadow_traffic, sticky_header, shadow_compare through create and update, with Azure's rules intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEndpointPatch, normaliseEndpointInput } from '../../src/spec/endpoint-input.js';
import { buildSnapshot } from '../../src/control/snapshot-builder.js';

const base = () => normaliseEndpointInput({ name: 'ep1' });
const deps = ['blue', 'green', 'purple'];

test('shadow_traffic: any number, 0..100, live deployments allowed; zeros dropped; empty removes the field', () => {
  let s = applyEndpointPatch(base(), { traffic: { blue: 100 }, shadow_traffic: { green: 100, purple: 20, blue: 30 } }, deps);
  assert.deepEqual(s.shadow_traffic, { green: 100, purple: 20, blue: 30 });
  s = applyEndpointPatch(s, { shadow_traffic: { green: 0 } }, deps);
  assert.equal(s.shadow_traffic, undefined);
  assert.throws(() => applyEndpointPatch(base(), { shadow_traffic: { nope: 10 } }, deps), (e: Error & { code?: string }) => e.code === 'TrafficUnknownDeployment');
  assert.throws(() => applyEndpointPatch(base(), { shadow_traffic: { green: 101 } }, deps));
  assert.throws(() => normaliseEndpointInput({ name: 'ep1', shadow_traffic: { green: 10 } }), /does not exist/);
  assert.deepEqual(normaliseEndpointInput({ name: 'ep1', shadow_traffic: { green: 0 } }).shadow_traffic, undefined);
});

test('Azure\'s mirror rules are unchanged; a deployment cannot be both mirrored and shadowed', () => {
  assert.throws(() => applyEndpointPatch(base(), { mirror_traffic: { green: 60 } }, deps), /at most 50/);
  const s = applyEndpointPatch(base(), { traffic: { blue: 100 }, shadow_traffic: { green: 50 } }, deps);
  assert.throws(() => applyEndpointPatch(s, { mirror_traffic: { green: 10 } }, deps), /both mirror_traffic/);
  assert.throws(() => applyEndpointPatch(base(), { mirror_traffic: { purple: 10 }, shadow_traffic: { purple: 10 } }, deps), /both mirror_traffic/);
});

test('sticky_header: a header name, lower-cased; "" turns it off; reserved names refused', () => {
  let s = applyEndpointPatch(base(), { sticky_header: 'X-User-Id' }, deps);
  assert.equal(s.sticky_header, 'x-user-id');
  s = applyEndpointPatch(s, { sticky_header: '' }, deps);
  assert.equal(s.sticky_header, undefined);
  assert.throws(() => applyEndpointPatch(base(), { sticky_header: 'Authorization' }, deps), /own meaning/);
  assert.throws(() => applyEndpointPatch(base(), { sticky_header: 'bad header' }, deps));
  assert.equal(normaliseEndpointInput({ name: 'ep1', sticky_header: 'x-tenant' }).sticky_header, 'x-tenant');
});

test('shadow_compare: non-negative tolerances, no other keys', () => {
  assert.deepEqual(applyEndpointPatch(base(), { shadow_compare: { abs_tolerance: 0.01 } }, deps).shadow_compare, { abs_tolerance: 0.01 });
  assert.throws(() => applyEndpointPatch(base(), { shadow_compare: { abs_tolerance: -1 } }, deps));
  assert.throws(() => applyEndpointPatch(base(), { shadow_compare: { tolerance: 1 } }, deps));
});

test('the routing snapshot carries shadows and the sticky header', () => {
  const spec = applyEndpointPatch(base(), { traffic: { blue: 100 }, mirror_traffic: { green: 10 }, shadow_traffic: { purple: 20 }, sticky_header: 'x-user-id' }, deps);
  const rec = (name: string) => ({ spec: { name, endpoint_name: 'ep1', request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1 }, instance_count: 1, environment: {} }, provisioning_state: 'Succeeded' });
  const snap = buildSnapshot({
    version: 1,
    endpoints: [{ spec, provisioning_state: 'Succeeded', keys: { primaryKey: 'a', secondaryKey: 'b' }, token_secret: 'x' } as never],
    deployments: deps.map(rec) as never,
    instances: () => [],
  });
  const ep = snap.endpoints.ep1!;
  assert.deepEqual(ep.mirror, { deployment: 'green', percent: 10 });
  assert.deepEqual(ep.shadows, [{ deployment: 'purple', percent: 20 }]);
  assert.equal(ep.stickyHeader, 'x-user-id');
});
