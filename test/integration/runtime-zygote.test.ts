// Pre-warmed Python instances (zygote.ts) through LocalBackend, with real processes: a forked instance
// is told apart from a cold one by what it finds imported at init() and by the runtime's log line, and
// must be isolated exactly as a cold start is (same uid, gid, groups, session, folder, environment,
// memory limit, dumpability and descriptors). Then the fallbacks: the zygote's death, too many
// deaths, and no zygote at all. Time to ready is not asserted (bench/b4-time-to-ready.mjs measures it).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import { MAX_FAILURES } from '../../src/runtime/local/zygote.js';
import { alive, makeBackend, score, sklearnModel, template, testInstanceUser, waitFor, type Harness } from './runtime-harness.js';

interface Report {
  pid: number; ppid: number; pgid: number; sid: number;
  uid: number; euid: number; gid: number; egid: number; groups: number[];
  cwd: string; env: Record<string, string>; rlimit_as: number[]; dumpable: number;
  fds: Record<string, string>; read: Record<string, string>; preloaded_at_init: string[]; argv: string[];
}

const SKLEARN_ENV = { name: 'model-env', dependencies: ['python=3.11', 'numpy', 'scikit-learn', { pip: ['joblib', 'azureml-defaults'] }] };
const LIGHT_ENV = { name: 'light-env', dependencies: ['python=3.11', { pip: ['azureml-defaults'] }] };

function introspect(deployment: string, over: Partial<DeploymentTemplate> = {}): DeploymentTemplate {
  const t = template({ fixture: 'introspect', deployment, memoryLimitBytes: 3 * 2 ** 30, ...over });
  return { ...t, environment: { ...t.environment, conda_file: over.environment?.conda_file ?? SKLEARN_ENV } };
}

async function report(h: Harness, deployment: string, index = 0, read: string[] = []): Promise<Report> {
  const instance = h.backend.instances('ep1', deployment)[index];
  assert.equal(instance?.state, 'Ready', `${deployment}: ${JSON.stringify(instance)}`);
  const res = await score(instance!.url!, JSON.stringify({ read }));
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body) as Report;
}

const logsOf = (h: Harness, deployment: string) => h.backend.readLogs('ep1', deployment, { container: 'inference-server', lines: 400 });

/** Deployment names made comparable: `warm` and `cold` runs differ in those and in the port only. */
const same = (value: string, name: string) => value.split(name).join('<deployment>');

