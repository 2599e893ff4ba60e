// A custom scoring server (environment.command, no code_configuration): started with PORT set and
// $PORT substituted, Ready once its inference_config readiness route answers, stopped with its group.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, fixtures, groupMembers, instanceFetch, makeBackend, template, type Harness } from './runtime-harness.js';

describe('custom server through LocalBackend', () => {
  let h: Harness;
  before(() => {
    h = makeBackend();
  });
  after(async () => h.close());

  it('runs the command, polls its readiness route and serves its scoring route', async () => {
    const t = template({
      deployment: 'custom',
      environment: {
        registered: false,
        image: 'my-registry/my-server:1',
        command: ['/usr/bin/python3', join(fixtures, 'custom-server', 'server.py'), '--port', '$PORT'],
        inference_config: {
          liveness_route: { port: 5001, path: '/health' },
          readiness_route: { port: 5001, path: '/health' },
          scoring_route: { port: 5001, path: '/predict' },
        },
      },
    });
    delete t.code;
    assert.deepEqual(await h.backend.ensure(t), { ok: true });
    const [i] = h.backend.instances('ep1', 'custom');
    assert.equal(i?.state, 'Ready');
    const port = Number(new URL(i!.url!).port);
    const res = await instanceFetch(i!.url + '/predict', { method: 'POST', body: 'ping' });
    const body = (await res.json()) as { echo: string; model_dir: string; port: number };
    assert.equal(body.echo, 'ping');
    assert.equal(body.port, port);
    assert.match(body.model_dir, /azureml-models\/sklearn-model\/1$/);
    const logs = await h.backend.readLogs('ep1', 'custom', { container: 'inference-server', lines: 50 });
    assert.match(logs, new RegExp(`\\[custom-0\\] custom server listening on ${port}`));

    const members = groupMembers(i!.pid!);
    await h.backend.remove('ep1', 'custom');
    for (const pid of members) assert.equal(alive(pid), false);
  });

  it('reports a command that exits at once as InitFailed with its output', async () => {
    const t = template({ deployment: 'nope', environment: { registered: false, command: ['/bin/sh', '-c', 'echo no such model >&2; exit 4'] } });
    delete t.code;
    const result = await h.backend.ensure(t);
    assert.equal(result.reason, 'InitFailed');
    assert.match(result.message!, /exited with code 4/);
    assert.match(result.message!, /no such model/);
  });
});
