// GatewayHost's lifecycle: the worker file resolved from src/ (tsx) and dist/ (compiled), close() letting
// in-flight requests finish, and recovery when the worker dies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayHost, type RunningGateway } from '../../src/gateway/host.js';
import { silentLogger } from '../../src/logger.js';
import { call, client, deployment, endpoint, sleep, snapshot, startTestInstance, type TestInstance } from './gateway-fixtures.js';

const KEY = 'k-host';
const HEADERS = { authorization: `Bearer ${KEY}` };
const instances: TestInstance[] = [];

after(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await client.close();
});

async function gatewayWith(inst: TestInstance, delayMs = 0): Promise<RunningGateway> {
  inst.behaviour.delayMs = delayMs;
  const gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  await gw.publish(snapshot(1, [endpoint('h', { keys: [KEY], traffic: { blue: 100 }, deployments: [deployment('blue', { instances: [inst], maxConcurrentPerInstance: 4 })] })]));
  return gw;
}

test('close() stops accepting but lets in-flight requests finish', async () => {
  const inst = await startTestInstance('host-close-0');
  instances.push(inst);
  const gw = await gatewayWith(inst, 400);
  const inFlight = call(`${gw.url}/endpoints/h/score`, { headers: HEADERS });
  await sleep(100);
  const t0 = Date.now();
  await gw.close();
  const r = await inFlight;
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 200, 'close waited for the request');
  await assert.rejects(call(`${gw.url}/endpoints/h/score`, { headers: HEADERS }));
});

test('a dead worker is replaced on the same port and gets the last snapshot back', async () => {
  const inst = await startTestInstance('host-crash-0');
  instances.push(inst);
  const gw = await gatewayWith(inst);
  try {
    assert.equal((await call(`${gw.url}/endpoints/h/score`, { headers: HEADERS })).status, 200);
    // The worker dies as a crash would: the test ends its thread from outside (no hook in production code).
    const host = gw as unknown as { ready: Promise<void>; worker: { terminate(): Promise<number> } | null };
    await host.ready;
    await host.worker!.terminate();
    // Calls made during the restart wait for the new worker.
    const m = (await gw.metricsJson()) as { snapshotVersion: number };
    assert.equal(m.snapshotVersion, 1);
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await call(`${gw.url}/endpoints/h/score`, { headers: HEADERS }).then((r) => r.status, () => 0);
      if (status !== 200) await sleep(20);
    }
    assert.equal(status, 200);
    await gw.publish(snapshot(2, []));
    assert.equal((await call(`${gw.url}/endpoints/h/score`, { headers: HEADERS })).status, 404);
  } finally {
    await gw.close();
  }
});

test('the compiled worker starts from dist/ without tsx (when dist/ is built)', { skip: !existsSync(fileURLToPath(new URL('../../dist/gateway/host.js', import.meta.url))) }, async () => {
  const host = new URL('../../dist/gateway/host.js', import.meta.url).href;
  const logger = new URL('../../dist/logger.js', import.meta.url).href;
  const script = `
    const { GatewayHost } = await import(${JSON.stringify(host)});
    const { silentLogger } = await import(${JSON.stringify(logger)});
    const gw = await GatewayHost.start({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    await gw.publish({ version: 1, endpoints: {} });
    const r = await fetch(gw.url + '/healthz');
    console.log(r.status);
    await gw.close();`;
  // A plain .mjs file run by a plain node: no tsx anywhere, as the bench and `switchyard serve` run it.
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-gw-dist-'));
  const file = join(dir, 'start.mjs');
  writeFileSync(file, script);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [file], { timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.equal(out.trim(), '200');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
