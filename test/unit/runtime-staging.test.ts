import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import { buildLaunchPlan, childSpec, hostKindOf, inheritedEnv } from '../../src/runtime/local/launch-plan.js';
import { pruneRevisions, stageRevision } from '../../src/runtime/local/staging.js';

const root = mkdtempSync(join(tmpdir(), 'switchyard-staging-'));
after(() => rmSync(root, { recursive: true, force: true }));

const probes = { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 };

function artifacts() {
  const model = join(root, 'artifacts', 'model');
  mkdirSync(join(model, 'sub'), { recursive: true });
  writeFileSync(join(model, 'sklearn_regression_model.pkl'), 'pickle');
  writeFileSync(join(model, 'sub', 'vocab.txt'), 'words');
  const single = join(root, 'artifacts', 'single');
  mkdirSync(single, { recursive: true });
  writeFileSync(join(single, 'model.onnx'), 'onnx');
  const code = join(root, 'artifacts', 'code');
  mkdirSync(join(code, 'onlinescoring'), { recursive: true });
  writeFileSync(join(code, 'onlinescoring', 'score.py'), 'def run(d): return d');
  return { model, single, code };
}

const a = artifacts();
const base = (over: Partial<DeploymentTemplate> = {}): DeploymentTemplate => ({
  endpoint: 'ep', deployment: 'blue', revision: 'r1', instanceCount: 1,
  model: { dir: a.model, kind: 'dir', name: 'model', assetName: 'sk', assetVersion: '2' },
  code: { dir: a.code, scoringScript: 'onlinescoring/score.py' },
  environment: { registered: false }, env: { GREETING: 'hi', WORKER_COUNT: '2' },
  liveness: probes, readiness: probes, requestTimeoutMs: 5000, maxConcurrentPerInstance: 1,
  ...over,
});

describe('staging a revision', () => {
  it('lays a folder model out under AZUREML_MODEL_DIR/<folder name> with hard links', async () => {
    const dataDir = join(root, 'd1');
    const staged = await stageRevision(join(dataDir, 'deployments'), base());
    assert.equal(staged.created, true);
    assert.equal(staged.modelDir, join(dataDir, 'deployments', 'ep', 'blue', 'r1', 'azureml-models', 'sk', '2'));
    const pkl = join(staged.modelDir!, 'model', 'sklearn_regression_model.pkl');
    assert.equal(statSync(pkl).ino, statSync(join(a.model, 'sklearn_regression_model.pkl')).ino, 'hard-linked');
    assert.ok(statSync(join(staged.modelDir!, 'model', 'sub', 'vocab.txt')).isFile());
    assert.ok(statSync(join(staged.appDir!, 'onlinescoring', 'score.py')).isFile());
    assert.equal(staged.files, 3);

    const again = await stageRevision(join(dataDir, 'deployments'), base());
    assert.equal(again.created, false);
    assert.equal(again.modelDir, staged.modelDir);
  });

  it('puts a one-file model directly in AZUREML_MODEL_DIR', async () => {
    const staged = await stageRevision(join(root, 'd2'), base({ model: { dir: a.single, kind: 'file', name: 'model.onnx', assetName: 'onnx', assetVersion: '1' } }));
    assert.ok(statSync(join(staged.modelDir!, 'model.onnx')).isFile());
  });

  it('prunes revisions no longer in use', async () => {
    const dataDir = join(root, 'd3');
    await stageRevision(join(dataDir, 'deployments'), base({ revision: 'old' }));
    await stageRevision(join(dataDir, 'deployments'), base({ revision: 'new' }));
    await pruneRevisions(join(dataDir, 'deployments'), 'ep', 'blue', new Set(['new']));
    assert.deepEqual(readdirSync(join(dataDir, 'deployments', 'ep', 'blue')), ['new']);
  });
});

describe('launch plans', () => {
  it('chooses the host by the scoring script extension, or the custom command', () => {
    assert.equal(hostKindOf(base()), 'python');
    assert.equal(hostKindOf(base({ code: { dir: a.code, scoringScript: 'score.mjs' } })), 'node');
    assert.equal(hostKindOf(base({ code: { dir: a.code, scoringScript: 'score.TS' } })), 'node');
    assert.equal(hostKindOf(base({ code: { dir: a.code, scoringScript: 'score.R' } })), null);
    assert.equal(hostKindOf({ environment: { registered: false, command: ['./serve'] } }), 'custom');
    assert.equal(hostKindOf({ environment: { registered: false } }), null);
  });

  it('sets the azureml variables, lets the deployment override WORKER_COUNT but never PORT', async () => {
    const t = base({ env: { GREETING: 'hi', WORKER_COUNT: '2', PORT: '5001' } });
    const staged = await stageRevision(join(root, 'd4'), t);
    const plan = buildLaunchPlan(t, staged, 'python', '/usr/bin/python3');
    assert.equal(plan.command, '/usr/bin/python3');
    assert.equal(plan.env.AZUREML_MODEL_DIR, staged.modelDir);
    assert.equal(plan.env.AML_APP_ROOT, staged.appDir);
    assert.equal(plan.env.AZUREML_ENTRY_SCRIPT, 'onlinescoring/score.py');
    assert.equal(plan.env.GREETING, 'hi');
    assert.equal(plan.env.WORKER_COUNT, '2');
    assert.equal(plan.env.PORT, '0');
    assert.equal(plan.readiness, 'announce');
  });

  it('passes instances only PATH, the locale and the time zone of the server\'s environment', () => {
    const env = inheritedEnv({
      PATH: '/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', SWITCHYARD_DATABASE_URL: 'postgres://secret', SWITCHYARD_TOKEN: 't',
      AZUREML_MODEL_DIR: '/x', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'k', NODE_OPTIONS: '--inspect', LD_PRELOAD: '/x.so',
    });
    assert.deepEqual(env, { PATH: '/bin', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC' });
  });

  it('starts a run with the sandbox\'s user, group and variables; a custom server under the watchdog with its port', () => {
    const sandbox = { secret: 's', env: { HOME: '/h', TMPDIR: '/t', SWITCHYARD_INSTANCE_SECRET_FILE: '/s' }, uid: 1234, gid: 1900000001 };
    const plan = { kind: 'custom' as const, command: './serve', args: ['--port', '$PORT'], cwd: '/app', env: { PATH: '/bin', PORT: '1' }, readiness: 'poll' as const, readinessPath: '/', livenessPath: '/' };
    const spec = childSpec(plan, 8123, sandbox);
    assert.equal(spec.command, '/bin/sh');
    assert.deepEqual(spec.args.slice(-3), ['./serve', '--port', '8123']);
    assert.equal(spec.display, './serve --port 8123');
    assert.deepEqual(spec.env, { PATH: '/bin', PORT: '8123', HOME: '/h', TMPDIR: '/t', SWITCHYARD_INSTANCE_SECRET_FILE: '/s' });
    assert.equal(spec.uid, 1234);
    assert.equal(spec.gid, 1900000001);
    const asServer = childSpec({ ...plan, kind: 'python', command: '/usr/bin/python3', args: ['-u', 'host.py'] }, 0, { secret: 's', env: {} });
    assert.deepEqual([asServer.command, ...asServer.args], ['/usr/bin/python3', '-u', 'host.py']);
    assert.equal('uid' in asServer, false);
  });
});
