// The safe-rollout walkthrough end to end, as a user runs it: a real `switchyard serve`, the real CLI
// from examples/safe-rollout (Microsoft's file layout), the real Python scoring hosts, and a closed-loop
// client scoring the endpoint the whole time from the moment blue has traffic until the endpoint is
// deleted. It checks what a user of the rollout cares about: no client request fails, each phase routes
// as the traffic settings say, the mirror only shadows, and nothing is left running afterwards.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadGenerator, latency, tally, type ScoreRecord } from './load-generator.js';
import {
  cli, describeResult, exampleDir, processState, processesUnder, readSampleRequest, run, sleep, startServer, waitGone,
  type CliResult, type Server,
} from './walkthrough-harness.js';

const SAMPLE = 'endpoints/online/managed/sample';
/** Loops of the load generator. The deployments use Azure's default max_concurrent_requests_per_instance
 *  (1), so a one-instance deployment answers 429 beyond 2 requests in flight (SPEC §3): two loops is the
 *  most a client can send to blue at 1 instance, or to green alone, without being refused by design. */
const CONCURRENCY = 2;
/** Time allowed after a traffic change returns before its phase is measured (snapshot propagation). */
const SETTLE_MS = 300;
/** Requests measured per steady phase; 90/10 gets more so that ±3 points is a 4-sigma bound. */
const PER_PHASE = 300;
const PER_PHASE_SPLIT = 1000;

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
function phase(name: string): void {
  load?.setPhase(name);
  phaseStart.set(name, performance.now());
}

async function deploymentView(name: string): Promise<{ instances: Array<{ name: string; state: string; pid: number | null }>; provisioning_state: string }> {
  const r = await sy(['online-deployment', 'show', '-n', name, '-e', endpoint]);
  return JSON.parse(r.stdout);
}

/** Waits until `n` instances of the deployment are Ready; records their pids. */
async function readyInstances(name: string, n: number, timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await deploymentView(name);
    for (const i of v.instances) if (i.pid) pids.set(i.pid, `${name}/${i.name}`);
    const ready = v.instances.filter((i) => i.state === 'Ready');
    if (ready.length === n && v.instances.length === n) return ready.map((i) => i.pid!).filter(Boolean);
    if (Date.now() > deadline) assert.fail(`${name}: expected ${n} Ready instances, show says ${JSON.stringify(v.instances)}`);
    await sleep(250);
  }
}

/** Counts lines of green's instance log that its score.py writes per request. */
async function greenLogCount(): Promise<number> {
  const r = await sy(['online-deployment', 'get-logs', '--name', 'green', '--endpoint', endpoint, '--lines', '100000']);
  return r.stdout.split('\n').filter((l) => l.includes('model 2: request received')).length;
}

async function greenMetrics(): Promise<Record<string, unknown>> {
  const r = await sy(['online-deployment', 'metrics', '-n', 'green', '-e', endpoint]);
  return JSON.parse(r.stdout);
}

/** Sums every numeric field of a metrics object whose path mentions `word` (e.g. mirror requests). */
function sumFields(obj: unknown, match: (path: string) => boolean, path = ''): number {
  if (typeof obj === 'number') return match(path) ? obj : 0;
  if (!obj || typeof obj !== 'object') return 0;
  let s = 0;
  for (const [k, v] of Object.entries(obj)) s += sumFields(v, match, path ? `${path}.${k}` : k);
  return s;
}

