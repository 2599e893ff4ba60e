// LocalBackend lifecycle with real processes: restart after kill -9, scale up and down, rolling
// updates (and a failed one that leaves the old revision serving), hung instances, shutdown without
// leftovers, and recovery after the server itself was killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PidRecords, processStartTime } from '../../src/runtime/local/pid-records.js';
import { alive, fixtures, groupMembers, jsModel, makeBackend, score, template, waitFor, type Harness } from './runtime-harness.js';

const echo = (over: Parameters<typeof template>[0] = {}) => template({ fixture: 'echo', environment: { registered: false }, ...over });

describe('LocalBackend lifecycle', () => {
  let h: Harness;
  before(() => {
    h = makeBackend({ backoff: { baseMs: 50, factor: 2, maxMs: 1000 } });
  });
  after(async () => h.close());

  it('restarts an instance killed with SIGKILL and serves again', async () => {
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'crash' })), { ok: true });
    const [first] = h.backend.instances('ep1', 'crash');
    process.kill(first!.pid!, 'SIGKILL');
    const again = await waitFor('a restarted Ready instance', () => {
      const [i] = h.backend.instances('ep1', 'crash');
      return i && i.state === 'Ready' && i.pid !== first!.pid ? i : undefined;
    });
    assert.equal(again.name, first!.name);
    assert.equal(again.restarts, 1);
    assert.equal(alive(first!.pid!), false);
    assert.equal((await score(again.url!, 'after restart')).status, 200);
    const logs = await h.backend.readLogs('ep1', 'crash', { container: 'inference-server', lines: 50 });
    assert.match(logs, /\[crash-0\] switchyard: crash-0: process \d+ was killed by SIGKILL/);
    assert.match(logs, /restarting in 50 ms/);
  });

  it('scales 1 → 3 → 1, draining the instances it removes', async () => {
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'scale' })), { ok: true });
    const [original] = h.backend.instances('ep1', 'scale');
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'scale', instanceCount: 3 })), { ok: true });
    const three = h.backend.instances('ep1', 'scale');
    assert.deepEqual(three.map((i) => i.name).sort(), ['scale-0', 'scale-1', 'scale-2']);
    assert.ok(three.every((i) => i.state === 'Ready'));
    assert.equal(new Set(three.map((i) => i.url)).size, 3);
    assert.equal(three.find((i) => i.name === 'scale-0')?.pid, original!.pid, 'scaling up keeps the running instance');
    for (const i of three) assert.equal((await score(i.url!, 'hi')).status, 200);

    const drainsBefore = h.drains.length;
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'scale', instanceCount: 1 })), { ok: true });
    const one = h.backend.instances('ep1', 'scale');
    assert.deepEqual(one.map((i) => i.name), ['scale-0']);
    assert.equal(one[0]!.pid, original!.pid);
    const removed = three.filter((i) => i.name !== 'scale-0');
    assert.deepEqual(h.drains.slice(drainsBefore).flat().sort(), removed.map((i) => i.url).sort());
    for (const i of removed) assert.equal(alive(i.pid!), false);
  });

  it('rolls to a new revision with Ready instances at every moment', async () => {
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'roll', instanceCount: 2, env: { GREETING: 'v1' } })), { ok: true });
    const old = h.backend.instances('ep1', 'roll');
    let minReady = Infinity;
    const observe = (_e: string, d: string) => {
      if (d === 'roll') minReady = Math.min(minReady, h.backend.instances('ep1', 'roll').filter((i) => i.state === 'Ready').length);
    };
    h.observers.push(observe);
    const result = await h.backend.ensure(echo({ deployment: 'roll', instanceCount: 2, revision: 'rev2', env: { GREETING: 'v2' } }));
    h.observers.splice(h.observers.indexOf(observe), 1);
    assert.deepEqual(result, { ok: true });
    const now = h.backend.instances('ep1', 'roll');
    assert.equal(now.length, 2);
    assert.ok(now.every((i) => i.revision === 'rev2' && i.state === 'Ready'));
    assert.ok(minReady >= 2, `Ready instances dipped to ${minReady} during the rollout`);
    for (const i of old) assert.equal(alive(i.pid!), false);
    assert.ok(h.drains.some((urls) => old.every((i) => urls.includes(i.url!))), 'the old instances were drained');
    const res = JSON.parse((await score(now[0]!.url!, 'who')).body) as { greeting: string };
    assert.equal(res.greeting, 'v2');
  });

  it('keeps the old revision serving when the new one fails init, with the traceback in the logs', async () => {
    const serving = h.backend.instances('ep1', 'roll');
    const result = await h.backend.ensure(template({ deployment: 'roll', instanceCount: 2, revision: 'rev3', fixture: 'init-fails', environment: { registered: false } }));
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'InitFailed');
    assert.match(result.message!, /failed to start/);
    assert.match(result.message!, /RuntimeError: model weights are missing: cannot find weights\.bin/);
    assert.match(result.message!, /load_weights/);

    const views = h.backend.instances('ep1', 'roll');
    const live = views.filter((i) => i.revision === 'rev2');
    assert.deepEqual(live.map((i) => i.pid).sort(), serving.map((i) => i.pid).sort(), 'the old instances were not touched');
    assert.ok(live.every((i) => i.state === 'Ready'));
    const failed = views.filter((i) => i.revision === 'rev3');
    assert.ok(failed.length >= 1 && failed.every((i) => i.state === 'Failed' && i.pid === null));
    for (const i of live) assert.equal((await score(i.url!, 'still here')).status, 200);

    const logs = await h.backend.readLogs('ep1', 'roll', { container: 'inference-server', lines: 400 });
    assert.match(logs, /\] init starting/);
    assert.match(logs, /\] RuntimeError: model weights are missing/);

    // Going back to the serving revision clears the failed attempt and keeps the same processes.
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'roll', instanceCount: 2, revision: 'rev2', env: { GREETING: 'v2' } })), { ok: true });
    const back = h.backend.instances('ep1', 'roll');
    assert.deepEqual(back.map((i) => i.pid).sort(), serving.map((i) => i.pid).sort());
  });

  it('reports InitFailed for a first deployment whose init() raises', async () => {
    const result = await h.backend.ensure(template({ deployment: 'broken', fixture: 'init-fails', environment: { registered: false } }));
    assert.equal(result.reason, 'InitFailed');
    const [i] = h.backend.instances('ep1', 'broken');
    assert.equal(i?.state, 'Failed');
    assert.equal(i?.pid, null);
  });

  it('serialises concurrent ensure() calls for one deployment', async () => {
    const results = await Promise.all([
      h.backend.ensure(echo({ deployment: 'race', instanceCount: 2 })),
      h.backend.ensure(echo({ deployment: 'race', instanceCount: 1 })),
      h.backend.ensure(echo({ deployment: 'race', instanceCount: 3 })),
    ]);
    assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
    const views = h.backend.instances('ep1', 'race');
    assert.equal(views.length, 3);
    assert.ok(views.every((i) => i.state === 'Ready'));
    await h.backend.remove('ep1', 'race');
  });

  it('kills and restarts an instance that stops answering its liveness probe', async () => {
    const fast = { initial_delay: 0, period: 0.2, timeout: 0.2, success_threshold: 1, failure_threshold: 3 };
    assert.deepEqual(await h.backend.ensure(echo({ deployment: 'hung', liveness: fast, readiness: fast })), { ok: true });
    const [first] = h.backend.instances('ep1', 'hung');
    process.kill(first!.pid!, 'SIGSTOP');
    const again = await waitFor('the hung instance replaced', () => {
      const [i] = h.backend.instances('ep1', 'hung');
      return i && i.state === 'Ready' && i.pid !== first!.pid ? i : undefined;
    }, 15_000);
    assert.equal(again.restarts, 1);
    assert.equal(alive(first!.pid!), false);
    const logs = await h.backend.readLogs('ep1', 'hung', { container: 'inference-server', lines: 100 });
    assert.match(logs, /liveness probe failed 3 times in a row; killing it/);
    await h.backend.remove('ep1', 'hung');
  });
});

