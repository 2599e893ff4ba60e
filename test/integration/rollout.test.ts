// Progressive rollouts against a real `switchyard serve` (child process, real Python instances, real
// SQLite), under continuous closed-loop load: a good candidate promotes itself shadow → 20% → 50% →
// 100% with no failed request; one failing 30% of its requests and one 3× slower are rolled back by
// their gates; one whose answers differ is stopped in its shadow step by the comparison's agreement; an idle endpoint pauses instead of promoting; kill -9 of the server mid-rollout resumes
// at the stored step; bad policies change nothing. Steps and intervals are short so the file runs in
// about a minute and a half; every wait is bounded and waits on the rollout's own state.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { LoadGenerator, tally, type ScoreRecord } from '../e2e/load-generator.js';
import {
  BIN, deploymentBody, dumpState, removeDir, startServe, tempDir, until, uploadFolder, waitOperation, type ServerProcess,
} from './resilience-harness.js';

const SCORE_PY = `import json, os, random, time
def init():
    global delay, fail, offset
    delay = float(os.environ.get("DELAY_MS", "4")) / 1000.0
    fail = float(os.environ.get("FAIL_RATE", "0"))
    offset = float(os.environ.get("OFFSET", "0"))
def run(raw_data):
    time.sleep(delay)
    if fail and random.random() < fail:
        raise RuntimeError("injected failure")
    data = json.loads(raw_data)["data"]
    return [sum(row) + offset for row in data]
`;

const E = 'ro-ep';
const BODY = JSON.stringify({ data: [[1, 2, 3], [4, 5, 6]] });
const INTERVAL_MS = 500;

let server: ServerProcess;
let work: string;
let key: string;
let load: LoadGenerator | undefined;
const servers: ServerProcess[] = [];

async function api(method: string, path: string, body?: unknown) {
  return server.api(method, path, body);
}

async function rollout(): Promise<any> {
  return (await api('GET', `/api/v1/endpoints/${E}/rollout`)).body;
}

async function endpoint(): Promise<any> {
  return (await api('GET', `/api/v1/endpoints/${E}`)).body;
}

