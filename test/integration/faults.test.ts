// Faults: a real `switchyard serve` killed with SIGKILL during a deployment create and during a rolling
// update, then restarted on the same data dir (the deployment must converge, and no instance process
// of the killed server may survive); an instance killed under closed-loop load (only requests in flight
// on it may fail; it is replaced); SIGTERM with requests in flight (they complete with 200); a scoring
// script that hangs (408 at request_timeout_ms), one that prints megabytes (logs rotated within their
// bound) and one that leaks memory under resources.limits.memory (the instance dies and is restarted).
// Every wait is bounded; every process started is stopped in `after`, even on failure.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  deploymentBody, instancePids, processAlive, raw, removeDir, startServe, tempDir, until, uploadFolder, waitOperation,
  type ServerProcess,
} from './resilience-harness.js';

const SCORE_PY = `import json, os, sys, time
leak = []
def init():
    global greeting
    greeting = os.environ.get("GREETING", "hello")
    time.sleep(float(os.environ.get("INIT_SLEEP", "0")))
def run(raw_data):
    if raw_data == "sleep":
        time.sleep(1.0)
    elif raw_data == "hang":
        while True:
            time.sleep(3600)
    elif raw_data.startswith("spam:"):
        for i in range(int(raw_data[5:])):
            print("spam line %06d %s" % (i, "y" * 100))
    elif raw_data == "leak":
        leak.append(bytearray(40 * 1024 * 1024))
        return {"held_mb": 40 * len(leak)}
    return {"greeting": greeting, "pid": os.getpid()}
`;

const servers: ServerProcess[] = [];
const dirs: string[] = [];
const seenPids = new Set<number>();

