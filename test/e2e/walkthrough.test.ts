// The safe-rollout walkthrough end to end, as a user runs it: a real `switchyard serve`, the real CLI
// from examples/safe-rollout (Microsoft's file layout), the real Python scoring hosts, and a closed-loop
// client scoring the endpoint the whole time from the moment blue has traffic until the endpoint is
// deleted. It checks what a user of the rollout cares about: no client request fails, each phase routes
// as the traffic settings say, the mirror only shadows, and nothing is left running afterwards.
// walkthrough-script.test.ts runs examples/safe-rollout/walkthrough.sh itself (a file of its own: the
// test runner's timeout applies to each file as a whole).
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { LoadGenerator, latency, tally, type ScoreRecord } from './load-generator.js';
import {
  cli, describeResult, exampleDir, processState, processesUnder, readSampleRequest, sleep, startServer, waitGone,
  type CliResult, type Server,
} from './walkthrough-harness.js';

const SAMPLE = 'endpoints/online/managed/sample';
/** Loops of the load generator. The deployments keep Azure's default max_concurrent_requests_per_instance
 *  (1), so a deployment answers 429 beyond 2 × instance_count requests in flight (docs/compatibility.md, "Scoring"), by design.
 *  The test's own CLI invokes count too: while blue has 1 instance, 1 loop runs (+1 invoke = 2); from
 *  2 instances on, 2 loops (+ at most 2 invokes = 4); green alone at 1 instance gets the 2 loops only. */
const CONCURRENCY = 2;
/** Time allowed after a traffic change returns before its phase is measured (snapshot propagation). */
/** Requests measured per steady phase: the target, or at least `min` once `softMs` has passed (a busy
 *  machine, e.g. `npm test` running two files at once, answers slower). 90/10 wants more. */
const PHASE = { target: 300, min: 100, softMs: 3_000, hardMs: 60_000 };
const PHASE_SPLIT = { target: 1000, min: 200, softMs: 8_000, hardMs: 90_000 };

const endpoint = `e2e-${process.pid % 100000}-${Math.floor(Math.random() * 1000)}`;
let server: Server | undefined;
let load: LoadGenerator | undefined;
/** Every instance pid seen in `online-deployment show`, with which deployment it served. */
const pids = new Map<number, string>();
/** Per step: how long it took (the CLI command, or the wait for its effect). */
const timings: Array<{ step: string; ms: number }> = [];
/** Phase windows [start, end) in performance.now() time, for reporting. */
const phaseStart = new Map<string, number>();
let expected: { blue: number[]; green: number[] } | undefined;
let broken: string | null = null;
const report: Record<string, unknown> = { endpoint };

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Run the CLI and require exit 0. */
async function sy(args: string[], timeoutMs?: number): Promise<CliResult> {
  const r = await cli(server!, args, timeoutMs);
  assert.equal(r.code, 0, describeResult(r) + `\n--- server log tail ---\n${server!.logTail().split('\n').slice(-30).join('\n')}`);
  return r;
}

/** `invoke` prints the response body; az ml prints it as a JSON string holding JSON, accept both. */
function parsePredictions(out: string): number[] {
  let v: unknown = JSON.parse(out.trim());
  if (typeof v === 'string') v = JSON.parse(v);
  assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'number'), `expected a list of predictions, got ${out}`);
  return v as number[];
}

const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-6 * Math.max(1, Math.abs(x)));

/** A step of the walkthrough: a subtest that is skipped once an earlier step broke the flow. */
async function step(t: TestContext, name: string, fn: () => Promise<void>, opts: { critical?: boolean } = { critical: true }): Promise<void> {
  await t.test(name, { skip: broken ? `an earlier step failed (${broken})` : false }, async (st) => {
    const t0 = performance.now();
    try {
      await fn();
    } catch (err) {
      if (opts.critical !== false) broken = name;
      throw err;
    } finally {
      const ms = Math.round(performance.now() - t0);
      timings.push({ step: name, ms });
      st.diagnostic(`${ms} ms`);
    }
  });
}

/** Switches the load generator's phase label and remembers when. */
/**
 * Labels the requests sent from now on. No settling delay is needed after a step: the CLI returns once
 * its operation has Succeeded, and an operation succeeds only after the gateway acknowledged the routing
 * snapshot that carries the change (control/snapshot-publisher.ts); each request keeps the label it
 * was sent under.
 */
function phase(name: string): void {
  load?.setPhase(name);
  phaseStart.set(name, performance.now());
}

