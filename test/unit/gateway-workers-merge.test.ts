// Several gateway workers: each worker's share of a snapshot, the merge of their metrics and rollout
// figures, the rollout window over merged figures, and the worker-count setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareOf } from '../../src/gateway/gateway-workers.js';
import { mergeFigures, mergeSummaries } from '../../src/gateway/worker-merge.js';
import { gateWindow } from '../../src/control/rollout-window.js';
import { gatewayWorkersFromEnv, parseGatewayWorkers } from '../../src/gateway/settings.js';
import type { RoutingSnapshot } from '../../src/gateway/snapshot.js';
import type { DeploymentSummary } from '../../src/gateway/metrics.js';
import type { EndpointFigures } from '../../src/gateway/rollout-figures.js';

const dep = (name: string, maxConcurrentPerInstance: number) => ({
  name, requestTimeoutMs: 1000, maxConcurrentPerInstance, instanceCount: 1, instances: [{ name: `${name}-0`, url: 'http://127.0.0.1:1' }], scorePath: '/score', swaggerPath: '/swagger.json',
});

test('each worker gets its share of an instance limit, at least 1; the snapshot itself is untouched', () => {
  const s: RoutingSnapshot = { version: 3, endpoints: { e: { name: 'e', authMode: 'key', keyHashes: [], tokenSecret: '', traffic: [{ deployment: 'a', weight: 100 }], mirror: null, deployments: { a: dep('a', 8), b: dep('b', 1), c: dep('c', 5) } } } };
  const two = shareOf(s, 2);
  assert.equal(two.version, 3);
  assert.deepEqual(Object.values(two.endpoints.e!.deployments).map((d) => d.maxConcurrentPerInstance), [4, 1, 2]);
  assert.equal(s.endpoints.e!.deployments.a!.maxConcurrentPerInstance, 8);
  assert.equal(shareOf(s, 1), s);
});

const summary = (requests: number, p99Ms: number | null, ready: number): DeploymentSummary => ({
  requests, byStatus: { 200: requests }, inFlight: 1, queued: 0, readyInstances: ready, p50Ms: p99Ms, p99Ms,
  mirror: { received: 0, sent: 1, dropped: 0, failed: 0, succeeded: 1, inFlight: 0, byStatus: {}, droppedByReason: { busy: 1 } },
});

test('summaries: counts summed, ready instances not, the oldest snapshot version, the slowest percentile', () => {
  const m = mergeSummaries([
    { snapshotVersion: 4, endpoints: { e: { a: summary(10, 2, 3) } }, pairing: { openPairs: 1, capturedBytes: 10, unacked: 0 } },
    { snapshotVersion: 3, endpoints: { e: { a: summary(5, 7, 3), b: summary(1, null, 1) } }, pairing: { openPairs: 2, capturedBytes: 5, unacked: 1 } },
  ]);
  assert.equal(m.workers, 2);
  assert.equal(m.snapshotVersion, 3);
  const a = m.endpoints.e!.a!;
  assert.equal(a.requests, 15);
  assert.deepEqual(a.byStatus, { 200: 15 });
  assert.equal(a.inFlight, 2);
  assert.equal(a.readyInstances, 3);
  assert.equal(a.p99Ms, 7);
  assert.equal(a.mirror.sent, 2);
  assert.deepEqual(a.mirror.droppedByReason, { busy: 2 });
  assert.equal(m.endpoints.e!.b!.requests, 1);
  assert.deepEqual(m.pairing, { openPairs: 3, capturedBytes: 15, unacked: 1 });
});

const fig = (epoch: string, total: number, samples: number[], ok: number): EndpointFigures => ({
  epoch, deployments: { a: { live: { by_status: { 200: ok }, samples_total: total, samples }, mirror: { by_status: {}, samples_total: 0, samples: [] } } },
});

test('figures: a window over merged readings takes exactly the samples each worker added', () => {
  // Worker 1 adds two samples between the readings, worker 2 none.
  const before = mergeFigures([fig('w1', 3, [1, 2, 3], 3), fig('w2', 2, [10, 20], 2)]);
  const now = mergeFigures([fig('w1', 5, [2, 3, 4, 5], 5), fig('w2', 2, [10, 20], 2)]);
  assert.equal(now.deployments.a!.live.samples_total, 7);
  assert.deepEqual(now.deployments.a!.live.by_status, { 200: 7 });
  const w = gateWindow(before, now, 'a', [], false);
  assert.notEqual(w, 'reset');
  if (w === 'reset') return;
  assert.equal(w.candidate.requests, 2);
  // The concatenation's last two would be [10, 20]: the parts give the right ones.
  assert.deepEqual(w.candidate.samples, [4, 5]);
  // A restarted worker changes the merged epoch: a new window starts.
  assert.equal(gateWindow(before, mergeFigures([fig('w1', 5, [], 5), fig('w3', 0, [], 0)]), 'a', [], false), 'reset');
});

test('the worker count: 1..64 or auto, 1 when unset, a clear error otherwise', () => {
  assert.equal(parseGatewayWorkers('2', 'SWITCHYARD_GATEWAY_WORKERS'), 2);
  assert.ok(parseGatewayWorkers('auto', 'x') >= 1);
  assert.equal(gatewayWorkersFromEnv({}), 1);
  assert.equal(gatewayWorkersFromEnv({ SWITCHYARD_GATEWAY_WORKERS: ' 4 ' }), 4);
  for (const bad of ['0', '65', '1.5', 'two', '']) {
    assert.throws(() => parseGatewayWorkers(bad, 'SWITCHYARD_GATEWAY_WORKERS'), /SWITCHYARD_GATEWAY_WORKERS must be a whole number from 1 to 64, or auto/);
  }
});
