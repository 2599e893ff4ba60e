// B5 cost as work grows: one server grown to 1, 10, 100 and 500 deployments (the trivial model on the
// Node host, one instance each, 10 deployments per endpoint), measuring at each size what a user of a
// big installation pays: a traffic update until routing is in force, the routing snapshot (size, build
// and hand-over times, from the server's debug log), gateway throughput to one endpoint while the
// others exist, control-plane list/show latency, and memory (server RSS/PSS, PSS per instance; the
// Python host's PSS per instance once, at the end). Deployments are created through the REST API (the
// SDK, dist/sdk) in bounded batches. Sizes are measured one after the other on the same server (growth
// cannot be interleaved); a size is skipped, with the reason, when the memory it needs would leave less
// than RESERVE_GIB available, or when the run's time budget is spent.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { newResult, skipRow, skipAll, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason } from './lib/switchyard.mjs';
import { repoRoot } from './lib/paths.mjs';
import { wrk } from './lib/wrk.mjs';
import { cpuMicros } from './lib/cpu-usage.mjs';
import { loadMark, othersPct } from './lib/others-load.mjs';
import { round } from './lib/stats.mjs';

export const SIZES = [1, 10, 100, 500];
const PER_ENDPOINT = 10;
/** Endpoints whose deployments are being created at once (each waits for its operation): bounded so the server is never flooded. */
const BATCH = 16;
/** Memory to leave to the other users of this machine when deciding whether the next size fits. */
const RESERVE_GIB = 6;
/** Stop growing after this long (the whole benchmark must stay under the runner's 420 s limit). */
const GROW_BUDGET_S = 300;
const TRAFFIC_UPDATES = 6;
const CONTROL_CALLS = 15;
const PYTHON_INSTANCES = 3;
/** How long the server may take to stop everything at the end before it is killed. */
const STOP_GRACE_MS = 60_000;

const median = (xs) => { const s = xs.filter((x) => x != null).sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : null; };
const kib = (pid, field) => {
  try { return Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))[1]); } catch { return null; }
};
/** utime+stime (µs) of one thread of a process (the main thread: tid = pid). */
const threadMicros = (pid, tid) => {
  try { const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10_000; } catch { return 0; }
};
const memAvailableKiB = () => Number(readFileSync('/proc/meminfo', 'utf8').match(/^MemAvailable:\s+(\d+) kB/m)[1]);
const epName = (i) => `b5e${String(i).padStart(3, '0')}`;
const depName = (j) => `dep${j}`;

/** The server's log lines written since `offset` (a byte position), and the new end. */
function logSince(file, offset) {
  const size = statSync(file).size;
  if (size <= offset) return { lines: [], end: offset };
  const buf = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try { readSync(fd, buf, 0, buf.length, offset); } finally { closeSync(fd); }
  return { lines: buf.toString('utf8').split('\n'), end: size };
}
const snapshotLines = (lines) => lines.flatMap((l) => { try { const j = JSON.parse(l); return j.msg === 'routing snapshot published' && j.bytes != null ? [j] : []; } catch { return []; } });