/** Waits until `show` fails (the resource is gone); returns how long that took. */
async function waitDeleted(args: string[], timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const r = await cli(server!, args);
    if (r.code !== 0) {
      assert.match(r.stderr + r.stdout, /not found|NotFound|does not exist|no such/i, `after the delete, \`${r.line}\` failed for another reason: ${describeResult(r)}`);
      return Date.now() - t0;
    }
    if (Date.now() - t0 > timeoutMs) assert.fail(`\`${args.join(' ')}\` still succeeds ${timeoutMs} ms after the delete: ${r.stdout.slice(0, 500)}`);
    await sleep(200);
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
      load = new LoadGenerator({ scoringUri: uri, key, body, concurrency: CONCURRENCY, maxRequests: 60_000, maxDurationMs: 360_000 });
      phase('blue-100');
      load.start();
      await load.waitFor('blue-100', PER_PHASE, 60_000);
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
      await sleep(SETTLE_MS);
      phase('blue-2');
      await load!.waitFor('blue-2', PER_PHASE, 60_000);
    });

    await step(t, 'online-deployment create green (0% traffic)', async () => {
      phase('creating-green');
      await sy(['online-deployment', 'create', '--name', 'green', '--endpoint', endpoint, '-f', `${SAMPLE}/green-deployment.yml`]);
      await readyInstances('green', 1);
      await sleep(SETTLE_MS);
      phase('green-0');
      await load!.waitFor('green-0', PER_PHASE, 60_000);
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

    await step(t, 'mirror 10% to green: clients see only blue, green gets ~10% copies', async () => {
      // Green has had exactly two requests so far (the named invoke and curl above).
      const logBefore = await greenLogCount();
      const metricsBefore = await greenMetrics();
      phase('mirror-enabling');
      const tOn = performance.now();
      await sy(['online-endpoint', 'update', '--name', endpoint, '--mirror-traffic', 'green=10']);
      timings.push({ step: 'update --mirror-traffic green=10 (CLI)', ms: Math.round(performance.now() - tOn) });
      const mirror = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'mirror_traffic'])).stdout);
      assert.deepEqual(mirror, { green: 10 });
      await sleep(SETTLE_MS);
      phase('mirror-10');
      // The walkthrough's own 20 invocations, made while the load runs: unnamed, so mirrored too.
      let invokes = 0;
      for (let i = 0; i < 20; i++) {
        const r = await sy(['online-endpoint', 'invoke', '--name', endpoint, '--request-file', 'endpoints/online/model-1/sample-request.json']);
        assert.ok(close(parsePredictions(r.stdout), expected!.blue), `invoke ${i + 1} while mirroring: ${r.stdout} is not blue's answer`);
        invokes++;
      }
      await load!.waitFor('mirror-10', PER_PHASE, 60_000);
      phase('mirror-disabling');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--mirror-traffic', 'green=0']);
      // Copies are sent after the live answer: let the last ones land in green's log.
      await sleep(1000);
      phase('mirror-off');
      const logAfter = await greenLogCount();
      const metricsAfter = await greenMetrics();
      const walkthroughLogs = await sy(['online-deployment', 'get-logs', '--name', 'green', '--endpoint', endpoint, '--lines', '50']);
      assert.match(walkthroughLogs.stdout, /model 2: request received/, 'get-logs --lines 50 shows green\'s score.py lines');

      // The mirror was surely on for 'mirror-10' and surely off outside the enabling..disabling window.
      const sure = recordsOf('mirror-10').length + invokes;
      const maybe = sure + recordsOf('mirror-enabling').length + recordsOf('mirror-disabling').length;
      const copies = logAfter - logBefore;
      const sigma = Math.sqrt(maybe * 0.1 * 0.9);
      const lo = Math.floor(0.1 * sure - 4 * sigma - 2);
      const hi = Math.ceil(0.1 * maybe + 4 * sigma + 2);
      report.mirror = { clientRequestsSurelyMirrored: sure, clientRequestsInWindow: maybe, copiesInGreenLog: copies, share: +(copies / sure).toFixed(4), bounds: [lo, hi], metricsBefore, metricsAfter };
      t.diagnostic(`mirror: ${copies} copies in green's log for ${sure}..${maybe} unnamed requests (${(100 * copies / sure).toFixed(1)}%)`);
      assert.ok(copies >= lo && copies <= hi, `green logged ${copies} mirrored requests for ${sure}..${maybe} unnamed ones; expected ${lo}..${hi} (10%)`);
      // The gateway's counters for green must grow by about the same (whatever they call the mirror counter).
      const mirroredBefore = sumFields(metricsBefore, (p) => /mirror/i.test(p) && /request|count|total|sent|received|ok|success|2xx|200/i.test(p) && !/fail|drop|error|latency|ms|bucket|sum/i.test(p));
      const mirroredAfter = sumFields(metricsAfter, (p) => /mirror/i.test(p) && /request|count|total|sent|received|ok|success|2xx|200/i.test(p) && !/fail|drop|error|latency|ms|bucket|sum/i.test(p));
      assert.ok(mirroredAfter - mirroredBefore >= lo && mirroredAfter - mirroredBefore <= hi,
        `online-deployment metrics for green should count ~${copies} mirrored requests in this phase; before ${JSON.stringify(metricsBefore)} after ${JSON.stringify(metricsAfter)}`);
    });

    await step(t, 'mirror phase: every client answer came from blue', async () => {
      for (const p of ['mirror-enabling', 'mirror-10', 'mirror-disabling']) assertOnly(p, 'blue');
    }, { critical: false });

    await step(t, 'online-endpoint update --traffic "blue=90 green=10"', async () => {
      phase('to-90-10');
      await sy(['online-endpoint', 'update', '--name', endpoint, '--traffic', 'blue=90 green=10']);
      const traffic = JSON.parse((await sy(['online-endpoint', 'show', '-n', endpoint, '--query', 'traffic'])).stdout);
      assert.deepEqual(traffic, { blue: 90, green: 10 });
      await sleep(SETTLE_MS);
      phase('90-10');
      await load!.waitFor('90-10', PER_PHASE_SPLIT, 90_000);
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
      await sleep(SETTLE_MS);
      phase('green-100');
      await load!.waitFor('green-100', PER_PHASE, 60_000);
    });

    await step(t, 'online-deployment delete blue --no-wait (load still running)', async () => {
      const bluePids = [...pids].filter(([, d]) => d.startsWith('blue/')).map(([p]) => p);
      phase('deleting-blue');
      const r = await sy(['online-deployment', 'delete', '--name', 'blue', '--endpoint', endpoint, '--yes', '--no-wait']);
      timings.push({ step: 'delete blue --no-wait (CLI returns)', ms: r.ms });
      const ms = await waitDeleted(['online-deployment', 'show', '-n', 'blue', '-e', endpoint], 60_000);
      timings.push({ step: 'delete blue: gone from show', ms });
      const left = await waitGone(bluePids, 10_000);
      assert.deepEqual(left, [], 'blue\'s instance processes are stopped once blue is deleted');
      await sleep(SETTLE_MS);
      phase('blue-deleted');
      await load!.waitFor('blue-deleted', 100, 30_000);
    });

    await step(t, 'stop the load before deleting the endpoint', async () => {
      phase('stopping');
      await load!.stop();
    });

    await step(t, 'online-endpoint delete --no-wait; every instance process ends', async () => {
      const r = await sy(['online-endpoint', 'delete', '--name', endpoint, '--yes', '--no-wait']);
      timings.push({ step: 'delete endpoint --no-wait (CLI returns)', ms: r.ms });
      const ms = await waitDeleted(['online-endpoint', 'show', '-n', endpoint], 60_000);
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
      for (const p of ['green-100', 'deleting-blue', 'blue-deleted']) assertOnly(p, 'green');
      // Transitions may see either side, never anything else.
      for (const p of ['to-90-10', 'to-0-100']) {
        const odd = recordsOf(p).filter((r) => r.deployment !== 'blue' && r.deployment !== 'green');
        assert.equal(odd.length, 0, `phase ${p}: ${JSON.stringify(odd.slice(0, 3))}`);
      }
    }, { critical: false });

    for (const x of timings) t.diagnostic(`time ${x.step}: ${x.ms} ms`);
  });

  it('examples/safe-rollout/walkthrough.sh runs against the server', { timeout: 300_000 }, async (t) => {
    assert.ok(server, 'server started');
    const name = `sh-${process.pid % 100000}`;
    const r = await run('bash', [join(exampleDir, 'walkthrough.sh'), name], {
      cwd: exampleDir,
      env: { ...process.env, SWITCHYARD_URL: server.controlUrl, SWITCHYARD_TOKEN: server.token },
      timeoutMs: 240_000,
    });
    timings.push({ step: 'walkthrough.sh', ms: r.ms });
    t.diagnostic(`walkthrough.sh: exit ${r.code} in ${r.ms} ms`);
    report.walkthroughSh = { code: r.code, ms: r.ms };
    assert.equal(r.code, 0, describeResult(r));
    const fmt = (xs: number[]) => xs.map((x) => String(x).slice(0, 7));
    for (const [who, preds] of Object.entries(expected!)) {
      for (const p of fmt(preds)) assert.ok(r.stdout.includes(p), `walkthrough.sh printed ${who}'s prediction ${p}\n${r.stdout}`);
    }
    // It deleted its endpoint with --no-wait: the deletion finishes on the server.
    await waitDeleted(['online-endpoint', 'show', '-n', name], 60_000);
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
