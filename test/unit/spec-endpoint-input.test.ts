import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEndpointPatch, normaliseEndpointInput } from '../../src/spec/endpoint-input.js';
import type { EndpointSpec } from '../../src/spec/types.js';

const fails = (fn: () => unknown, code: string, message?: RegExp) =>
  assert.throws(fn, (e: any) => { assert.equal(e.code, code, e.message); if (message) assert.match(e.message, message); return true; });

describe('normaliseEndpointInput', () => {
  it('applies the defaults of docs/compatibility.md, "Endpoints"', () => {
    assert.deepEqual(normaliseEndpointInput({ name: 'my-endpoint' }), {
      name: 'my-endpoint', tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled',
    });
  });
  it('keeps every accepted field', () => {
    const spec = normaliseEndpointInput({
      $schema: 'https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json',
      name: 'k8s-endpoint', description: 'd', tags: { a: 'b', n: '1' }, auth_mode: 'aml_token',
      compute: 'azureml:k8s-compute', identity: { type: 'system_assigned' }, public_network_access: 'Disabled',
    });
    assert.deepEqual(spec, {
      name: 'k8s-endpoint', description: 'd', tags: { a: 'b', n: '1' }, auth_mode: 'aml_token', traffic: {}, mirror_traffic: {},
      compute: 'azureml:k8s-compute', identity: { type: 'system_assigned' }, public_network_access: 'disabled',
    });
  });
  it('reads auth_mode case-insensitively', () => {
    for (const [given, mode] of [['Key', 'key'], ['KEY', 'key'], ['AML_Token', 'aml_token']] as const) {
      assert.equal(normaliseEndpointInput({ name: 'abc', auth_mode: given }).auth_mode, mode);
    }
  });
  it('refuses aad_token as cloud-only', () => {
    fails(() => normaliseEndpointInput({ name: 'abc', auth_mode: 'AAD_Token' }), 'AuthModeUnsupported', /cloud-only/);
  });
  it('refuses other auth modes naming the choices', () => {
    fails(() => normaliseEndpointInput({ name: 'abc', auth_mode: 'basic' }), 'InvalidValue', /auth_mode must be one of key, aml_token, got "basic"/);
  });
  it('refuses traffic at create unless empty or all zero', () => {
    assert.deepEqual(normaliseEndpointInput({ name: 'abc', traffic: { blue: 0 }, mirror_traffic: {} }).traffic, {});
    fails(() => normaliseEndpointInput({ name: 'abc', traffic: { blue: 100 } }), 'TrafficNotAllowedAtCreate');
    fails(() => normaliseEndpointInput({ name: 'abc', mirror_traffic: { blue: 10 } }), 'TrafficNotAllowedAtCreate');
  });
  it('refuses unknown keys naming them', () => {
    fails(() => normaliseEndpointInput({ name: 'abc', trafic: {} }), 'UnknownKey', /"trafic"/);
  });
  it('ignores the read-only fields `show` prints', () => {
    const spec = normaliseEndpointInput({ name: 'abc', id: '/x', provisioning_state: 'Succeeded', scoring_uri: 'u', kind: 'Managed', properties: {} });
    assert.equal(spec.name, 'abc');
    assert.equal('id' in spec, false);
  });
  it('refuses wrong types naming the field', () => {
    fails(() => normaliseEndpointInput({ name: 'abc', tags: ['a'] }), 'InvalidValue', /tags must be a map of names to strings/);
    fails(() => normaliseEndpointInput({ name: 'abc', tags: { a: { b: 1 } } }), 'InvalidValue', /tags\.a must be a string/);
    fails(() => normaliseEndpointInput({ name: 'abc', description: 3 }), 'InvalidValue', /description must be a string/);
    fails(() => normaliseEndpointInput({ name: 'abc', public_network_access: 'open' }), 'InvalidValue', /public_network_access/);
    fails(() => normaliseEndpointInput({ name: 'abc', identity: 'x' }), 'InvalidValue', /identity/);
    fails(() => normaliseEndpointInput('abc'), 'InvalidValue');
  });
  it('needs a valid name', () => {
    fails(() => normaliseEndpointInput({}), 'MissingField', /name/);
    fails(() => normaliseEndpointInput({ name: 'x' }), 'InvalidName');
  });
});