export async function b5(ctx) {
  const { log } = ctx;
  const sizes = ctx.sizes?.length ? ctx.sizes : SIZES;
  const seconds = Math.min(ctx.seconds, 5);
  const result = newResult('B5', 'Cost as work grows', {
    sizes: sizes.join(', '), deploymentsPerEndpoint: PER_ENDPOINT, instancesPerDeployment: 1, host: 'Node host, bench/peers/trivial-model/score.mjs',
    trafficUpdates: TRAFFIC_UPDATES, controlCalls: CONTROL_CALLS, throughput: { tool: 'wrk', threads: 2, connections: 32, seconds }, placement: 'not pinned',
    reserveGiB: RESERVE_GIB, createBatch: BATCH,
  });
  result.scale = [];
  const rowSpec = { id: 'scale', group: 'scale', label: 'cost as work grows', system: 'switchyard' };
  const why = unavailableReason(ctx);
  if (why) return skipAll(result, [rowSpec], why);

  const logFile = join(ctx.logDir, 'b5-switchyard.log');
  const allPids = new Set();
  let sy;
  const t0 = Date.now();
  try {
    sy = await startSwitchyard({ profileDir: ctx.profileDir, logFile, env: { SWITCHYARD_LOG_LEVEL: 'debug' } });
    const { SwitchyardClient } = await import(pathToFileURL(join(repoRoot, 'dist', 'sdk', 'index.js')).href);
    const client = new SwitchyardClient({ url: sy.controlUrl, token: sy.token });
    const waitOk = async (accepted, what) => {
      const op = accepted.operation.status === 'Running' ? await client.waitForOperation(accepted.operation.id, { pollSeconds: 60, timeoutMs: 180000 }) : accepted.operation;
      if (op.status !== 'Succeeded') throw new Error(`${what}: operation ${op.status}: ${op.error?.message ?? ''}`);
      return op;
    };
    const nodeCode = (await client.uploadArtifact(join(repoRoot, 'bench', 'peers', 'trivial-model'))).digest;
    const deployment = (endpoint, name, over = {}) => ({
      name, endpoint_name: endpoint, instance_type: 'Standard_DS3_v2', instance_count: 1,
      code_configuration: { code: nodeCode, scoring_script: 'score.mjs' },
      environment: { image: 'node:20-bookworm-slim' },
      environment_variables: { MODEL_NAME: `${endpoint}/${name}` },
      // As in B1: high enough that the 429 bound never trips under wrk's 32 connections.
      request_settings: { max_concurrent_requests_per_instance: 128, request_timeout_ms: 10000 },
      ...over,
    });

    // Grow: endpoints first (each with its keys), then its deployments, BATCH at a time.
    let created = 0, endpoints = 0;
    const grow = async (target) => {
      const needEndpoints = Math.ceil(target / PER_ENDPOINT);
      for (; endpoints < needEndpoints; endpoints++) await waitOk(await client.createEndpoint({ name: epName(endpoints), auth_mode: 'key' }), `endpoint ${epName(endpoints)}`);
      // One operation at a time per endpoint (as in Azure): endpoints in parallel, BATCH at once, each
      // creating its deployments one after the other.
      const queues = new Map();
      for (let k = created; k < target; k++) {
        const e = epName(Math.floor(k / PER_ENDPOINT));
        if (!queues.has(e)) queues.set(e, []);
        queues.get(e).push(depName(k % PER_ENDPOINT));
      }
      const pending = [...queues];
      await Promise.all(Array.from({ length: Math.min(BATCH, pending.length) }, async () => {
        for (let next; (next = pending.shift());) {
          const [e, names] = next;
          for (const d of names) await waitOk(await client.createDeployment(e, deployment(e, d)), `deployment ${e}/${d}`);
        }
      }));
      created = target;
    };

    const e0 = epName(0);
    let keyE0 = null;
    let mark = statSync(logFile).size;
    let nodePssKiB = null;
    for (const size of sizes) {
      // Decide whether this size fits before starting it.
      const more = size - created;
      const spentS = (Date.now() - t0) / 1000;
      if (nodePssKiB != null) {
        const needKiB = more * (nodePssKiB + 2048) * 1.25; // instance PSS + server-side state, with a margin
        const leftKiB = memAvailableKiB() - needKiB;
        if (leftKiB < RESERVE_GIB * 2 ** 20) {
          result.notes.push(`Stopped before ${size} deployments: ${more} more Node host instances at ~${round(nodePssKiB / 1024, 1)} MiB PSS each would leave ${round(leftKiB / 2 ** 20, 1)} GiB available, under the ${RESERVE_GIB} GiB this shared machine keeps for others.`);
          break;
        }
      }
      if (spentS > GROW_BUDGET_S) {
        result.notes.push(`Stopped before ${size} deployments: ${Math.round(spentS)} s spent, over the ${GROW_BUDGET_S} s growth budget of one run.`);
        break;
      }
      const g0 = Date.now();
      await grow(size);
      const growS = (Date.now() - g0) / 1000;
      if (!keyE0) keyE0 = (await client.listKeys(e0)).primaryKey;
      log(`${size} deployments on ${endpoints} endpoints (grew in ${growS.toFixed(1)} s)`);
      const loadStart = loadMark();

      // Traffic update → in force: toggle e0's d0 between 100% and 0%; the operation ends after the
      // gateway acknowledged the snapshot, and one request right after proves it is in force.
      const scoreUrl = sy.scoringUrl(e0);
      const score = async () => (await fetch(scoreUrl, { method: 'POST', headers: { authorization: `Bearer ${keyE0}`, 'content-type': 'application/json' }, body: '{"data":[1]}' })).status;
      const updates = [], snaps = [];
      ({ end: mark } = logSince(logFile, mark));
      for (let i = 0; i < TRAFFIC_UPDATES; i++) {
        const on = i % 2 === 1; // off, on, ..., on: wrk below needs it on
        const s0 = performance.now();
        await waitOk(await client.updateEndpoint(e0, { traffic: { [depName(0)]: on ? 100 : 0 } }), 'traffic update');
        const ms = performance.now() - s0;
        const status = await score();
        if (on ? status !== 200 : status === 200) throw new Error(`traffic ${on ? 100 : 0}% on ${e0}/${depName(0)} acknowledged, but the gateway answered ${status}`);
        updates.push(ms);
        const got = logSince(logFile, mark);
        mark = got.end;
        const last = snapshotLines(got.lines).at(-1);
        if (last) snaps.push(last);
      }

      // Every instance's pid (the first one is e0's dep0, which serves the load below).
      const pids = [];
      for (let i = 0; i < endpoints; i++) for (const d of await client.listDeployments(epName(i))) for (const inst of d.instances ?? []) if (inst.pid) pids.push(inst.pid);
      for (const p of pids) allPids.add(p);
      const servingPid = ((await client.getDeployment(e0, depName(0))).instances ?? [])[0]?.pid;
      const others = pids.filter((p) => p !== servingPid);
      const pid = sy.child.pid;

      // Gateway throughput to e0 while everything else exists; whose CPU it took: the server's main
      // thread (control plane, probes), its other threads (the gateway worker, GC helpers), and the
      // instances that are not serving.
      const before = { server: cpuMicros({ pids: [pid] }), main: threadMicros(pid, pid), others: cpuMicros({ pids: others }) };
      const w = await wrk(scoreUrl, { threads: 2, connections: 32, seconds, headers: { Authorization: `Bearer ${keyE0}` } });
      const perReq = (us) => (w.requests ? us / w.requests : null);
      const serverUs = cpuMicros({ pids: [pid] }) - before.server, mainUs = threadMicros(pid, pid) - before.main;
      const serverCpuUsPerReq = perReq(serverUs), mainCpuUsPerReq = perReq(mainUs), otherInstancesCpuPct = (cpuMicros({ pids: others }) - before.others) / (seconds * 1e6) * 100;
      if (w.errors) result.notes.push(`${size} deployments: wrk saw ${w.errors} errors (${JSON.stringify(w.errorDetail)}).`);
      // The same instance called directly (with the secret it wants from the gateway), right after: the
      // reference that moves with the machine, so gateway ÷ direct shows the gateway's own trend.
      const served = ((await client.getDeployment(e0, depName(0))).instances ?? [])[0];
      const secrets = await sy.instanceSecrets(e0, depName(0));
      const direct = served?.url ? await wrk(`${served.url.replace(/\/$/, '')}/score`, { threads: 2, connections: 32, seconds, headers: secrets[served.url] ? { 'x-switchyard-instance-secret': secrets[served.url] } : {} }) : null;
      if (direct?.errors) result.notes.push(`${size} deployments: wrk direct to the instance saw ${direct.errors} errors (${JSON.stringify(direct.errorDetail)}).`);

      // Control-plane latency: REST calls on a kept-alive connection (the server's time, not a CLI start).
      const call = async (path) => { const s0 = performance.now(); const r = await fetch(`${sy.controlUrl}${path}`, { headers: { authorization: `Bearer ${sy.token}` } }); await r.arrayBuffer(); if (!r.ok) throw new Error(`GET ${path}: ${r.status}`); return performance.now() - s0; };
      const lat = { endpointList: [], deploymentList: [], deploymentShow: [] };
      for (let i = 0; i < CONTROL_CALLS; i++) {
        lat.endpointList.push(await call('/api/v1/endpoints'));
        lat.deploymentList.push(await call(`/api/v1/endpoints/${e0}/deployments`));
        lat.deploymentShow.push(await call(`/api/v1/endpoints/${e0}/deployments/${depName(0)}`));
      }

      // Memory: the server, and the instances (PSS: shared pages split among their sharers; 20 sampled).
      const sample = pids.slice(0, 20);
      nodePssKiB = median(sample.map((p) => kib(p, 'Pss')));
      const nodeRssKiB = median(sample.map((p) => kib(p, 'Rss')));
      // CPU while nothing is asked of anyone, over 3 s: the server (probes, timers) and all instances.
      const idle0 = { server: cpuMicros({ pids: [pid] }), instances: cpuMicros({ pids }) };
      await sleep(3000);
      const idleCpuPct = (cpuMicros({ pids: [pid] }) - idle0.server) / 3e6 * 100;
      const instancesIdleCpuPct = (cpuMicros({ pids }) - idle0.instances) / 3e6 * 100;

      const point = {
        deployments: size, endpoints, instances: size, growSeconds: round(growS, 1),
        trafficUpdateMs: round(median(updates), 1), trafficUpdateRangeMs: [round(Math.min(...updates), 1), round(Math.max(...updates), 1)],
        snapshotBytes: median(snaps.map((s) => s.bytes)), snapshotBuildMs: round(median(snaps.map((s) => s.buildMs)), 2), snapshotAckMs: round(median(snaps.map((s) => s.ackMs)), 2),
        rps: round(w.rps, 0), errors: w.errors, directRps: direct ? round(direct.rps, 0) : null, gatewayToDirect: direct?.rps ? round(w.rps / direct.rps, 3) : null, p50Ms: round(w.p50Ms, 3), p99Ms: round(w.p99Ms, 3), serverCpuUsPerReq: round(serverCpuUsPerReq, 1), mainThreadCpuUsPerReq: round(mainCpuUsPerReq, 1), otherInstancesCpuPct: round(otherInstancesCpuPct, 1),
        endpointListMs: round(median(lat.endpointList), 2), deploymentListMs: round(median(lat.deploymentList), 2), deploymentShowMs: round(median(lat.deploymentShow), 2),
        serverRssMiB: round(kib(sy.child.pid, 'Rss') / 1024, 1), serverPssMiB: round(kib(sy.child.pid, 'Pss') / 1024, 1),
        nodeHostPssMiB: round(nodePssKiB / 1024, 1), nodeHostRssMiB: round(nodeRssKiB / 1024, 1), instancesSampled: sample.length,
        serverIdleCpuPct: round(idleCpuPct, 1), instancesIdleCpuPct: round(instancesIdleCpuPct, 1), memAvailableGiB: round(memAvailableKiB() / 2 ** 20, 1),
        othersCpuPct: othersPct(loadStart, loadMark()),
        commands: [`time (PATCH /api/v1/endpoints/${e0} {"traffic":{"dep0":0|100}} + GET /api/v1/operations/ID?wait=60)`, w.command.replace(scoreUrl, '$GATEWAY/endpoints/b5e000/score')],
      };
      result.scale.push(point);
      log(`  ${JSON.stringify({ ...point, commands: undefined })}`);
    }

    // The Python host, once: PYTHON_INSTANCES instances of the trivial Python model.
    try {
      const pyCode = (await client.uploadArtifact(join(repoRoot, 'bench', 'peers', 'trivial-model-python'))).digest;
      await waitOk(await client.createEndpoint({ name: 'b5py', auth_mode: 'key' }), 'endpoint b5py');
      const p0 = Date.now();
      await waitOk(await client.createDeployment('b5py', {
        ...deployment('b5py', 'pyhost', { instance_count: PYTHON_INSTANCES }),
        code_configuration: { code: pyCode, scoring_script: 'score.py' },
        environment: { image: 'python:3.11-slim', interpreter: '/usr/bin/python3' },
      }), 'python deployment');
      const pyPids = ((await client.getDeployment('b5py', 'pyhost')).instances ?? []).map((i) => i.pid).filter(Boolean);
      for (const p of pyPids) allPids.add(p);
      result.python = {
        instances: pyPids.length, createSeconds: round((Date.now() - p0) / 1000, 2),
        pssMiB: round(median(pyPids.map((p) => kib(p, 'Pss'))) / 1024, 1), rssMiB: round(median(pyPids.map((p) => kib(p, 'Rss'))) / 1024, 1),
      };
      log(`python host: ${JSON.stringify(result.python)}`);
    } catch (e) {
      result.notes.push(`Python host not measured: ${e.message}`.slice(0, 400));
    }
  } catch (e) {
    skipRow(result, rowSpec, `failed after ${result.scale.length} size(s): ${e.message}`.slice(0, 600));
    log(`failed: ${e.stack ?? e}`);
  } finally {
    if (sy) {
      // Every instance pid this run saw (the server should stop them all itself), and time to do so.
      await sy.stop({ knownPids: [...allPids], graceMs: STOP_GRACE_MS }).catch(() => {});
      result.stop = { seconds: round(sy.stopSeconds, 1), instances: allPids.size, leftovers: sy.leftovers ?? 0 };
      result.notes.push(`\`switchyard serve\` stopped (SIGTERM) with ${allPids.size} instances in ${result.stop.seconds} s${sy.stopSeconds * 1000 >= STOP_GRACE_MS ? ` (it had not exited after ${STOP_GRACE_MS / 1000} s and was killed)` : ''}${sy.leftovers ? `; ${sy.leftovers} instance process(es) outlived it and were killed by the benchmark` : ''}.`);
    }
  }
  if (!result.scale.length) { result.status = 'failed'; return result; }
  const first = result.scale[0], last = result.scale.at(-1);
  const ratio = last.rps && first.rps ? last.rps / first.rps : null;
  addCheck(result, { id: 'b5-flat', label: `B5 gateway throughput to one endpoint, ${last.deployments} ÷ ${first.deployments} deployment(s)`, measured: ratio, unit: '×', target: '≥ 0.9× (flat)', pass: ratio >= 0.9 });
  if (result.scale.length < sizes.length && result.status === 'complete') result.status = 'partial';
  result.setupCommands = ['SWITCHYARD_LOG_LEVEL=debug switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)  # debug: snapshot figures in the log'];
  return result;
}
