// Self-measurement, not a gate (timings never gate a test): prints the gateway's added latency over
// calling a test instance directly, its throughput next to the direct one, and live p99 with a
// 100×-slower shadow mirrored at 50% next to no mirror. Only gross regressions fail (10× budgets).
// Test instances run in a child process (gateway-instance-process.ts) so they do not share the load
// generator's event loop. Set SWITCHYARD_PERF_N to change the number of requests per phase.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { deployment, endpoint, snapshot } from './gateway-fixtures.js';
import { startRemoteInstances, type RemoteInstances } from './gateway-instance-process.js';

const N = Number(process.env.SWITCHYARD_PERF_N ?? 3000);
const KEY = 'perf-key';
const BODY = JSON.stringify({ data: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] });
let gw: RunningGateway;
let remote: RemoteInstances;
let fast: string, live2ms: string, shadow200ms: string;
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

before(async () => {
  remote = await startRemoteInstances([
    { name: 'perf-fast-0', behaviour: { fixedBody: '{"result":[1]}' } },
    { name: 'perf-live-0', behaviour: { delayMs: 2, fixedBody: '{"result":[1]}' } },
    { name: 'perf-shadow-0', behaviour: { delayMs: 200, fixedBody: '{"result":[2]}' } },
  ]);
  fast = remote.urls['perf-fast-0']!;
  live2ms = remote.urls['perf-live-0']!;
  shadow200ms = remote.urls['perf-shadow-0']!;
  gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  await gw.publish(snapshot(1, [
    endpoint('perf', { keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [fast], maxConcurrentPerInstance: 64 })] }),
    endpoint('nomirror', { keys: [KEY], traffic: { blue: 100 }, deployments: [
      deployment('blue', { instances: [live2ms], maxConcurrentPerInstance: 64 }),
      deployment('green', { instances: [shadow200ms], maxConcurrentPerInstance: 4 }),
    ] }),
    endpoint('mirror', { keys: [KEY], traffic: { blue: 100 }, mirror: { deployment: 'green', percent: 50 }, deployments: [
      deployment('blue', { instances: [live2ms], maxConcurrentPerInstance: 64 }),
      deployment('green', { instances: [shadow200ms], maxConcurrentPerInstance: 4 }),
    ] }),
  ]));
});

after(async () => {
  await gw?.close();
  await remote?.close();
  await agent.close();
});

async function one(url: string): Promise<number> {
  const t0 = performance.now();
  const r = await request(url, { method: 'POST', body: BODY, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, dispatcher: agent });
  await r.body.dump();
  if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  return performance.now() - t0;
}

/** n requests, `concurrency` at once; returns sorted latencies (ms) and the wall time. */
async function run(url: string, n: number, concurrency: number): Promise<{ lat: number[]; wallMs: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = Date.now() + 120_000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n && Date.now() < deadline) {
      next++;
      lat.push(await one(url));
    }
  }));
  return { lat: lat.sort((a, b) => a - b), wallMs: performance.now() - t0 };
}

const q = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const f = (x: number): string => x.toFixed(3);

test('added latency over calling the instance directly (sequential)', async (t) => {
  const direct = `${fast}/score`;
  const via = `${gw.url}/endpoints/perf/score`;
  await run(direct, 300, 1);
  await run(via, 300, 1); // warm-up: JIT, connections
  const d: number[] = [];
  const g: number[] = [];
  // Interleaved batches so drift (GC, CPU frequency) hits both sides alike.
  for (let b = 0; b < 10; b++) {
    d.push(...(await run(direct, N / 10, 1)).lat);
    g.push(...(await run(via, N / 10, 1)).lat);
  }
  d.sort((a, b) => a - b);
  g.sort((a, b) => a - b);
  const line = `sequential ${N}: direct p50 ${f(q(d, 0.5))} p99 ${f(q(d, 0.99))} ms | gateway p50 ${f(q(g, 0.5))} p99 ${f(q(g, 0.99))} ms | added p50 ${f(q(g, 0.5) - q(d, 0.5))} p99 ${f(q(g, 0.99) - q(d, 0.99))} ms`;
  t.diagnostic(line);
  console.log(`# perf: ${line}`);
  assert.ok(q(g, 0.5) - q(d, 0.5) < 3, 'added p50 under 10× its budget');
});

test('throughput at concurrency 32, direct vs gateway', async (t) => {
  const direct = await run(`${fast}/score`, N, 32);
  const via = await run(`${gw.url}/endpoints/perf/score`, N, 32);
  const rps = (r: { lat: number[]; wallMs: number }) => (r.lat.length / r.wallMs) * 1000;
  const line = `concurrency 32, ${N} req: direct ${rps(direct).toFixed(0)} req/s p99 ${f(q(direct.lat, 0.99))} ms | gateway ${rps(via).toFixed(0)} req/s p99 ${f(q(via.lat, 0.99))} ms`;
  t.diagnostic(line);
  console.log(`# perf: ${line}`);
  assert.equal(via.lat.length, N);
});

test('live p99 with a 100×-slower shadow mirrored at 50% vs no mirror', async (t) => {
  const n = Math.max(500, Math.floor(N / 2));
  await run(`${gw.url}/endpoints/nomirror/score`, 200, 8);
  const results: Record<string, number[]> = { nomirror: [], mirror: [] };
  for (let b = 0; b < 4; b++) {
    for (const ep of ['nomirror', 'mirror'] as const) results[ep]!.push(...(await run(`${gw.url}/endpoints/${ep}/score`, n / 4, 8)).lat);
  }
  const nm = results.nomirror!.sort((a, b) => a - b);
  const m = results.mirror!.sort((a, b) => a - b);
  const json = (await gw.metricsJson()) as { endpoints: Record<string, Record<string, { mirror: { sent: number; dropped: number } }>> };
  const copies = json.endpoints.mirror!.green!.mirror;
  const line = `live 2 ms, shadow 200 ms at 50%, concurrency 8, ${n} req each: no mirror p50 ${f(q(nm, 0.5))} p99 ${f(q(nm, 0.99))} ms | mirror p50 ${f(q(m, 0.5))} p99 ${f(q(m, 0.99))} ms (p99 ratio ${(q(m, 0.99) / q(nm, 0.99)).toFixed(3)}; copies sent ${copies.sent}, dropped ${copies.dropped})`;
  t.diagnostic(line);
  console.log(`# perf: ${line}`);
  assert.ok(q(m, 0.99) < q(nm, 0.99) * 2 + 5, 'mirror does not blow up live p99');
});