describe('applyEndpointPatch', () => {
  const current: EndpointSpec = {
    name: 'my-endpoint', description: 'old', tags: { a: 'b' }, auth_mode: 'key',
    traffic: { blue: 100 }, mirror_traffic: {}, public_network_access: 'enabled',
  };
  const deps = ['blue', 'green'];

  it('keeps what it does not name', () => {
    assert.deepEqual(applyEndpointPatch(current, { description: 'new' }, deps), { ...current, description: 'new' });
    assert.deepEqual(applyEndpointPatch(current, {}, deps), current);
  });
  it('replaces named maps whole and drops zero entries', () => {
    const next = applyEndpointPatch(current, { traffic: { blue: 0, green: 100 }, tags: { c: 'd' } }, deps);
    assert.deepEqual(next.traffic, { green: 100 });
    assert.deepEqual(next.tags, { c: 'd' });
  });
  it('sets and clears the mirror', () => {
    const mirrored = applyEndpointPatch(current, { mirror_traffic: { green: 10 } }, deps);
    assert.deepEqual(mirrored.mirror_traffic, { green: 10 });
    assert.deepEqual(applyEndpointPatch(mirrored, { mirror_traffic: { green: 0 } }, deps).mirror_traffic, {});
  });
  it('re-checks the stored mirror when live traffic changes', () => {
    const mirrored = { ...current, mirror_traffic: { green: 10 } };
    fails(() => applyEndpointPatch(mirrored, { traffic: { blue: 90, green: 10 } }, deps), 'MirrorHasLiveTraffic');
    // both in one patch: move the mirror away and give green live traffic
    const both = applyEndpointPatch(mirrored, { traffic: { blue: 90, green: 10 }, mirror_traffic: {} }, deps);
    assert.deepEqual(both.traffic, { blue: 90, green: 10 });
    assert.deepEqual(both.mirror_traffic, {});
  });
  it('refuses invalid traffic, and does not modify the input spec', () => {
    const copy = structuredClone(current);
    fails(() => applyEndpointPatch(current, { traffic: { blue: 50 } }, deps), 'TrafficSumInvalid');
    fails(() => applyEndpointPatch(current, { traffic: { red: 100 } }, deps), 'TrafficUnknownDeployment');
    fails(() => applyEndpointPatch(current, { mirror_traffic: { green: 60 } }, deps), 'MirrorInvalid');
    applyEndpointPatch(current, { traffic: { green: 100 }, tags: {} }, deps);
    assert.deepEqual(current, copy);
  });
  it('changes auth mode, network access and the description', () => {
    const next = applyEndpointPatch(current, { auth_mode: 'AML_TOKEN', public_network_access: 'disabled', description: 'new' }, deps);
    assert.equal(next.auth_mode, 'aml_token');
    assert.equal(next.public_network_access, 'disabled');
    assert.equal(next.description, 'new');
    fails(() => applyEndpointPatch(current, { description: null }, deps), 'InvalidValue', /description must be a string/);
    fails(() => applyEndpointPatch(current, { auth_mode: 'aad_token' }, deps), 'AuthModeUnsupported');
  });
  it('refuses renaming and unknown keys', () => {
    fails(() => applyEndpointPatch(current, { name: 'other' }, deps), 'InvalidValue', /cannot be changed/);
    assert.equal(applyEndpointPatch(current, { name: 'my-endpoint' }, deps).name, 'my-endpoint');
    fails(() => applyEndpointPatch(current, { mirror: {} }, deps), 'UnknownKey', /"mirror"/);
  });
});

describe('mirror traffic on Kubernetes endpoints', () => {
  it('is refused when the endpoint has compute, as Azure\'s guide says', () => {
    const k8s = normaliseEndpointInput({ name: 'k8s-ep', compute: 'azureml:k8s' });
    assert.throws(() => applyEndpointPatch(k8s, { mirror_traffic: { green: 10 } }, ['blue', 'green']),
      (e: any) => { assert.equal(e.code, 'MirrorInvalid'); assert.match(e.message, /Kubernetes endpoint.*not supported/); return true; });
    assert.deepEqual(applyEndpointPatch(k8s, { traffic: { blue: 100 }, mirror_traffic: { green: 0 } }, ['blue', 'green']).mirror_traffic, {});
  });
});
