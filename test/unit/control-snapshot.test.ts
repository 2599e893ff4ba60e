import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot } from '../../src/control/snapshot-builder.js';
import { SnapshotPublisher, snapshotFigures } from '../../src/control/snapshot-publisher.js';
import { hashKey } from '../../src/store/credentials.js';
import { silentLogger } from '../../src/logger.js';
import type { DeploymentRecord, EndpointRecord } from '../../src/store/store.js';
import type { DeploymentSpec, InstanceView, ProvisioningState } from '../../src/spec/types.js';
import type { RoutingSnapshot } from '../../src/gateway/snapshot.js';

const ep = (name: string, over: Partial<EndpointRecord['spec']> = {}, state: ProvisioningState = 'Succeeded'): EndpointRecord => ({
  spec: { name, tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled', ...over },
  provisioning_state: state, keys: { primaryKey: `${name}-k1`, secondaryKey: `${name}-k2` }, token_secret: 'ab',
  generation: 1, created_at: 't', updated_at: 't',
});
const dep = (endpoint: string, name: string, state: ProvisioningState = 'Succeeded', over: Partial<DeploymentSpec> = {}): DeploymentRecord => ({
  spec: {
    name, endpoint_name: endpoint, tags: {}, environment: { registered: false }, environment_variables: {}, instance_count: 2,
    request_settings: { request_timeout_ms: 7000, max_concurrent_requests_per_instance: 3, max_queue_wait_ms: 500 },
    liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
    readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
    scale_settings: { type: 'default' }, extra: {}, ...over,
  },
  provisioning_state: state, conditions: [], error: null, generation: 1, created_at: 't', updated_at: 't',
});
const inst = (name: string, state: InstanceView['state'], url: string | null = `http://127.0.0.1/${name}`): InstanceView =>
  ({ name, state, pid: 1, url, restarts: 0, started_at: 't', revision: 'r' });

describe('buildSnapshot', () => {
  it("carries public_network_access, so the gateway can answer a disabled endpoint from loopback only", () => {
    const s = buildSnapshot({ version: 1, endpoints: [ep('open'), ep('private', { public_network_access: 'disabled' })], deployments: [], instances: () => [] });
    assert.equal(s.endpoints.open!.publicNetworkAccess, 'enabled');
    assert.equal(s.endpoints.private!.publicNetworkAccess, 'disabled');
  });

  it('lists ready instances only, in a stable order, and hashes the keys', () => {
    const s = buildSnapshot({
      version: 5,
      endpoints: [ep('e', { traffic: { blue: 90, green: 10 } })],
      deployments: [dep('e', 'blue'), dep('e', 'green')],
      instances: (_e, d) => d === 'blue'
        ? [inst('b-2', 'Ready'), inst('b-1', 'Ready'), inst('b-3', 'Starting'), inst('b-4', 'Unhealthy'), inst('b-5', 'Ready', null)]
        : [inst('g-1', 'Stopping')],
    });
    assert.equal(s.version, 5);
    const e = s.endpoints.e!;
    assert.deepEqual(e.keyHashes, [hashKey('e-k1'), hashKey('e-k2')]);
    assert.ok(!JSON.stringify(s).includes('e-k1'));
    assert.equal(e.tokenSecret, 'ab');
    assert.deepEqual(e.traffic, [{ deployment: 'blue', weight: 90 }, { deployment: 'green', weight: 10 }]);
    assert.deepEqual(e.deployments.blue!.instances.map((i) => i.name), ['b-1', 'b-2']);
    assert.deepEqual(e.deployments.green!.instances, []);
    assert.deepEqual(e.deployments.blue, {
      name: 'blue', requestTimeoutMs: 7000, maxConcurrentPerInstance: 3, instanceCount: 2,
      instances: [{ name: 'b-1', url: 'http://127.0.0.1/b-1' }, { name: 'b-2', url: 'http://127.0.0.1/b-2' }],
      scorePath: '/score', swaggerPath: '/swagger.json',
    });
  });

  it('leaves out endpoints and deployments being deleted, and traffic pointing at them', () => {
    const s = buildSnapshot({
      version: 1,
      endpoints: [ep('gone', {}, 'Deleting'), ep('e', { traffic: { blue: 100 }, mirror_traffic: { old: 10 } }, 'Updating')],
      deployments: [dep('gone', 'x'), dep('e', 'blue', 'Creating'), dep('e', 'old', 'Deleting')],
      instances: () => [],
    });
    assert.deepEqual(Object.keys(s.endpoints), ['e']);
    assert.deepEqual(Object.keys(s.endpoints.e!.deployments), ['blue']);
    assert.equal(s.endpoints.e!.mirror, null);
    assert.deepEqual(s.endpoints.e!.traffic, [{ deployment: 'blue', weight: 100 }]);
  });

  it('gives each endpoint its own deployments, in store order, however the store interleaves them', () => {
    const s = buildSnapshot({
      version: 1,
      endpoints: [ep('a'), ep('b'), ep('c')],
      deployments: [dep('b', 'b1'), dep('a', 'a1'), dep('b', 'b2'), dep('zz', 'orphan'), dep('a', 'a2'), dep('a', 'a3', 'Deleting')],
      instances: (e, d) => [inst(`${e}-${d}`, 'Ready')],
    });
    assert.deepEqual(Object.fromEntries(Object.entries(s.endpoints).map(([n, e]) => [n, Object.keys(e.deployments)])), { a: ['a1', 'a2'], b: ['b1', 'b2'], c: [] });
    assert.equal(s.endpoints.b!.deployments.b2!.instances[0]!.name, 'b-b2');
  });

  it('carries the mirror, the auth mode and a custom scoring route', () => {
    const s = buildSnapshot({
      version: 2,
      endpoints: [ep('e', { auth_mode: 'aml_token', traffic: { blue: 100 }, mirror_traffic: { green: 10 } })],
      deployments: [dep('e', 'blue'), dep('e', 'green', 'Succeeded', { environment: { registered: false, inference_config: { scoring_route: { port: 8080, path: '/predict' } } } })],
      instances: () => [],
    });
    assert.equal(s.endpoints.e!.authMode, 'aml_token');
    assert.deepEqual(s.endpoints.e!.mirror, { deployment: 'green', percent: 10 });
    assert.equal(s.endpoints.e!.deployments.green!.scorePath, '/predict');
  });

  it('is a plain message (structured-clone safe)', () => {
    const s = buildSnapshot({ version: 1, endpoints: [ep('e')], deployments: [dep('e', 'blue')], instances: () => [inst('a', 'Ready')] });
    assert.deepEqual(structuredClone(s), s);
  });
});

describe('SnapshotPublisher', () => {
  it("states a snapshot's size and counts for the debug log (B5 reads them)", () => {
    const s = buildSnapshot({
      version: 9,
      endpoints: [ep('a', { traffic: { x: 100 } }), ep('b')],
      deployments: [dep('a', 'x'), dep('a', 'y'), dep('b', 'z')],
      instances: (_e, d) => (d === 'x' ? [inst('x-0', 'Ready'), inst('x-1', 'Ready')] : d === 'z' ? [inst('z-0', 'Ready'), inst('z-1', 'Starting')] : []),
    });
    const f = snapshotFigures(s, 1.23456, 0.5);
    assert.deepEqual(f, { version: 9, endpoints: 2, deployments: 3, instances: 3, bytes: Buffer.byteLength(JSON.stringify(s)), buildMs: 1.235, ackMs: 0.5 });
  });

  it('coalesces bursts, increases versions, and resolves publish() after a later snapshot is out', async () => {
    const sent: RoutingSnapshot[] = [];
    let state = 0;
    const p = new SnapshotPublisher((version) => ({ version, endpoints: { [`s${state}`]: {} as any } }),
      { publish: async (s) => { await new Promise((r) => setTimeout(r, 5)); sent.push(s); } }, silentLogger(), 100);
    for (let i = 0; i < 10; i++) p.schedule();
    state = 1;
    await p.publish();
    assert.ok(sent.length <= 2, `burst coalesced into ${sent.length}`);
    assert.deepEqual(Object.keys(sent.at(-1)!.endpoints), ['s1']);
    state = 2;
    const a = p.publish();
    state = 3;
    const b = p.publish();
    await Promise.all([a, b]);
    assert.deepEqual(Object.keys(sent.at(-1)!.endpoints), ['s3']);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.version > sent[i - 1]!.version);
    assert.ok(sent[0]!.version > 100);
    await p.close();
  });

  it('a publish right as a loop ends is not lost', async () => {
    const sent: number[] = [];
    const p = new SnapshotPublisher((version) => ({ version, endpoints: {} }), { publish: async (s) => { sent.push(s.version); } }, silentLogger(), 0);
    for (let i = 0; i < 200; i++) {
      await p.publish();
      void p.publish();
    }
    await p.publish();
    await p.close();
    assert.ok(sent.length >= 200);
  });

  it('keeps going when the gateway fails a publish', async () => {
    let fail = true;
    const sent: number[] = [];
    const p = new SnapshotPublisher((version) => ({ version, endpoints: {} }), {
      publish: async (s) => { if (fail) { fail = false; throw new Error('gateway down'); } sent.push(s.version); },
    }, silentLogger(), 0);
    await p.publish();
    await p.publish();
    assert.equal(sent.length, 1);
    await p.close();
  });
});
