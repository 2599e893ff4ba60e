// Standalone gateways' pure parts: liveness and status, the acknowledgement wait against a real SQLite
// store (shared routing versions), the check of a received snapshot, and the reconnect backoff.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { GatewayFleet, describeLag, gatewayStatus, laggards } from '../../src/control/gateway-fleet.js';
import { checkSnapshot } from '../../src/gateway/snapshot-check.js';
import { backoffDelay } from '../../src/gateway/snapshot-stream.js';
import type { GatewayRecord } from '../../src/store/store.js';

const at = (ms: number) => new Date(ms).toISOString();
const rec = (id: string, acked: number, seenMs: number): GatewayRecord => ({
  id, address: `http://${id}:7071`, software_version: '0.1.0', acked_version: acked, principal: 'edge', registered_at: at(0), last_seen_at: at(seenMs),
});

describe('gateway status', () => {
  it('is InForce at or past the version, Lagging behind it, Disconnected when not heard within the window', () => {
    assert.equal(gatewayStatus(rec('a', 10, 1000), 10, 2000, 5000), 'InForce');
    assert.equal(gatewayStatus(rec('a', 11, 1000), 10, 2000, 5000), 'InForce');
    assert.equal(gatewayStatus(rec('a', 9, 1000), 10, 2000, 5000), 'Lagging');
    assert.equal(gatewayStatus(rec('a', 10, 1000), 10, 7000, 5000), 'Disconnected');
  });

  it('waits only for live gateways behind the version, and names each laggard', () => {
    const all = [rec('a', 10, 1000), rec('b', 9, 1000), rec('dead', 1, -10_000)];
    assert.deepEqual(laggards(all, 10, 2000, 5000).map((g) => g.id), ['b']);
    const msg = describeLag(10, laggards(all, 10, 3000, 5000), 5000, 3000);
    assert.match(msg, /snapshot version 10/);
    assert.match(msg, /by gateway b \(http:\/\/b:7071, serving version 9, last heard 2 s ago\)/);
    assert.match(msg, /within 5\.0 s/);
    assert.doesNotMatch(msg, /dead|\ba \(/);
  });
});

describe('GatewayFleet on a SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sy-fleet-'));
    store = new SqliteStore(join(dir, 'switchyard.db'));
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues the routing versions of another process on the same store', () => {
    const a = store.nextRoutingVersion();
    const other = new SqliteStore(join(dir, 'switchyard.db'));
    try {
      assert.ok(other.nextRoutingVersion() > a);
    } finally {
      other.close();
    }
  });

  it('resolves at once with no gateway, when the acknowledgement arrives, and with the laggards after the timeout', async () => {
    const fleet = new GatewayFleet(store, { liveWithinMs: 10_000, ackTimeoutMs: 200 });
    assert.equal(await fleet.waitForAcks(5), null);
    fleet.report({ id: 'g1', address: 'http://g1', software_version: '0.1.0', acked_version: 4, principal: 'edge' });
    const waiting = fleet.waitForAcks(5, 10_000);
    setTimeout(() => fleet.report({ id: 'g1', address: 'http://g1', software_version: '0.1.0', acked_version: 5, principal: 'edge' }), 20);
    assert.equal(await waiting, null, 'the report wakes the wait (no poll within the timeout)');
    const lag = await fleet.waitForAcks(6);
    assert.ok(lag);
    assert.deepEqual(lag.laggards.map((g) => g.id), ['g1']);
    assert.deepEqual(fleet.list().map((g) => [g.id, g.status, g.routing_version]), [['g1', 'Lagging', 6]]);
    assert.equal(fleet.remove('g1'), true);
    assert.equal(fleet.remove('g1'), false);
    assert.equal(await fleet.waitForAcks(7), null);
  });
});

describe('a received snapshot is checked before it is swapped in', () => {
  const good = () => ({
    version: 3,
    endpoints: {
      e: {
        name: 'e', authMode: 'key', keyHashes: ['ab'], tokenSecret: 'cd', traffic: [{ deployment: 'blue', weight: 100 }], mirror: null,
        deployments: { blue: { name: 'blue', requestTimeoutMs: 5000, maxConcurrentPerInstance: 1, instanceCount: 1, instances: [{ name: 'i', url: 'http://127.0.0.1:1' }], scorePath: '/score', swaggerPath: '/swagger.json' } },
      },
    },
  });
  it('accepts a valid one and names what is wrong in others', () => {
    assert.equal(checkSnapshot(good()), null);
    assert.equal(checkSnapshot({ version: 0, endpoints: {} }), 'version is not a positive whole number');
    const cases: Array<[(s: any) => void, RegExp]> = [
      [(s) => { s.endpoints.e.authMode = 'none'; }, /authMode/],
      [(s) => { s.endpoints.e.traffic[0].weight = 101; }, /traffic\[0\]/],
      [(s) => { s.endpoints.e.deployments.blue.instances[0].url = 'file:///etc/passwd'; }, /instances\[0\]\.url is not http/],
      [(s) => { s.endpoints.e.deployments.blue.scorePath = 'score'; }, /invalid path/],
      [(s) => { s.endpoints.e.keyHashes = 'ab'; }, /credentials/],
    ];
    for (const [spoil, why] of cases) {
      const s = good();
      spoil(s);
      assert.match(checkSnapshot(s) ?? '', why);
    }
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially to the cap, with full jitter', () => {
    const b = { minMs: 200, maxMs: 10_000 };
    assert.equal(backoffDelay(0, b, () => 1), 200);
    assert.equal(backoffDelay(3, b, () => 1), 1600);
    assert.equal(backoffDelay(20, b, () => 1), 10_000);
    assert.equal(backoffDelay(20, b, () => 0), 50);
    assert.equal(backoffDelay(20, b, () => 0.5), 5000);
  });
});
