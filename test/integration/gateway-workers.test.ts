// Several gateway workers on one port (GatewayHost.start({workers: N}), `serve --gateway-workers N`):
// real worker processes forked through node:cluster, real HTTP to a test instance. A snapshot is in force
// once every worker acknowledged it; metrics and figures are the workers' merged; a killed worker is
// replaced on the same port.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { deployment, endpoint, sleep, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

const KEY = 'k-workers';
const HEADERS = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
let gw: RunningGateway;
let blue: TestInstance;
let green: TestInstance;

before(async () => {
  blue = await startTestInstance('workers-blue-0');
  green = await startTestInstance('workers-green-0');
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger(), workers: 2 });
  await gw.publish(snapshot(1, [endpoint('w', {
    keys: [KEY], traffic: { blue: 100 },
    deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 }), deployment('green', { instances: [green], maxConcurrentPerInstance: 8 })],
  })]));
});

after(async () => {
  await gw?.close();
  await Promise.all([blue?.close(), green?.close()]);
});

/** `n` requests over `connections` fresh keep-alive connections; the deployment header of each answer. */
async function score(n: number, connections: number): Promise<string[]> {
  const agent = new Agent({ connections, pipelining: 1 });
  try {
    const one = async (): Promise<string> => {
      const r = await request(`${gw.url}/endpoints/w/score`, { method: 'POST', headers: HEADERS, body: '{}', dispatcher: agent });
      await r.body.text();
      assert.equal(r.statusCode, 200);
      return String(r.headers['azureml-model-deployment']);
    };
    return await Promise.all(Array.from({ length: n }, one));
  } finally {
    await agent.close();
  }
}

const liveCount = (m: unknown, dep: string): number =>
  ((m as { endpoints: Record<string, Record<string, { requests: number }>> }).endpoints.w?.[dep]?.requests ?? 0);

test('two workers answer on one port; metrics and figures are their sums', async () => {
  // At most 8 at once: each worker admits 2 × its share (8 / 2) of the instance's limit, whatever the spread.
  const seen = await score(40, 8);
  assert.deepEqual(new Set(seen), new Set(['blue']));
  const m = (await gw.metricsJson()) as { workers: number; snapshotVersion: number };
  assert.equal(m.workers, 2);
  assert.equal(m.snapshotVersion, 1);
  assert.equal(liveCount(m, 'blue'), 40);
  const text = await gw.metricsText();
  const line = text.split('\n').find((l) => l.startsWith('switchyard_gateway_requests_total{') && l.includes('deployment="blue"') && l.includes('code="200"'));
  assert.ok(line, text);
  assert.equal(Number(line.split(' ').pop()), 40);
  // Ready instances are the same in every worker: not summed.
  assert.match(text, /switchyard_gateway_ready_instances\{endpoint="w",deployment="blue"\} 1\n/);
  const f = await gw.figures('w');
  assert.equal(f.deployments.blue!.live.by_status['200'], 40);
  assert.equal(f.deployments.blue!.live.parts?.length, 2);
  assert.equal(f.deployments.blue!.live.samples_total, 40);
});

test('a snapshot is in force in every worker once publish resolves', async () => {
  const agent = new Agent({ connections: 8 });
  try {
    // Keep-alive connections opened under version 1, spread over the workers...
    const first = await Promise.all(Array.from({ length: 8 }, () => request(`${gw.url}/endpoints/w/score`, { method: 'POST', headers: HEADERS, body: '{}', dispatcher: agent }).then(async (r) => { await r.body.text(); return r.headers['azureml-model-deployment']; })));
    assert.deepEqual(new Set(first), new Set(['blue']));
    await gw.publish(snapshot(2, [endpoint('w', {
      keys: [KEY], traffic: { green: 100 },
      deployments: [deployment('blue', { instances: [blue], maxConcurrentPerInstance: 8 }), deployment('green', { instances: [green], maxConcurrentPerInstance: 8 })],
    })]));
    // ...and new ones: every answer now comes from green.
    const again = await Promise.all(Array.from({ length: 8 }, () => request(`${gw.url}/endpoints/w/score`, { method: 'POST', headers: HEADERS, body: '{}', dispatcher: agent }).then(async (r) => { await r.body.text(); return r.headers['azureml-model-deployment']; })));
    assert.deepEqual(new Set([...again, ...(await score(16, 8))]), new Set(['green']));
    assert.equal(((await gw.metricsJson()) as { snapshotVersion: number }).snapshotVersion, 2);
  } finally {
    await agent.close();
  }
});

test('a killed worker process is replaced on the same port with the last snapshot', async () => {
  const runners = (gw as unknown as { runners: Array<{ ready: Promise<void>; worker: { w: { process: { pid: number; kill(s: string): void } } } | null }> }).runners;
  const victim = runners[0]!;
  await victim.ready;
  const pid = victim.worker!.w.process.pid;
  victim.worker!.w.process.kill('SIGKILL');
  // Calls wait for the successor; it serves version 2 as before.
  const m = (await gw.metricsJson()) as { snapshotVersion: number; workers: number };
  assert.equal(m.workers, 2);
  assert.equal(m.snapshotVersion, 2);
  assert.notEqual(runners[0]!.worker!.w.process.pid, pid);
  let ok = 0;
  for (let i = 0; i < 50 && ok < 20; i++) {
    ok += (await score(10, 10).then((s) => s.filter((d) => d === 'green').length, () => 0));
    if (ok < 20) await sleep(20);
  }
  assert.ok(ok >= 20, 'the port answers after a worker was replaced');
});