/** The control plane's REST API, for what the test only observes (the walkthrough's steps use the CLI). */
async function api(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server!.controlUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${server!.token}` } });
  return { status: res.status, body: await res.text() };
}

interface DeploymentView { instances: Array<{ name: string; state: string; pid: number | null }>; provisioning_state: string }

/** Waits until `n` instances of the deployment are Ready (and no others); records their pids. */
async function readyInstances(name: string, n: number, timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(`/endpoints/${endpoint}/deployments/${name}`);
    assert.equal(r.status, 200, r.body);
    const v = JSON.parse(r.body) as DeploymentView;
    for (const i of v.instances) if (i.pid) pids.set(i.pid, `${name}/${i.name}`);
    const ready = v.instances.filter((i) => i.state === 'Ready');
    if (ready.length === n && v.instances.length === n) return ready.map((i) => i.pid!).filter(Boolean);
    if (Date.now() > deadline) assert.fail(`${name}: expected ${n} Ready instances, show says ${JSON.stringify(v.instances)}`);
    await sleep(200);
  }
}

/** Counts the lines green's score.py writes per request, in `get-logs`. */
async function greenLogCount(): Promise<number> {
  const r = await sy(['online-deployment', 'get-logs', '--name', 'green', '--endpoint', endpoint, '--lines', '100000']);
  return r.stdout.split('\n').filter((l) => l.includes('model 2: request received')).length;
}

/** Waits until the gateway reports no mirror copy in flight to green (its metrics), at most 30 s. */
async function untilNoMirrorCopiesInFlight(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = (await greenMetrics()).mirror as { inFlight?: number } | undefined;
    if ((m?.inFlight ?? 0) === 0) return;
    if (Date.now() > deadline) assert.fail(`mirror copies still in flight to green: ${JSON.stringify(m)}`);
    await sleep(50);
  }
}

async function greenMetrics(): Promise<Record<string, unknown>> {
  const r = await sy(['online-deployment', 'metrics', '-n', 'green', '-e', endpoint]);
  return JSON.parse(r.stdout);
}

/** Waits until the resource answers 404; returns how long that took. */
async function waitDeleted(path: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const r = await api(path);
    if (r.status === 404) return Date.now() - t0;
    assert.equal(r.status, 200, `GET ${path} while it is being deleted: ${r.status} ${r.body}`);
    if (Date.now() - t0 > timeoutMs) assert.fail(`${path} still exists ${timeoutMs} ms after its delete: ${r.body.slice(0, 500)}`);
    await sleep(100);
  }
}

function recordsOf(name: string): ScoreRecord[] {
  return load ? load.records.filter((r) => r.phase === name) : [];
}

/** All answers of a phase came from `who` (and were 200). */
function assertOnly(name: string, who: string): void {
  const recs = recordsOf(name);
  const others = recs.filter((r) => r.deployment !== who);
  const t0 = phaseStart.get(name) ?? 0;
  assert.equal(others.length, 0,
    `phase ${name}: ${others.length}/${recs.length} answers not from ${who}: ${JSON.stringify(tally(recs))}; first: ` +
    others.slice(0, 5).map((r) => `${r.deployment}@+${Math.round(r.sentAt - t0)}ms status ${r.status}`).join(', '));
}

// ---------------------------------------------------------------------------------------------------

describe('safe rollout walkthrough (examples/safe-rollout, real server and CLI)', { timeout: 600_000 }, () => {
  before(async () => {
    // An independent oracle for both models: the same pickles loaded by scikit-learn directly.
    const py = execFileSync('/usr/bin/python3', ['-c', [
      'import joblib, json, sys',
      'd = json.load(open("endpoints/online/model-1/sample-request.json"))["data"]',
      'print(json.dumps({k: joblib.load(f"endpoints/online/{m}/model/sklearn_regression_model.pkl").predict(d).tolist() for k, m in [("blue", "model-1"), ("green", "model-2")]}))',
    ].join('\n')], { cwd: exampleDir, encoding: 'utf8' });
    expected = JSON.parse(py);
    server = await startServer();
    report.server = { controlUrl: server.controlUrl, gatewayUrl: server.gatewayUrl };
  });

  after(async () => {
    // Whatever failed: stop the load, then the server (which stops its instances).
    await load?.stop();
    await server?.dispose();
    const path = process.env.WALKTHROUGH_REPORT;
    if (path) writeFileSync(path, JSON.stringify({ ...report, timings }, null, 2));
  });

  it('runs the rollout under continuous load without a failed request', { timeout: 480_000 }, async (t) => {
    const body = readSampleRequest('model-1');

    await step(t, 'online-endpoint create', async () => {
      const r = await sy(['online-endpoint', 'create', '--name', endpoint, '-f', `${SAMPLE}/endpoint.yml`]);
      const v = JSON.parse(r.stdout);
      assert.equal(v.name, endpoint, '--name overrides the name in endpoint.yml');
      assert.equal(v.auth_mode, 'key');
    });

    await step(t, 'online-deployment create blue --all-traffic', async () => {
      await sy(['online-deployment', 'create', '--name', 'blue', '--endpoint', endpoint, '-f', `${SAMPLE}/blue-deployment.yml`, '--all-traffic']);
      const traffic = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'traffic'])).stdout);
      assert.deepEqual(traffic, { blue: 100 });
      await readyInstances('blue', 1);
    });

    await step(t, 'start the load (key and scoring_uri from the CLI)', async () => {
      const key = (await sy(['online-endpoint', 'get-credentials', '-n', endpoint, '-o', 'tsv', '--query', 'primaryKey'])).stdout.trim();
      const uri = (await sy(['online-endpoint', 'show', '-n', endpoint, '-o', 'tsv', '--query', 'scoring_uri'])).stdout.trim();
      assert.equal(uri, `${server!.gatewayUrl}/endpoints/${endpoint}/score`);
      assert.ok(key.length >= 16, `a key, got ${JSON.stringify(key)}`);
      report.scoringUri = uri;
      load = new LoadGenerator({ scoringUri: uri, key, body, concurrency: CONCURRENCY, maxRequests: 400_000, maxDurationMs: 300_000 });
      load.setActive(1);
      phase('blue-100');
      load.start();
      await load.waitFor('blue-100', PHASE);
    });

    await step(t, 'online-endpoint invoke (blue answers)', async () => {
      const r = await sy(['online-endpoint', 'invoke', '--name', endpoint, '--request-file', 'endpoints/online/model-1/sample-request.json']);
      const p = parsePredictions(r.stdout);
      assert.ok(close(p, expected!.blue), `invoke printed ${JSON.stringify(p)}, model 1 predicts ${JSON.stringify(expected!.blue)}`);
      assert.ok(!close(expected!.blue, expected!.green), 'the two model versions must answer differently');
    });

    await step(t, 'online-deployment update blue --set instance_count=2', async () => {
      const before = await readyInstances('blue', 1);
      phase('scaling-blue');
      await sy(['online-deployment', 'update', '--name', 'blue', '--endpoint', endpoint, '--set', 'instance_count=2']);
      const now = await readyInstances('blue', 2);
      assert.ok(now.includes(before[0]!), `scaling alone must not replace the running instance (pid ${before[0]} → ${now.join(', ')})`);
      load!.setActive(CONCURRENCY);
      phase('blue-2');
      await load!.waitFor('blue-2', PHASE);
    });

    await step(t, 'online-deployment create green (0% traffic)', async () => {
      phase('creating-green');
      await sy(['online-deployment', 'create', '--name', 'green', '--endpoint', endpoint, '-f', `${SAMPLE}/green-deployment.yml`]);
      await readyInstances('green', 1);
      phase('green-0');
      await load!.waitFor('green-0', PHASE);
    });

    await step(t, 'online-endpoint show --query traffic lists green with 0', async () => {
      const traffic = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'traffic'])).stdout);
      assert.deepEqual(traffic, { blue: 100, green: 0 });
    });

    await step(t, 'online-endpoint invoke --deployment-name green (model 2 answers)', async () => {
      const r = await sy(['online-endpoint', 'invoke', '--name', endpoint, '--deployment-name', 'green', '--request-file', 'endpoints/online/model-2/sample-request.json']);
      const p = parsePredictions(r.stdout);
      assert.ok(close(p, expected!.green), `invoke -d green printed ${JSON.stringify(p)}, model 2 predicts ${JSON.stringify(expected!.green)}`);
    });

    await step(t, 'curl-equivalent: key + azureml-model-deployment: green', async () => {
      const key = (await sy(['online-endpoint', 'get-credentials', '-n', endpoint, '-o', 'tsv', '--query', 'primaryKey'])).stdout.trim();
      const uri = (await sy(['online-endpoint', 'show', '-n', endpoint, '-o', 'tsv', '--query', 'scoring_uri'])).stdout.trim();
      const res = await fetch(uri, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'azureml-model-deployment': 'green' },
        body: readSampleRequest('model-2'),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(res.headers.get('azureml-model-deployment'), 'green');
      assert.ok(close(JSON.parse(text), expected!.green), text);
    });

    // Filled by the mirror step, checked by the steps after it (so that a wrong share does not stop the rollout).
    let mirrorData: { logBefore: number; logAfter: number; metricsBefore: Record<string, unknown>; metricsAfter: Record<string, unknown>; invokes: number } | undefined;

    await step(t, 'update --mirror-traffic "green=10", invoke 20 times, get-logs, --mirror-traffic "green=0"', async () => {
      // Green has had exactly two requests so far (the named invoke and curl above).
      const [logBefore, metricsBefore] = await Promise.all([greenLogCount(), greenMetrics()]);
      phase('mirror-enabling');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--mirror-traffic', 'green=10']);
      const mirror = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'mirror_traffic'])).stdout);
      assert.deepEqual(mirror, { green: 10 });
      phase('mirror-10');
      // The walkthrough's own 20 invocations, made while the load runs (2 at a time: blue's bound is 4
      // in flight, the load takes 2): unnamed requests, so mirrored like the load's.
      let invokes = 0;
      for (let round = 0; round < 10; round++) {
        await Promise.all([0, 1].map(async () => {
          const r = await sy(['online-endpoint', 'invoke', '--name', endpoint, '--request-file', 'endpoints/online/model-1/sample-request.json']);
          assert.ok(close(parsePredictions(r.stdout), expected!.blue), `invoke while mirroring printed ${r.stdout}, not blue's answer`);
          invokes++;
        }));
      }
      await load!.waitFor('mirror-10', PHASE);
      phase('mirror-disabling');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--mirror-traffic', 'green=0']);
      // Copies are sent after the live answer: wait until the gateway has none in flight to green.
      await untilNoMirrorCopiesInFlight();
      phase('mirror-off');
      const [logAfter, metricsAfter] = await Promise.all([greenLogCount(), greenMetrics()]);
      const walkthroughLogs = await sy(['online-deployment', 'get-logs', '--name', 'green', '--endpoint', endpoint, '--lines', '50']);
      assert.match(walkthroughLogs.stdout, /model 2: request received/, 'get-logs --lines 50 shows green\'s score.py lines');
      mirrorData = { logBefore, logAfter, metricsBefore, metricsAfter, invokes };
    });

    await step(t, 'mirror share: the gateway copied 10% of unnamed requests, green logged what it received', async () => {
      const { logBefore, logAfter, metricsBefore, metricsAfter, invokes } = mirrorData!;
      // The mirror was surely on for 'mirror-10' and surely off outside the enabling..disabling window.
      const sure = recordsOf('mirror-10').length + invokes;
      const maybe = sure + recordsOf('mirror-enabling').length + recordsOf('mirror-disabling').length;
      const sigma = Math.sqrt(maybe * 0.1 * 0.9);
      const lo = Math.floor(0.1 * sure - 4 * sigma - 2);
      const hi = Math.ceil(0.1 * maybe + 4 * sigma + 2);
      const copies = logAfter - logBefore;
      const m = (x: Record<string, unknown>) => (x.mirror ?? {}) as { received?: number; sent?: number; dropped?: number; failed?: number };
      const delta = (k: 'received' | 'sent' | 'dropped' | 'failed') => (m(metricsAfter)[k] ?? NaN) - (m(metricsBefore)[k] ?? 0);
      const sampled = delta('sent') + delta('dropped');
      report.mirror = {
        unnamedRequestsSurelyMirrored: sure, unnamedRequestsInWindow: maybe, bounds: [lo, hi],
        sampled, sent: delta('sent'), dropped: delta('dropped'), failed: delta('failed'), receivedByGreen: delta('received'),
        copiesInGreenLog: copies, greenLogShare: +(copies / sure).toFixed(4),
      };
      t.diagnostic(`mirror: ${JSON.stringify(report.mirror)}`);
      // What the gateway decides: one copy per 10 unnamed requests.
      assert.ok(sampled >= lo && sampled <= hi, `the gateway took ${sampled} copies (sent ${delta('sent')} + dropped ${delta('dropped')}) of ${sure}..${maybe} unnamed requests; expected ${lo}..${hi} (10%). metrics before ${JSON.stringify(metricsBefore)} after ${JSON.stringify(metricsAfter)}`);
      // Every copy green answered shows in its log, and the metrics agree.
      assert.equal(delta('failed'), 0, 'mirror copies failed on green');
      assert.ok(Math.abs(copies - delta('received')) <= 2, `green's log has ${copies} "model 2: request received" lines for the mirror phase, the gateway says green received ${delta('received')} copies`);
      // What the user reads in green's log: about 10%. The lane may drop copies it cannot take (by
      // design, never slowing live traffic); more than a quarter dropped would hide green's share.
      assert.ok(copies >= 0.75 * lo, `green's log shows only ${copies} mirrored requests of ${sure} (${(100 * copies / sure).toFixed(1)}%): ${delta('dropped')} copies were dropped`);
    }, { critical: false });

    await step(t, 'mirror phase: every client answer came from blue', async () => {
      for (const p of ['mirror-enabling', 'mirror-10', 'mirror-disabling']) assertOnly(p, 'blue');
    }, { critical: false });

    await step(t, 'online-endpoint update --traffic "blue=90 green=10"', async () => {
      phase('to-90-10');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--traffic', 'blue=90 green=10']);
      const traffic = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'traffic'])).stdout);
      assert.deepEqual(traffic, { blue: 90, green: 10 });
      phase('90-10');
      await load!.waitFor('90-10', PHASE_SPLIT);
    });

    await step(t, '90/10 split: green answers 10% ± 4 sigma', async () => {
      const recs = recordsOf('90-10');
      const counts = tally(recs);
      const share = (counts.green ?? 0) / recs.length;
      const tol = Math.max(0.03, 4 * Math.sqrt(0.09 / recs.length));
      report.split = { requests: recs.length, counts, greenShare: +share.toFixed(4), tolerance: +tol.toFixed(4) };
      t.diagnostic(`90/10: ${JSON.stringify(counts)} of ${recs.length} → green ${(100 * share).toFixed(1)}%`);
      assert.deepEqual(Object.keys(counts).sort(), ['blue', 'green'], JSON.stringify(counts));
      assert.ok(Math.abs(share - 0.1) <= tol, `green answered ${(100 * share).toFixed(1)}% of ${recs.length} (${JSON.stringify(counts)}), expected 10% ± ${(100 * tol).toFixed(1)}`);
    }, { critical: false });

    await step(t, 'online-endpoint update --traffic "blue=0 green=100"', async () => {
      phase('to-0-100');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--traffic', 'blue=0 green=100']);
      const traffic = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'traffic'])).stdout);
      assert.deepEqual(traffic, { blue: 0, green: 100 });
      phase('green-100');
      await load!.waitFor('green-100', PHASE);
    });

    await step(t, 'online-deployment delete blue --no-wait (load still running)', async () => {
      const bluePids = [...pids].filter(([, d]) => d.startsWith('blue/')).map(([p]) => p);
      phase('deleting-blue');
      const r = await sy(['online-deployment', 'delete', '--name', 'blue', '--endpoint', endpoint, '--yes', '--no-wait']);
      timings.push({ step: 'delete blue --no-wait (CLI returns)', ms: r.ms });
      const ms = await waitDeleted(`/endpoints/${endpoint}/deployments/blue`, 60_000);
      timings.push({ step: 'delete blue: gone from show', ms });
      const left = await waitGone(bluePids, 10_000);
      assert.deepEqual(left, [], 'blue\'s instance processes are stopped once blue is deleted');
      phase('blue-deleted');
      await load!.waitFor('blue-deleted', { target: 100, min: 30, softMs: 2_000, hardMs: 30_000 });
    });

    // Beyond the tutorial, while the load still runs: docs/compatibility.md, "Deployments" promises that a change of variables
    // replaces instances by a rolling update with no request lost.
    await step(t, 'rolling update of green under load (--set environment_variables.ROLLOUT=2)', async () => {
      const before = await readyInstances('green', 1);
      phase('rolling-green');
      const r = await sy(['online-deployment', 'update', '--name', 'green', '--endpoint', endpoint, '--set', 'environment_variables.ROLLOUT=2']);
      timings.push({ step: 'rolling update of green (CLI)', ms: r.ms });
      const after = await readyInstances('green', 1);
      assert.notDeepEqual(after, before, `a change of environment_variables replaces the instance (pid ${before.join(',')} → ${after.join(',')})`);
      assert.deepEqual(await waitGone(before, 10_000), [], 'the old instance is stopped after the rollout');
      phase('green-rolled');
      await load!.waitFor('green-rolled', { target: 100, min: 30, softMs: 2_000, hardMs: 30_000 });
    });

    await step(t, 'stop the load before deleting the endpoint', async () => {
      phase('stopping');
      await load!.stop();
    });

    await step(t, 'online-endpoint delete --no-wait; every instance process ends', async () => {
      const r = await sy(['online-endpoint', 'delete', '--name', endpoint, '--yes', '--no-wait']);
      timings.push({ step: 'delete endpoint --no-wait (CLI returns)', ms: r.ms });
      const ms = await waitDeleted(`/endpoints/${endpoint}`, 60_000);
      timings.push({ step: 'delete endpoint: gone from show', ms });
      const left = await waitGone(pids.keys(), 10_000);
      assert.deepEqual(left, [], `instance processes still alive after the endpoint was deleted (seen: ${JSON.stringify([...pids])})`);
      const zombies = [...pids.keys()].filter((p) => processState(p) === 'zombie');
      assert.deepEqual(zombies, [], 'instance processes were not reaped by the server');
    });

    // ----- checks over the whole run -----
    await step(t, 'no client request failed, in any phase', async () => {
      const recs = load?.records ?? [];
      const bad = recs.filter((r) => r.status !== 200 || r.error);
      const byPhase: Record<string, unknown> = {};
      for (const p of new Set(recs.map((r) => r.phase))) {
        const rs = recs.filter((r) => r.phase === p);
        byPhase[p] = { requests: rs.length, answeredBy: tally(rs), failed: rs.filter((r) => r.status !== 200 || r.error).length, latencyMs: latency(rs) };
      }
      report.phases = byPhase;
      report.totalRequests = recs.length;
      report.failed = bad.length;
      report.boundHit = load?.boundHit ?? null;
      for (const [p, s] of Object.entries(byPhase)) t.diagnostic(`${p}: ${JSON.stringify(s)}`);
      assert.ok(recs.length > 0, 'the load generator sent requests');
      assert.equal(load?.boundHit ?? null, null, 'the load stopped on a safety bound instead of at the end of the walkthrough');
      assert.equal(bad.length, 0, `${bad.length} of ${recs.length} client requests failed; first: ${JSON.stringify(bad.slice(0, 5))}`);
    }, { critical: false });

    await step(t, 'each answer came from the model its azureml-model-deployment header names', async () => {
      const wrong = (load?.records ?? []).filter((r) => r.status === 200 && r.deployment && expected![r.deployment as 'blue' | 'green']?.[0] !== undefined &&
        Math.abs(r.firstPrediction! - expected![r.deployment as 'blue' | 'green'][0]!) > 1e-6 * Math.abs(expected![r.deployment as 'blue' | 'green'][0]!));
      assert.equal(wrong.length, 0, `answers whose body does not match the header: ${JSON.stringify(wrong.slice(0, 5))}`);
    }, { critical: false });

    await step(t, 'routing per phase follows the traffic settings', async () => {
      // 100% blue with 1 then 2 instances, green at 0%: only blue. During 0/100 and blue's delete: only green.
      for (const p of ['blue-100', 'scaling-blue', 'blue-2', 'creating-green', 'green-0']) assertOnly(p, 'blue');
      for (const p of ['green-100', 'deleting-blue', 'blue-deleted', 'rolling-green', 'green-rolled']) assertOnly(p, 'green');
      // Transitions may see either side, never anything else.
      for (const p of ['to-90-10', 'to-0-100']) {
        const odd = recordsOf(p).filter((r) => r.deployment !== 'blue' && r.deployment !== 'green');
        assert.equal(odd.length, 0, `phase ${p}: ${JSON.stringify(odd.slice(0, 3))}`);
      }
    }, { critical: false });

    for (const x of timings) t.diagnostic(`time ${x.step}: ${x.ms} ms`);
  });

  it('stopping the server leaves no process behind', { timeout: 60_000 }, async () => {
    assert.ok(server, 'server started');
    const s = server;
    await s.stop();
    assert.equal(processState(s.pid), 'gone', 'the server process exited');
    const left = await waitGone(pids.keys(), 5_000);
    assert.deepEqual(left, [], 'instance processes outlived the server');
    assert.deepEqual(await processesUnder(s.dataDir), [], 'processes still running from the server\'s data dir');
  });
});