after(async () => {
  for (const s of servers) await s.stop(10_000).catch(() => undefined);
  // Anything an instance left behind (a test failed half-way): stop it.
  for (const pid of seenPids) if (processAlive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const d of dirs) removeDir(d);
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const s = await startServe(dataDir, env);
  servers.push(s);
  return s;
}

/** Every process below `root` (children, grandchildren ...), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) { out.push(c); queue.push(c); }
  }
  return out;
}

async function deployment(s: ServerProcess, e: string, d: string): Promise<any> {
  return (await s.api('GET', `/api/v1/endpoints/${e}/deployments/${d}`)).body;
}

/** Polls until the deployment is no longer Creating/Updating; answers it and the time it took. */
async function converge(s: ServerProcess, e: string, d: string, boundMs: number): Promise<{ view: any; ms: number }> {
  const t0 = Date.now();
  const view = await until(`${e}/${d} converges`, async () => {
    const v = await deployment(s, e, d);
    return v?.provisioning_state === 'Succeeded' || v?.provisioning_state === 'Failed' ? v : undefined;
  }, boundMs, 200);
  return { view, ms: Date.now() - t0 };
}

/** Waits until the gateway counts `n` requests in flight for the deployment (its metrics), at most 20 s. */
async function untilInFlight(s: ServerProcess, endpoint: string, deployment: string, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await s.api('GET', `/api/v1/endpoints/${endpoint}/deployments/${deployment}/metrics`);
    if (r.status === 200 && Number(r.body?.inFlight ?? 0) >= n) return;
    if (Date.now() > deadline) assert.fail(`the gateway never had ${n} requests in flight for ${deployment}: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function score(s: ServerProcess, e: string, key: string, body: string, deploymentName?: string, timeoutMs = 30_000) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'text/plain' };
  if (deploymentName) headers['azureml-model-deployment'] = deploymentName;
  return raw(`${s.gatewayUrl}/endpoints/${e}/score`, { method: 'POST', headers, body, timeoutMs });
}

/** Waits until no pid of the list is alive; answers the survivors after the grace. */
async function survivorsAfter(pids: number[], graceMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(processAlive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(processAlive);
}

describe('faults', { timeout: 170_000 }, () => {
  it('kill -9 of the server during a create and during a rolling update; an instance killed under load; SIGTERM with requests in flight', async () => {
    const work = tempDir('sy-faults-');
    dirs.push(work);
    const dataDir = join(work, 'data');
    const E = 'ft-ep';

    // 1. kill -9 while `blue` (2 instances, init takes 1.5 s) is being created.
    let s = await start(dataDir);
    const code = await uploadFolder(s, { 'score.py': SCORE_PY });
    const ep = await s.api('POST', '/api/v1/endpoints', { name: E });
    assert.equal(ep.status, 202, ep.text);
    assert.equal((await waitOperation(s, ep.body.operation.id, 30)).status, 'Succeeded');
    const body = deploymentBody('blue', code, { instance_count: 2, environment_variables: { INIT_SLEEP: '1.5', GREETING: 'v1' } });
    const created = await s.api('POST', `/api/v1/endpoints/${E}/deployments`, body);
    assert.equal(created.status, 202, created.text);
    await until('an instance process of blue', async () => (await instancePids(s, E, 'blue')).length > 0, 20_000, 50);
    assert.equal((await deployment(s, E, 'blue')).provisioning_state, 'Creating', 'the create should still be running when the server is killed');
    let before = [...new Set([...(await instancePids(s, E, 'blue')), ...descendants(s.pid)])];
    before.forEach((p) => seenPids.add(p));
    await s.kill9();
    s = await start(dataDir);
    const afterCreate = await converge(s, E, 'blue', 60_000);
    const orphansCreate = await survivorsAfter(before, 5_000);
    console.log(`kill -9 during create: ${before.length} processes of the killed server; converged to ${afterCreate.view.provisioning_state} in ${afterCreate.ms} ms after the restart; survivors ${orphansCreate.length}`);
    assert.deepEqual(orphansCreate, [], 'instance processes of the killed server still run');
    assert.equal(afterCreate.view.provisioning_state, 'Succeeded', JSON.stringify(afterCreate.view.error ?? afterCreate.view.conditions));
    assert.equal((await s.api('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 100 } })).status, 202);
    const key = (await s.api('POST', `/api/v1/endpoints/${E}/list-keys`)).body.primaryKey as string;
    const first = await score(s, E, key, 'ping');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.greeting, 'v1');

    // 2. kill -9 in the middle of a rolling update (a new variable: new instances replace the old).
    const oldRevision = (await deployment(s, E, 'blue')).instances[0].revision;
    const updated = await s.api('PATCH', `/api/v1/endpoints/${E}/deployments/blue`, { environment_variables: { INIT_SLEEP: '1.5', GREETING: 'v2' } });
    assert.equal(updated.status, 202, updated.text);
    await until('a new-revision instance of blue', async () =>
      ((await deployment(s, E, 'blue')).instances as any[]).some((i) => i.revision !== oldRevision && i.pid), 20_000, 50);
    assert.equal((await deployment(s, E, 'blue')).provisioning_state, 'Updating', 'the update should still be running when the server is killed');
    before = [...new Set([...(await instancePids(s, E, 'blue')), ...descendants(s.pid)])];
    before.forEach((p) => seenPids.add(p));
    await s.kill9();
    s = await start(dataDir);
    const afterUpdate = await converge(s, E, 'blue', 60_000);
    const orphansUpdate = await survivorsAfter(before, 5_000);
    console.log(`kill -9 during a rolling update: ${before.length} processes of the killed server; converged to ${afterUpdate.view.provisioning_state} in ${afterUpdate.ms} ms after the restart; survivors ${orphansUpdate.length}`);
    assert.deepEqual(orphansUpdate, [], 'instance processes of the killed server still run');
    assert.equal(afterUpdate.view.provisioning_state, 'Succeeded', JSON.stringify(afterUpdate.view.error ?? afterUpdate.view.conditions));
    await until('two Ready instances of blue', async () =>
      ((await deployment(s, E, 'blue')).instances as any[]).filter((i) => i.state === 'Ready').length === 2, 30_000);
    const second = await score(s, E, key, 'ping');
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.greeting, 'v2', 'the update is in force after the restart');

    // 3. kill -9 of one of the two instances under closed-loop load (3 clients).
    const view = await deployment(s, E, 'blue');
    const victim = (view.instances as any[]).find((i) => i.state === 'Ready');
    const restartsBefore = (view.instances as any[]).reduce((n, i) => n + i.restarts, 0);
    (view.instances as any[]).forEach((i) => seenPids.add(i.pid));
    let stop = false;
    let ok = 0;
    const failed: string[] = [];
    const loadUntil = Date.now() + 40_000;
    const clients = Array.from({ length: 3 }, async () => {
      while (!stop && Date.now() < loadUntil) {
        try {
          const r = await score(s, E, key, 'ping', undefined, 10_000);
          if (r.status === 200) ok++; else failed.push(`${r.status} ${r.text.slice(0, 120)}`);
        } catch (e) {
          failed.push((e as Error).message);
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    const replaced = await until('the killed instance is replaced and Ready', async () => {
      const v = await deployment(s, E, 'blue');
      const inst = v.instances as any[];
      const restarts = inst.reduce((n, i) => n + i.restarts, 0);
      return restarts > restartsBefore && inst.filter((i) => i.state === 'Ready').length === 2 && !inst.some((i) => i.pid === victim.pid) ? Date.now() : undefined;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(clients);
    console.log(`instance kill under load: ${ok} ok, ${failed.length} failed (${failed.slice(0, 5).join(' | ')}); replaced and Ready in ${replaced - killedAt} ms`);
    assert.ok(failed.length <= 3, `only requests in flight on the killed instance may fail; failed: ${failed.join(' | ')}`);
    assert.ok(ok > 20, `the load kept going (${ok} ok)`);

    // 4. SIGTERM with three 1-second requests in flight: all complete with 200 before the exit.
    const pids = await instancePids(s, E, 'blue');
    pids.forEach((p) => seenPids.add(p));
    const inFlight = Array.from({ length: 3 }, () => score(s, E, key, 'sleep', undefined, 20_000).catch((e: Error) => ({ status: -1, text: e.message })));
    // SIGTERM once the gateway has admitted all three (its own in-flight count), not after a guessed delay.
    await untilInFlight(s, E, 'blue', 3);
    const t0 = Date.now();
    const exit = s.stop(30_000);
    const answers = await Promise.all(inFlight);
    const code_ = await exit;
    console.log(`SIGTERM with 3 requests in flight: statuses ${answers.map((a) => a.status).join(',')}; exit ${code_} after ${Date.now() - t0} ms`);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200], answers.map((a) => a.text).join(' | '));
    assert.equal(code_, 0);
    assert.deepEqual(await survivorsAfter(pids, 3000), [], 'instances outlived the server');
  });

  it('hanging, log-flooding and memory-leaking scoring scripts', async () => {
    const work = tempDir('sy-faults-scripts-');
    dirs.push(work);
    const dataDir = join(work, 'data');
    const LOG_MAX = 256 * 1024;
    const s = await start(dataDir, { SWITCHYARD_LOG_MAX_BYTES: String(LOG_MAX), SWITCHYARD_LOG_FILES: '2' });
    const code = await uploadFolder(s, { 'score.py': SCORE_PY });
    const specs: Record<string, Record<string, unknown>> = {
      'ft-hang': { request_settings: { request_timeout_ms: 1000 } },
      'ft-noisy': {},
      'ft-leaky': { resources: { limits: { memory: '300Mi' } } },
    };
    // Refused quantity first (nothing created), then the three endpoints in parallel.
    const bad = await s.api('POST', '/api/v1/endpoints', { name: 'ft-bad' });
    assert.equal(bad.status, 202);
    const badDep = await s.api('POST', '/api/v1/endpoints/ft-bad/deployments', deploymentBody('main', code, { resources: { limits: { memory: 'lots' } } }));
    assert.equal(badDep.status, 400, badDep.text);
    assert.match(badDep.body.error.message, /resources\.limits\.memory/);
    const keys: Record<string, string> = {};
    await Promise.all(Object.entries(specs).map(async ([e, extra]) => {
      const r = await s.api('POST', '/api/v1/endpoints', { name: e });
      assert.equal(r.status, 202, r.text);
      await waitOperation(s, r.body.operation.id, 30);
      const d = await s.api('POST', `/api/v1/endpoints/${e}/deployments`, deploymentBody('main', code, extra));
      assert.equal(d.status, 202, d.text);
      const op = await waitOperation(s, d.body.operation.id, 60);
      assert.equal(op.status, 'Succeeded', JSON.stringify(op));
      assert.equal((await s.api('PATCH', `/api/v1/endpoints/${e}`, { traffic: { main: 100 } })).status, 202);
      keys[e] = (await s.api('POST', `/api/v1/endpoints/${e}/list-keys`)).body.primaryKey;
      (await instancePids(s, e, 'main')).forEach((p) => seenPids.add(p));
    }));

    // Hangs forever: 408 at request_timeout_ms (1 s), the server stays healthy.
    const t0 = Date.now();
    const hung = await score(s, 'ft-hang', keys['ft-hang']!, 'hang', undefined, 15_000);
    const hungMs = Date.now() - t0;
    console.log(`hanging run(): ${hung.status} after ${hungMs} ms`);
    // The 408 itself is the gateway's timeout (the client would wait 15 s); no wall-clock bound on a shared machine.
    assert.equal(hung.status, 408, hung.text);
    assert.ok(await s.healthy());
    assert.equal((await s.api('GET', '/api/v1/endpoints')).status, 200);

    // Prints ~4.8 MB: the log files stay within SWITCHYARD_LOG_MAX_BYTES × SWITCHYARD_LOG_FILES.
    const spam = await score(s, 'ft-noisy', keys['ft-noisy']!, 'spam:40000', undefined, 60_000);
    assert.equal(spam.status, 200, spam.text);
    const logDir = join(dataDir, 'logs', 'ft-noisy', 'main');
    const lastLine = await until('the last spam line in the log', async () => {
      const logs = await s.api('GET', '/api/v1/endpoints/ft-noisy/deployments/main/logs?lines=5');
      return logs.text.includes('spam line 039999') ? logs.text : undefined;
    }, 20_000, 200);
    assert.ok(lastLine);
    const files = readdirSync(logDir).map((f) => ({ f, size: statSync(join(logDir, f)).size }));
    const byLog = new Map<string, number>();
    for (const { f } of files) byLog.set(f.replace(/\.log(\.\d+)?$/, ''), (byLog.get(f.replace(/\.log(\.\d+)?$/, '')) ?? 0) + 1);
    console.log(`log flood: ${files.map(({ f, size }) => `${f}=${size}`).join(' ')}`);
    for (const { f, size } of files) assert.ok(size <= LOG_MAX, `${f} has ${size} bytes (bound ${LOG_MAX})`);
    for (const [name, n] of byLog) assert.ok(n <= 2, `${name} has ${n} files (bound 2)`);
    assert.ok(await s.healthy());

    // Leaks 40 MB per request under a 300Mi limit: the instance dies, is restarted, and serves again.
    const leakyBefore = (await deployment(s, 'ft-leaky', 'main')).instances[0];
    const statuses: number[] = [];
    for (let i = 0; i < 20 && !statuses.some((st) => st !== 200); i++) {
      statuses.push((await score(s, 'ft-leaky', keys['ft-leaky']!, 'leak', undefined, 15_000).catch(() => ({ status: -1 }))).status);
    }
    const restarted = await until('the leaking instance restarted and Ready', async () => {
      const inst = (await deployment(s, 'ft-leaky', 'main')).instances as any[];
      return inst.length === 1 && inst[0].state === 'Ready' && inst[0].restarts > leakyBefore.restarts ? inst[0] : undefined;
    }, 30_000, 200);
    seenPids.add(restarted.pid);
    const afterLeak = await score(s, 'ft-leaky', keys['ft-leaky']!, 'ping');
    console.log(`memory leak: statuses ${statuses.join(',')}; restarts ${leakyBefore.restarts} → ${restarted.restarts}; pid ${leakyBefore.pid} → ${restarted.pid}; then ${afterLeak.status}`);
    assert.equal(statuses.at(-1) !== 200, true, 'the limit was reached within 20 requests');
    assert.equal(afterLeak.status, 200, afterLeak.text);
    assert.ok(await s.healthy());
    assert.equal(s.child.exitCode, null);
  });
});