describe('Python instances forked from a zygote', { timeout: 300_000 }, () => {
  let h: Harness;
  before(() => {
    sklearnModel();
    h = makeBackend({ backoff: { baseMs: 20, factor: 1, maxMs: 20 } });
  });
  after(async () => h.close());

  it('forks an instance that finds its packages imported and is isolated exactly as a cold start', async () => {
    assert.deepEqual(await h.backend.ensure(introspect('warm')), { ok: true });
    // A PYTHON* variable makes the deployment start cold: the reference to compare with.
    assert.deepEqual(await h.backend.ensure(introspect('cold', { env: { PYTHONDONTWRITEBYTECODE: '1' } })), { ok: true });
    const zygote = h.backend.zygotePid('ep1', 'warm');
    assert.ok(zygote && alive(zygote), 'a live zygote');
    assert.match(await logsOf(h, 'warm'), new RegExp(`forked from the zygote ${zygote} \\(preloaded: numpy, sklearn, sklearn\\.linear_model, sklearn\\.pipeline, sklearn\\.preprocessing, joblib\\)`));
    assert.match(await logsOf(h, 'cold'), /cold start: its environment_variables set PYTHONDONTWRITEBYTECODE/);

    const cold = await report(h, 'cold');
    const others = join(h.dataDir, 'deployments', 'ep1', 'cold');
    const attacks = [join(others, 'rev1', 'app', 'score.py'), join(others, '.run', 'cold-0', 'secret'), `/proc/${zygote}/mem`, `/proc/${zygote}/environ`, `/proc/${cold.pid}/environ`];
    const warm = await report(h, 'warm', 0, attacks);

    // Forked by the zygote, with its packages already imported; the cold one imported none of them.
    assert.equal(warm.ppid, zygote);
    assert.deepEqual(warm.preloaded_at_init, ['joblib', 'numpy', 'sklearn', 'sklearn.linear_model']);
    assert.deepEqual(cold.preloaded_at_init, []);
    assert.equal(cold.ppid, process.pid);

    // Its own session and process group, as spawn(detached) gives a cold one.
    for (const r of [warm, cold]) {
      assert.equal(r.pgid, r.pid);
      assert.equal(r.sid, r.pid);
    }
    // The same user, a gid of its deployment's own, no supplementary groups.
    assert.equal(warm.uid, cold.uid);
    assert.equal(warm.euid, warm.uid);
    assert.equal(warm.egid, warm.gid);
    assert.deepEqual(warm.groups, cold.groups);
    if (testInstanceUser) {
      assert.equal(warm.uid, testInstanceUser.uid);
      assert.ok(warm.gid >= 1_900_000_000 && warm.gid !== cold.gid, `gid ${warm.gid} vs ${cold.gid}`);
      assert.deepEqual(warm.groups, []);
    }
    // The same folder, environment (replaced wholesale: nothing of the zygote's), argv and memory limit.
    assert.equal(same(warm.cwd, 'warm'), same(cold.cwd, 'cold'));
    const env = (r: Report, name: string) => Object.fromEntries(Object.entries(r.env)
      .filter(([k]) => k !== 'PORT' && k !== 'PYTHONDONTWRITEBYTECODE').map(([k, v]) => [k, same(v, name)]));
    assert.deepEqual(env(warm, 'warm'), env(cold, 'cold'));
    assert.equal(Object.keys(warm.env).some((k) => k.startsWith('SWITCHYARD_ZYGOTE')), false);
    assert.deepEqual(warm.argv, cold.argv);
    assert.deepEqual(warm.rlimit_as, cold.rlimit_as);
    assert.equal(warm.rlimit_as[0], 3 * 2 ** 30);
    assert.equal(warm.dumpable, 0);
    assert.equal(cold.dumpable, 0);
    // The same descriptors: 0-3 are its connections to the server, the host's own after them.
    // (A cold start also inherits whatever inheritable descriptor the server itself inherited, such as
    // a test runner's pipe; the forked one closes everything but 0-3, so it may only have fewer.)
    for (const fd of ['0', '1', '2', '3']) assert.equal(warm.fds[fd], 'socket', `fd ${fd}: ${warm.fds[fd]}`);
    for (const [fd, kind] of Object.entries(warm.fds)) assert.equal(kind, cold.fds[fd], `fd ${fd}: ${JSON.stringify(warm.fds)} vs ${JSON.stringify(cold.fds)}`);
    const opened = (r: Report) => Object.keys(r.fds).filter((fd) => Number(fd) < 100);
    assert.deepEqual(opened(warm), opened(cold));
    // Nothing of another deployment's, nor the zygote's memory or environment.
    if (testInstanceUser) {
      for (const path of attacks) assert.match(warm.read[path] ?? '', /^denied/, `${path}: ${warm.read[path]}`);
    }
    // Its output reaches the instance's own log, through the server.
    assert.match(await logsOf(h, 'warm'), /\[warm-0\] .*memory limit: 3221225472 bytes/);
  });

  it('forks every instance of a scale-out from the same zygote', async () => {
    assert.deepEqual(await h.backend.ensure({ ...introspect('warm'), instanceCount: 3 }), { ok: true });
    const zygote = h.backend.zygotePid('ep1', 'warm');
    const reports = await Promise.all([0, 1, 2].map((i) => report(h, 'warm', i)));
    assert.deepEqual(reports.map((r) => r.ppid), [zygote, zygote, zygote]);
    assert.equal(new Set(reports.map((r) => r.pid)).size, 3);
    const logs = await logsOf(h, 'warm');
    for (const name of ['warm-1', 'warm-2']) assert.match(logs, new RegExp(`switchyard: ${name}: forked from the zygote ${zygote}`));
  });

  it('keeps supervising instances whose zygote died, replaces the zygote, and starts cold after too many deaths', async () => {
    const light = (count: number) => ({ ...introspect('light', { environment: { registered: false, conda_file: LIGHT_ENV } }), instanceCount: count });
    assert.deepEqual(await h.backend.ensure(light(1)), { ok: true });
    const seen = new Set<number>();
    for (let death = 1; death <= MAX_FAILURES; death++) {
      const zygote = h.backend.zygotePid('ep1', 'light');
      assert.ok(zygote && !seen.has(zygote), `a new zygote after ${death - 1} deaths`);
      seen.add(zygote);
      const newest = await report(h, 'light', death - 1);
      assert.equal(newest.ppid, zygote);
      process.kill(zygote, 'SIGKILL');
      await waitFor('the zygote to die', () => !alive(zygote));
      // Its orphaned instance still serves, and its exit is still noticed (then it is restarted).
      const orphan = await report(h, 'light', 0);
      process.kill(orphan.pid, 'SIGKILL');
      await waitFor('the orphan to be restarted', () => {
        const i = h.backend.instances('ep1', 'light')[0];
        return i?.state === 'Ready' && i.pid !== orphan.pid;
      });
      if (death < MAX_FAILURES) assert.deepEqual(await h.backend.ensure(light(death + 1)), { ok: true });
    }
    // Too many deaths: the environment starts cold from now on, and still works.
    assert.equal(h.backend.zygotePid('ep1', 'light'), undefined);
    assert.deepEqual(await h.backend.ensure(light(MAX_FAILURES + 1)), { ok: true });
    const last = await report(h, 'light', MAX_FAILURES);
    assert.equal(last.ppid, process.pid);
    assert.match(await logsOf(h, 'light'), new RegExp(`light-${MAX_FAILURES}: cold start: the zygote for this environment failed ${MAX_FAILURES} times`));
  });
});

describe('without a zygote (zygote: false)', { timeout: 120_000 }, () => {
  let h: Harness;
  before(() => {
    h = makeBackend({ zygote: false });
  });
  after(async () => h.close());

  it('starts every Python instance cold', async () => {
    assert.deepEqual(await h.backend.ensure(introspect('plain')), { ok: true });
    const r = await report(h, 'plain');
    assert.equal(r.ppid, process.pid);
    assert.deepEqual(r.preloaded_at_init, []);
    assert.equal(h.backend.zygotePid('ep1', 'plain'), undefined);
    assert.doesNotMatch(await logsOf(h, 'plain'), /zygote|cold start/);
  });
});

describe('shutdown', { timeout: 120_000 }, () => {
  it('stops the zygote with the instances', async () => {
    const h = makeBackend();
    try {
      assert.deepEqual(await h.backend.ensure(introspect('brief', { environment: { registered: false, conda_file: LIGHT_ENV } })), { ok: true });
      const zygote = h.backend.zygotePid('ep1', 'brief');
      assert.ok(zygote && alive(zygote));
      await h.backend.shutdown();
      assert.equal(alive(zygote), false);
    } finally {
      await h.close();
    }
  });
});
