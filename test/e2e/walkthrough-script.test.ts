// examples/safe-rollout/walkthrough.sh, run as a user runs it against a server: it must finish with
// exit 0, print both models' predictions, and leave nothing running. A file of its own (not a step of
// walkthrough.test.ts) because the test runner's timeout applies to a whole file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cli, describeResult, exampleDir, processState, processesUnder, run, sleep, startServer, type Server } from './walkthrough-harness.js';

let server: Server | undefined;
let expected: Record<'blue' | 'green', number[]>;

describe('examples/safe-rollout/walkthrough.sh', { timeout: 300_000 }, () => {
  before(async () => {
    // The models' own answers, from scikit-learn directly.
    expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', [
      'import joblib, json',
      'd = json.load(open("endpoints/online/model-1/sample-request.json"))["data"]',
      'print(json.dumps({k: joblib.load(f"endpoints/online/{m}/model/sklearn_regression_model.pkl").predict(d).tolist() for k, m in [("blue", "model-1"), ("green", "model-2")]}))',
    ].join('\n')], { cwd: exampleDir, encoding: 'utf8' }));
    server = await startServer();
  });
  after(async () => { await server?.dispose(); });

  it('runs every step against a running server and prints both models\' predictions', { timeout: 240_000 }, async (t) => {
    const name = `sh-${process.pid % 100000}`;
    const r = await run('bash', [join(exampleDir, 'walkthrough.sh'), name], {
      cwd: '/', // the script finds its files from its own folder, wherever it is started
      env: { ...process.env, SWITCHYARD_URL: server!.controlUrl, SWITCHYARD_TOKEN: server!.token },
      timeoutMs: 200_000,
    });
    t.diagnostic(`walkthrough.sh: exit ${r.code} in ${r.ms} ms`);
    assert.equal(r.code, 0, describeResult(r));
    for (const [who, preds] of Object.entries(expected)) {
      for (const p of preds) {
        const shown = String(p).slice(0, 8);
        assert.ok(r.stdout.includes(shown), `walkthrough.sh printed ${who}'s prediction ${shown}\n${r.stdout}`);
      }
    }
    assert.match(r.stdout, /"green": 0/, 'show --query traffic right after creating green lists it with 0');
    assert.match(r.stdout, /azureml-model-deployment: green/i, 'curl with the header was answered by green');
    // It deleted its endpoint with --no-wait: the deletion finishes on the server.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await cli(server!, ['online-endpoint', 'show', '-n', name]);
      if (s.code !== 0) break;
      assert.ok(Date.now() < deadline, `endpoint ${name} still exists 60 s after walkthrough.sh deleted it`);
      await sleep(200);
    }
  });

  it('the JavaScript green (green-js-deployment.yml) answers like the Python green', { timeout: 60_000 }, async () => {
    const name = `js-${process.pid % 100000}`;
    const sy = async (args: string[]) => {
      const r = await cli(server!, args);
      assert.equal(r.code, 0, describeResult(r));
      return r;
    };
    await sy(['online-endpoint', 'create', '--name', name, '-f', 'endpoints/online/managed/sample/endpoint.yml']);
    await sy(['online-deployment', 'create', '--name', 'green', '--endpoint', name, '-f', 'endpoints/online/managed/sample/green-js-deployment.yml', '--all-traffic']);
    const r = await sy(['online-endpoint', 'invoke', '--name', name, '--request-file', 'endpoints/online/model-2-js/sample-request.json']);
    let out: unknown = JSON.parse(r.stdout);
    if (typeof out === 'string') out = JSON.parse(out);
    const got = out as number[];
    assert.equal(got.length, expected.green.length, r.stdout);
    got.forEach((x, i) => assert.ok(Math.abs(x - expected.green[i]!) < 1e-9 * Math.abs(x), `row ${i}: js ${x}, python ${expected.green[i]}`));
    const logs = await sy(['online-deployment', 'get-logs', '--name', 'green', '--endpoint', name, '--lines', '20']);
    assert.match(logs.stdout, /model 2 \(js\): request received/);
    await sy(['online-endpoint', 'delete', '--name', name, '--yes']);
  });

  it('stopping the server leaves no process behind', { timeout: 60_000 }, async () => {
    const s = server!;
    await s.stop();
    assert.equal(processState(s.pid), 'gone', 'the server process exited');
    assert.deepEqual(await processesUnder(s.dataDir), [], 'processes still running from the server\'s data dir');
  });
});