describe('LocalBackend shutdown and recovery', () => {
  it('shutdown() leaves no process behind, workers included', async () => {
    const h = makeBackend();
    try {
      assert.deepEqual(await h.backend.ensure(echo({ deployment: 'py', env: { WORKER_COUNT: '2' } })), { ok: true });
      const js = template({ deployment: 'js', fixture: 'js-model', script: 'score.js', environment: { registered: false }, env: { WORKER_COUNT: '2' } });
      js.model = { dir: jsModel(), kind: 'dir', name: 'weights', assetName: 'js', assetVersion: '1' };
      js.model.kind = 'file';
      assert.deepEqual(await h.backend.ensure(js), { ok: true });
      const py = h.backend.instances('ep1', 'py').flatMap((i) => groupMembers(i.pid!));
      assert.equal(py.length, 3, 'a Python master and two workers');
      const node = h.backend.instances('ep1', 'js').flatMap((i) => groupMembers(i.pid!));
      assert.ok(node.length >= 3, 'a Node primary and two workers');
      const all = [...new Set([...h.pids, ...py, ...node])];
      await h.backend.shutdown();
      for (const pid of all) assert.equal(alive(pid), false, `pid ${pid} is still running`);
    } finally {
      await h.close();
    }
  });

  it('recover() stops a recorded leftover that is still ours and leaves other processes alone', async () => {
    const h = makeBackend();
    const records = new PidRecords(join(h.dataDir, 'run'));
    const leftover = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const stranger = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    try {
      const base = { endpoint: 'ep', deployment: 'd', instance: 'd-0', serverPid: 999_999_999, command: 'sleep 300' };
      await records.write({ ...base, pid: leftover.pid!, startTime: processStartTime(leftover.pid!) });
      await records.write({ ...base, pid: stranger.pid!, startTime: '1' }); // the pid was reused by someone else
      await h.backend.recover();
      await waitFor('the leftover to stop', () => !alive(leftover.pid!), 5000);
      assert.equal(alive(stranger.pid!), true);
      assert.deepEqual(readdirSync(join(h.dataDir, 'run')), []);
    } finally {
      leftover.kill('SIGKILL');
      stranger.kill('SIGKILL');
      await h.close();
    }
  });

  it('instances of a server killed with SIGKILL exit on their own, workers included', async () => {
    const h = makeBackend();
    const server = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'server-child.mts'), h.dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(server.stdout!, 'data')) as [Buffer];
      const started = JSON.parse(line.toString()) as { result: { ok: boolean }; pid: number; url: string; secret: string };
      assert.equal(started.result.ok, true);
      const members = groupMembers(started.pid);
      assert.equal(members.length, 3);
      assert.equal((await score(started.url, 'hello', { 'x-switchyard-instance-secret': started.secret })).status, 200);
      server.kill('SIGKILL');
      await waitFor('the orphaned instance to exit', () => members.every((p) => !alive(p)), 5000);
      await h.backend.recover(); // finds the record of a process that is gone, and clears it
      assert.deepEqual(readdirSync(join(h.dataDir, 'run')), []);
    } finally {
      server.kill('SIGKILL');
      await h.close();
    }
  });
});

describe('LocalBackend remove during a slow start', () => {
  it('remove() does not wait for an init() that takes long', async () => {
    const h = makeBackend();
    try {
      // A custom server that never becomes ready: ensure() would wait for its startup budget.
      const t = template({ deployment: 'slowstart', environment: { registered: false, command: ['/bin/sh', '-c', 'sleep 60'] } });
      delete t.code;
      const ensuring = h.backend.ensure(t);
      await waitFor('the instance to start', () => h.backend.instances('ep1', 'slowstart')[0]?.pid);
      const [i] = h.backend.instances('ep1', 'slowstart');
      const t0 = Date.now();
      await h.backend.remove('ep1', 'slowstart');
      const result = await ensuring;
      assert.equal(result.ok, false);
      assert.match(result.message!, /being deleted/);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(alive(i!.pid!), false);
      assert.deepEqual(h.backend.instances('ep1', 'slowstart'), []);
    } finally {
      await h.close();
    }
  });
});
