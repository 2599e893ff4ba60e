// CPU priority of shadow-only deployments: which ones (control/cpu-priorities.ts, pure) and the nice
// value set on every thread of an instance's process group (runtime/local/cpu-priority.ts, on a real
// child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpuPriorities } from '../../src/control/cpu-priorities.js';
import { setGroupNice } from '../../src/runtime/local/cpu-priority.js';
import type { DeploymentRecord, EndpointRecord } from '../../src/store/store.js';

test('shadow-only deployments are idle; live ones (even when also shadows) are normal', () => {
  const ep = { spec: { name: 'e', traffic: { blue: 100 }, mirror_traffic: { green: 10 }, shadow_traffic: { blue: 50, purple: 20 } } } as unknown as EndpointRecord;
  const dep = (name: string) => ({ spec: { name, endpoint_name: 'e' } }) as unknown as DeploymentRecord;
  assert.deepEqual(cpuPriorities([ep], ['blue', 'green', 'purple', 'red'].map(dep)).map((p) => `${p.deployment}:${p.priority}`),
    ['blue:normal', 'green:idle', 'purple:idle', 'red:normal']);
});

const niceOf = (pid: number, tid: string): number => {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

test('every thread of the group gets the nice value; root can raise it back', { skip: process.platform !== 'linux' }, async () => {
  // A multi-threaded process (node: V8 and libuv threads) leading its own group, as instances do.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await once(child.stdout!, 'data');
    const pid = child.pid!;
    const tids = readdirSync(`/proc/${pid}/task`);
    assert.ok(tids.length > 1);
    const r = setGroupNice(pid, 19);
    assert.equal(r.refused, 0);
    assert.ok(r.set >= tids.length);
    for (const tid of tids) assert.equal(niceOf(pid, tid), 19, `thread ${tid}`);
    const back = setGroupNice(pid, 0);
    if (process.getuid?.() === 0) {
      assert.equal(back.refused, 0);
      for (const tid of tids) assert.equal(niceOf(pid, tid), 0);
    } else {
      assert.ok(back.refused > 0, 'without CAP_SYS_NICE raising priority is refused and reported');
    }
  } finally {
    child.kill('SIGKILL');
  }
});