/** `switchyard ...` as a script runs it (stdout/stderr not terminals). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const env = { ...process.env, SWITCHYARD_URL: server.controlUrl, SWITCHYARD_TOKEN: server.token } as Record<string, string>;
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(BIN, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}

function startLoad(): LoadGenerator {
  const g = new LoadGenerator({
    scoringUri: `${server.gatewayUrl}/endpoints/${E}/score`, key, body: BODY,
    // Two closed loops never exceed one instance's in-flight bound (2 × 1 × 1), so no 429.
    concurrency: 2, maxRequests: 200_000, maxDurationMs: 150_000,
  });
  g.start();
  load = g;
  return g;
}

async function stopLoad(): Promise<ScoreRecord[]> {
  const g = load;
  load = undefined;
  if (!g) return [];
  await g.stop();
  return g.records;
}

async function deploy(name: string, env: Record<string, string>, code: string): Promise<void> {
  const r = await api('POST', `/api/v1/endpoints/${E}/deployments`, deploymentBody(name, code, { environment_variables: env }));
  assert.equal(r.status, 202, r.text);
  const op = await waitOperation(server, r.body.operation.id, 90);
  assert.equal(op.status, 'Succeeded', JSON.stringify(op));
}

function writePolicy(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

const failed = (records: ScoreRecord[]) => records.filter((r) => r.status !== 200);

before(async () => {
  work = tempDir('sy-rollout-');
  server = await startServe(join(work, 'data'));
  servers.push(server);
  const code = await uploadFolder(server, { 'score.py': SCORE_PY });
  const ep = await api('POST', '/api/v1/endpoints', { name: E });
  assert.equal(ep.status, 202, ep.text);
  assert.equal((await waitOperation(server, ep.body.operation.id, 30)).status, 'Succeeded');
  // blue is production; green is a good candidate; red fails 30%; slow answers 3× slower; differ answers
  // 1000 more than the others and never fails (all 1 instance).
  // One deployment change at a time per endpoint (as on Azure).
  await deploy('blue', { DELAY_MS: '10' }, code);
  await deploy('green', { DELAY_MS: '10' }, code);
  await deploy('red', { DELAY_MS: '10', FAIL_RATE: '0.3' }, code);
  await deploy('slow', { DELAY_MS: '30' }, code);
  await deploy('differ', { DELAY_MS: '10', OFFSET: '1000' }, code);
  const traffic = await api('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 100 } });
  assert.equal(traffic.status, 202, traffic.text);
  await waitOperation(server, traffic.body.operation.id, 30);
  key = (await api('POST', `/api/v1/endpoints/${E}/list-keys`)).body.primaryKey;
});

// A test that fails half-way must not leave its rollout running into the next one.
afterEach(async () => {
  await stopLoad().catch(() => undefined);
  const r = await rollout().catch(() => undefined);
  if (r?.status && ['Progressing', 'Paused'].includes(r.status.state)) await api('POST', `/api/v1/endpoints/${E}/rollout/abort`);
});

after(async () => {
  await stopLoad().catch(() => undefined);
  for (const s of servers) await s.stop(15_000).catch(() => undefined);
  if (work) removeDir(work);
});

describe('progressive rollout under load', { timeout: 400_000 }, () => {
  it('refuses bad policies with clear errors and changes nothing', async () => {
    const before = await dumpState(server);
    const start = (body: unknown) => api('POST', `/api/v1/endpoints/${E}/rollout`, body);
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ['unknown key', { candidate: 'green', policy: { gates: { max_eror_rate: 0.1 } } }, 400, 'UnknownKey', /max_eror_rate/],
      ['percent over 100', { candidate: 'green', policy: { steps: [{ traffic: 150, duration: '5s' }, { traffic: 100 }] } }, 400, 'InvalidValue', /traffic/],
      ['shadow above the endpoint\'s mirror limit', { candidate: 'green', policy: { steps: [{ shadow: 60, duration: '5s' }, { traffic: 100 }] } }, 400, 'MirrorInvalid', /at most 50%/],
      ['last step not traffic 100', { candidate: 'green', policy: { steps: [{ traffic: 50, duration: '5s' }] } }, 400, 'InvalidValue', /last step must be \{traffic: 100\}/],
      ['bad duration', { candidate: 'green', policy: { steps: [{ traffic: 50, duration: '5 minutes' }, { traffic: 100 }] } }, 400, 'InvalidValue', /30s, 5m or 1h/],
      ['candidate that does not exist', { candidate: 'purple' }, 404, 'DeploymentNotFound', /purple.*does not exist.*blue, green/],
      ['the baseline as candidate', { candidate: 'blue' }, 400, 'InvalidValue', /no baseline/],
      ['an agreement above 1', { candidate: 'green', policy: { gates: { min_agreement: 99 } } }, 400, 'InvalidValue', /min_agreement/],
    ];
    for (const [what, body, status, code, message] of cases) {
      const r = await start(body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(r.body.error.code, code, `${what}: ${r.text}`);
      assert.match(r.body.error.message, message, what);
    }
    // The CLI names the file of a refused policy.
    const file = writePolicy('typo.yml', 'steps:\n  - {traffic: 50, duration: 5s}\n  - {traffic: 100}\ngates:\n  max_eror_rate: 0.1\n');
    const c = await cli(['rollout', 'start', '--endpoint', E, '--candidate', 'green', '-f', file]);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /Unknown key "gates\.max_eror_rate" in the rollout policy in \S*typo\.yml \(line 5\)\. Known keys under gates: .*max_error_rate/);
    // A rule between steps is the server's; the CLI says which file it came from.
    const late = writePolicy('late.yml', 'steps:\n  - {traffic: 50, duration: 5s}\n  - {traffic: 20, duration: 5s}\n  - {traffic: 100}\n');
    const l = await cli(['rollout', 'start', '--endpoint', E, '--candidate', 'green', '-f', late]);
    assert.equal(l.code, 1);
    assert.match(l.stderr, /late\.yml: steps\.1 has traffic 20, not more than the step before \(50\)/);
    assert.equal(await dumpState(server), before, 'a refused rollout must change nothing');
    assert.equal((await api('GET', '/api/v1/rollouts')).body.value.length, 0);

    // A second rollout on the same endpoint is refused while the first runs; the first is left alone.
    const first = await start({ candidate: 'green', policy: { steps: [{ shadow: 10, duration: '1h' }, { traffic: 100 }], interval: '1s' } });
    assert.equal(first.status, 201, first.text);
    const afterFirst = await dumpState(server);
    const second = await start({ candidate: 'red' });
    assert.equal(second.status, 409, second.text);
    assert.equal(second.body.error.code, 'RolloutInProgress');
    assert.match(second.body.error.message, /already has a rollout in progress.*abort/i);
    assert.equal(await dumpState(server), afterFirst);
    // While it runs, a manual traffic change is refused, naming pause and abort.
    const manual = await api('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 50, green: 50 } });
    assert.equal(manual.status, 409, manual.text);
    assert.equal(manual.body.error.code, 'RolloutInProgress');
    assert.match(manual.body.error.message, /rollout pause.*rollout abort/);
    const aborted = await api('POST', `/api/v1/endpoints/${E}/rollout/abort`);
    assert.equal(aborted.status, 200, aborted.text);
    assert.equal(aborted.body.status.state, 'Aborted');
    await until('abort puts the baseline back', async () => {
      const ep = await endpoint();
      return JSON.stringify(ep.mirror_traffic) === '{}' && ep.traffic.blue === 100;
    }, 10_000);
  });

  it('promotes a good candidate shadow → 20% → 50% → 100% with 0 failed requests (CLI --wait)', async () => {
    const g = startLoad();
    await g.waitFor('start', { target: 50, min: 50, softMs: 0, hardMs: 30_000 });
    g.setPhase('rollout');
    const file = writePolicy('good.yml', [
      'steps:',
      '  - {shadow: 50, duration: 3s}',
      '  - {traffic: 20, duration: 4s}',
      '  - {traffic: 50, duration: 3s}',
      '  - {traffic: 100}',
      'gates:',
      '  max_error_rate: 0.01',
      // p99 over a few dozen samples is close to their maximum: lenient here, the slow test gates latency.
      '  max_latency_p99_ratio: 4',
      '  min_requests: 10',
      '  latency_mann_whitney: {significance: 0.0001, allowed_increase: 0.5}',
      `interval: ${INTERVAL_MS}ms`,
      'on_failure: rollback',
      '',
    ].join('\n'));
    const run = await cli(['rollout', 'start', '--endpoint', E, '--candidate', 'green', '-f', file, '--wait']);
    const records = await stopLoad();
    const mine = records.filter((r) => r.phase === 'rollout');
    console.log(`# good candidate: ${mine.length} requests during the rollout, by deployment ${JSON.stringify(tally(mine))}, failed ${failed(mine).length}`);
    assert.equal(run.code, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stderr, /Progressing step 1 of 4: shadow 50%/, 'plain progress lines when not a terminal');
    assert.match(run.stderr, /traffic blue=50 green=50/);
    assert.match(run.stderr, /Succeeded/);
    assert.equal(JSON.parse(run.stdout).status.state, 'Succeeded');
    assert.deepEqual(failed(mine).map((r) => `${r.status} ${r.error}`), []);
    const r = await rollout();
    const events = r.status.history.map((h: any) => h.event);
    assert.deepEqual(events.filter((e: string) => e === 'promoted').length, 3, events.join(','));
    const applied = r.status.history.filter((h: any) => h.event === 'step').map((h: any) => JSON.stringify([h.traffic, h.mirror_traffic]));
    assert.deepEqual(applied, [
      JSON.stringify([{ blue: 100 }, { green: 50 }]),
      JSON.stringify([{ blue: 80, green: 20 }, {}]),
      JSON.stringify([{ blue: 50, green: 50 }, {}]),
      JSON.stringify([{ green: 100 }, {}]),
    ]);
    assert.deepEqual((await endpoint()).traffic, { green: 100, blue: 0, red: 0, slow: 0, differ: 0 });
    // Every automatic change is audited as the controller on behalf of the starter.
    const audit = (await api('GET', '/api/v1/audit?limit=200')).body.value as any[];
    const auto = audit.filter((a) => a.principal === 'rollout-controller (on behalf of admin)' && a.target === `endpoints/${E}`);
    assert.ok(auto.length >= 4, JSON.stringify(audit.slice(0, 10)));
    // Prometheus has the rollout's state, step and gates.
    const metrics = (await api('GET', '/metrics')).text;
    assert.match(metrics, new RegExp(`switchyard_rollout_state\\{endpoint="${E}",candidate="green",state="Succeeded"\\} 1`));
    assert.match(metrics, /switchyard_rollout_gate_value\{endpoint="ro-ep",candidate="green",gate="max_error_rate"\} 0/);
  });

  it('rolls a candidate failing 30% of its requests back within one interval of reaching min_requests', async () => {
    const g = startLoad();
    await g.waitFor('start', { target: 30, min: 30, softMs: 0, hardMs: 30_000 });
    g.setPhase('rollout');
    const minRequests = 30;
    const started = await api('POST', `/api/v1/endpoints/${E}/rollout`, {
      candidate: 'red',
      policy: { steps: [{ traffic: 20, duration: '30s' }, { traffic: 100 }], gates: { max_error_rate: 0.05, min_requests: minRequests }, interval: `${INTERVAL_MS}ms` },
    });
    assert.equal(started.status, 201, started.text);
    const end = await until('red is rolled back', async () => { const r = await rollout(); return r.status.state !== 'Progressing' ? r : undefined; }, 60_000, 100);
    await until('green has all traffic again', async () => (await endpoint()).traffic.green === 100, 10_000);
    const records = await stopLoad();
    assert.equal(end.status.state, 'RolledBack', JSON.stringify(end.status));
    const reason = end.status.reason;
    assert.equal(reason.gate, 'max_error_rate');
    assert.ok(reason.value > 0.05, JSON.stringify(reason));
    assert.equal(reason.threshold, 0.05);
    assert.ok(reason.window.candidate_requests >= minRequests, JSON.stringify(reason));
    assert.match(reason.message, /max_error_rate failed/);
    // How fast: the rollback came within one gate interval (plus scheduling slack) after red's
    // min_requests-th answer in the window.
    const rolledAt = Date.parse(end.status.history.find((h: any) => h.event === 'rolled_back').at);
    const windowFrom = Date.parse(reason.window.from);
    const offset = Date.now() - performance.now();
    const redAnswers = records.filter((r) => r.phase === 'rollout' && r.deployment === 'red' && r.sentAt + offset >= windowFrom).sort((a, b) => a.endedAt - b.endedAt);
    const reachedAt = redAnswers[minRequests - 1] ? redAnswers[minRequests - 1]!.endedAt + offset : NaN;
    const mine = records.filter((r) => r.phase === 'rollout');
    const clientFailures = failed(mine);
    const servedByRed = mine.filter((r) => r.deployment === 'red').length;
    console.log(`# failing candidate: rolled back ${Math.round(rolledAt - reachedAt)} ms after its ${minRequests}th answer (interval ${INTERVAL_MS} ms); `
      + `window ${reason.window.candidate_requests} candidate requests, error rate ${reason.value}; clients saw ${clientFailures.length} failed of ${mine.length} (red answered ${servedByRed})`);
    assert.ok(rolledAt - reachedAt <= INTERVAL_MS + 1500, `rolled back ${rolledAt - reachedAt} ms after reaching min_requests`);
    // Only red's answers failed, and red only had its step's share.
    assert.ok(clientFailures.every((r) => r.deployment === 'red'), JSON.stringify(clientFailures.slice(0, 3)));
    assert.ok(servedByRed < mine.length * 0.4, `red answered ${servedByRed} of ${mine.length}`);
  });

  it('rolls a 3× slower candidate back on latency', async () => {
    const g = startLoad();
    await g.waitFor('start', { target: 30, min: 30, softMs: 0, hardMs: 30_000 });
    // Both latency gates: the p99 ratio, and Mann-Whitney (which a loaded machine's p99 noise cannot hide).
    const file = writePolicy('slow.yml', `steps:\n  - {traffic: 20, duration: 30s}\n  - {traffic: 100}\ngates:\n  max_latency_p99_ratio: 1.5\n  latency_mann_whitney: {significance: 0.001, allowed_increase: 0.5}\n  min_requests: 30\ninterval: ${INTERVAL_MS}ms\n`);
    const run = await cli(['rollout', 'start', '--endpoint', E, '--candidate', 'slow', '-f', file, '--wait']);
    await stopLoad();
    assert.equal(run.code, 1, run.stderr);
    const r = await rollout();
    assert.equal(r.status.state, 'RolledBack');
    const reason = r.status.reason;
    assert.ok(['max_latency_p99_ratio', 'latency_mann_whitney'].includes(reason.gate), JSON.stringify(reason));
    if (reason.gate === 'max_latency_p99_ratio') assert.ok(reason.value > 1.5);
    else assert.ok(reason.value < 0.001);
    console.log(`# slow candidate: ${r.status.reason.message}`);
    assert.deepEqual((await endpoint()).traffic, { green: 100, blue: 0, red: 0, slow: 0, differ: 0 });
  });

  it('stops a candidate whose answers differ but never fail in its shadow step; no client gets its answer', async () => {
    const g = startLoad();
    await g.waitFor('start', { target: 30, min: 30, softMs: 0, hardMs: 30_000 });
    g.setPhase('rollout');
    const started = await api('POST', `/api/v1/endpoints/${E}/rollout`, {
      candidate: 'differ',
      policy: { steps: [{ shadow: 50, duration: '30s' }, { traffic: 50, duration: '30s' }, { traffic: 100 }], gates: { min_agreement: 0.99, min_requests: 20 }, interval: `${INTERVAL_MS}ms` },
    });
    assert.equal(started.status, 201, started.text);
    const end = await until('differ is stopped', async () => { const r = await rollout(); return r.status.state !== 'Progressing' ? r : undefined; }, 60_000, 100);
    const records = await stopLoad();
    assert.equal(end.status.state, 'RolledBack', JSON.stringify(end.status));
    assert.equal(end.status.step, 0, 'stopped in its shadow step');
    assert.equal(end.status.reason.gate, 'min_agreement', JSON.stringify(end.status.reason));
    assert.ok(end.status.reason.value < 0.99);
    const errorGate = end.status.gates.find((x: any) => x.gate === 'max_error_rate');
    assert.equal(errorGate.value, 0, 'it never failed a request');
    const mine = records.filter((r) => r.phase === 'rollout');
    console.log(`# differing candidate: ${end.status.reason.message}; ${mine.length} client requests, by deployment ${JSON.stringify(tally(mine))}`);
    assert.ok(mine.length > 0);
    assert.deepEqual(mine.filter((r) => r.deployment === 'differ' || (r.firstPrediction ?? 0) >= 1000).length, 0, 'no client got the candidate\'s answer');
    assert.deepEqual(failed(mine).length, 0);
    await until('the shadow is off again', async () => JSON.stringify((await endpoint()).mirror_traffic) === '{}', 10_000);
  });

  it('pauses with "not enough requests" when the endpoint is idle, and never promotes', async () => {
    const started = await api('POST', `/api/v1/endpoints/${E}/rollout`, {
      candidate: 'blue', policy: { steps: [{ shadow: 20, duration: '2s' }, { traffic: 100 }], gates: { min_requests: 10 }, interval: `${INTERVAL_MS}ms` },
    });
    assert.equal(started.status, 201, started.text);
    const r = await until('the idle rollout pauses', async () => { const x = await rollout(); return x.status.state !== 'Progressing' ? x : undefined; }, 30_000, 100);
    assert.equal(r.status.state, 'Paused');
    assert.match(r.status.reason.message, /not enough requests/);
    assert.equal(r.status.step, 0, 'it did not promote');
    assert.deepEqual((await endpoint()).mirror_traffic, { blue: 20 });
    // While paused, traffic may be changed by hand; abort puts the baseline back.
    const aborted = await api('POST', `/api/v1/endpoints/${E}/rollout/abort`);
    assert.equal(aborted.body.status.state, 'Aborted');
    await until('abort stops the shadow', async () => JSON.stringify((await endpoint()).mirror_traffic) === '{}', 10_000);
  });

  it('survives kill -9 of the server mid-rollout and finishes at the stored step', async () => {
    startLoad();
    await load!.waitFor('start', { target: 30, min: 30, softMs: 0, hardMs: 30_000 });
    // This test is about durability: latency gates are lenient (instances just restarted are slow at first).
    const policy = {
      steps: [{ traffic: 20, duration: '4s' }, { traffic: 50, duration: '2s' }, { traffic: 100 }],
      gates: { min_requests: 15, max_latency_p99_ratio: 20 }, interval: `${INTERVAL_MS}ms`,
    };
    // Whichever of blue and green is not live is the candidate (the test does not depend on the others).
    const candidate = (await endpoint()).traffic.blue === 100 ? 'green' : 'blue';
    const started = await api('POST', `/api/v1/endpoints/${E}/rollout`, { candidate, policy });
    assert.equal(started.status, 201, started.text);
    const mid = await until('bake time spent in step 1', async () => { const x = await rollout(); return x.status.bake_ms >= 1500 ? x : undefined; }, 30_000, 50);
    assert.equal(mid.status.step, 0);
    await stopLoad();
    await server.kill9();
    server = await startServe(server.dataDir);
    servers.push(server);
    key = (await api('POST', `/api/v1/endpoints/${E}/list-keys`)).body.primaryKey;
    const resumed = await rollout();
    assert.equal(resumed.status.state, 'Progressing');
    assert.equal(resumed.status.step, 0, 'resumes at its step');
    assert.ok(resumed.status.bake_ms >= mid.status.bake_ms, `bake time kept: ${resumed.status.bake_ms} < ${mid.status.bake_ms}`);
    startLoad();
    const end = await until('the rollout ends after the restart', async () => { const x = await rollout(); return x.status.state !== 'Progressing' ? x : undefined; }, 90_000, 200);
    await stopLoad();
    assert.equal(end.status.state, 'Succeeded', JSON.stringify(end.status.reason));
    assert.equal((await endpoint()).traffic[candidate], 100);
    // The first step was promoted after the restart, on a window of this process with enough requests.
    const restartedAt = Date.parse(resumed.updated_at);
    const promotions = end.status.history.filter((h: any) => h.event === 'promoted');
    assert.equal(promotions.length, 2);
    assert.ok(Date.parse(promotions[0].at) >= restartedAt, 'step 1 is judged again after the restart');
    assert.match(promotions[0].message, /min_requests=(1[5-9]|[2-9]\d|\d{3,})/);
  });
});
