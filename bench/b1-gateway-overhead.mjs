// B1 gateway overhead: the same trivial model instance (a) behind Switchyard's gateway with key
// auth, (b) behind nginx with keep-alive upstreams and the same Bearer check, (c) called directly.
// Then a 90/10 split with a 10% mirror, ours against nginx's split_clients + mirror.
//   throughput: wrk, closed loop, fixed connections;  latency: open loop at a fixed moderate rate.
import { newResult, addRow, skipRow, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, startStandaloneGateway, unavailableReason } from './lib/switchyard.mjs';
import { startTrivial, deployTrivialEndpoint, hostPort } from './lib/targets.mjs';
import { startNginx } from './lib/nginx.mjs';
import { stop } from './lib/procs.mjs';
import { freePort } from './lib/ports.mjs';
import { placement } from './lib/cpus.mjs';
import { wrk } from './lib/wrk.mjs';
import { openLoop } from './lib/openloop.mjs';
import { withCpu } from './lib/cpu-usage.mjs';

const PATH = '/endpoints/bench/score';
const SPLIT_PATH = '/endpoints/benchsplit/score';
const NGINX_KEY = 'bench-nginx-key-0123456789abcdef';
const GATEWAY_KEY = 'bench-gateway-key-0123456789abcdef';

export async function b1(ctx) {
  const { runs, seconds, log } = ctx;
  const cpu = placement();
  const settings = {
    runs, placement: cpu.note,
    throughput: { tool: 'wrk', threads: 2, connections: 32, seconds },
    latency: { tool: 'bench/load/openloop.mjs (undici, open loop)', rate: ctx.rate, seconds, warmupSeconds: 1, connections: 64 },
    split: 'blue 90 / green 10 live, shadow mirrored at 10%',
  };
  const result = newResult('B1', 'Gateway overhead', settings);
  const cleanups = [];
  try {
    // --- the instances, and Switchyard in front of them when it can run -------------------------
    let ours = null, oursSplit = null;
    const why = unavailableReason(ctx);
    if (!why && !ctx.gatewayOnly) {
      try {
        const sy = await startSwitchyard({ cpus: cpu.sut, profileDir: ctx.profileDir, logFile: `${ctx.logDir}/b1-switchyard.log` });
        cleanups.push(() => sy.stop());
        log(`switchyard: control ${sy.controlUrl} gateway ${sy.gatewayUrl}`);
        ours = await deployTrivialEndpoint(sy, 'bench', [{ name: 'blue' }], { traffic: { blue: 100 }, log });
        ours.cpu = { pids: [sy.child.pid] };
        oursSplit = await deployTrivialEndpoint(sy, 'benchsplit', [{ name: 'blue' }, { name: 'green' }, { name: 'shadow' }],
          { traffic: { blue: 90, green: 10 }, mirror: { shadow: 10 }, log });
        result.notes.push(`Switchyard instances: ${ours.kind === 'container' ? 'bench/peers/trivial-server.mjs as a custom container' : 'bench/peers/trivial-model/score.mjs in the Node scoring host'}; direct and nginx rows hit the same instance processes.`);
      } catch (e) {
        result.notes.push(`Switchyard rows not measured: ${e.message}`.slice(0, 800));
        log(`switchyard setup failed: ${e.message}`);
        ours = oursSplit = null;
      }
    } else if (why) result.notes.push(`Switchyard rows not measured: ${why}.`);

    // Without Switchyard's runtime the instances are ours: the peers are still measured (the harness
    // is proven) and, with --gateway-only, Switchyard's gateway runs alone in front of them.
    let inst, split, instCpu;
    const workerRows = [];
    if (ours) {
      inst = ours.instances.blue[0];
      instCpu = { pids: ours.pids.blue };
      split = { blue: oursSplit.instances.blue, green: oursSplit.instances.green, shadow: oursSplit.instances.shadow };
    } else {
      const mk = async (name) => { const t = await startTrivial({ name, cpus: cpu.sut, logDir: ctx.logDir }); cleanups.push(() => stop(t.child)); return t; };
      const blue = await mk('blue');
      inst = blue.url;
      instCpu = { pids: [blue.child.pid] };
      split = { blue: [(await mk('split-blue')).url], green: [(await mk('split-green')).url], shadow: [(await mk('split-shadow')).url] };
      result.notes.push('The trivial instances were started by the benchmark (bench/peers/trivial-server.mjs), not by Switchyard.');
      if (ctx.gatewayOnly && !why) {
        const gw = await startStandaloneGateway({
          key: GATEWAY_KEY,
          endpoints: {
            bench: { traffic: { blue: 100 }, mirror: null, deployments: { blue: [inst] } },
            benchsplit: { traffic: { blue: 90, green: 10 }, mirror: { shadow: 10 }, deployments: split },
          },
        }, { cpus: cpu.sut, profileDir: ctx.profileDir, logFile: `${ctx.logDir}/b1-gateway-standalone.log` });
        cleanups.push(() => gw.stop());
        ours = { scoringUrl: `${gw.gatewayUrl}/endpoints/bench/score`, key: GATEWAY_KEY, cpu: { groups: [gw.child.pid] } };
        oursSplit = { scoringUrl: `${gw.gatewayUrl}/endpoints/benchsplit/score`, key: GATEWAY_KEY, cpu: ours.cpu };
        result.settings.switchyard = 'gateway only (--gateway-only): bench/peers/gateway-standalone.mjs runs dist/gateway/host.js with a hand-made routing snapshot; no control plane, no runtime';
      }
    }

    // Gateway workers (--gateway-workers N): the standalone gateway with 1 and with 2 worker processes,
    // NOT pinned (the point is to use more cores); the instance on the SUT CPU, wrk on the load CPU. With
    // the full server, a trivial instance of our own (the server's instances want their secret).
    if (!why && !ctx.peerOnly) {
      let wInst = inst;
      if (!ctx.gatewayOnly) {
        const t = await startTrivial({ name: 'workers', cpus: cpu.sut, logDir: ctx.logDir });
        cleanups.push(() => stop(t.child));
        wInst = t.url;
      }
      for (const n of [1, 2]) {
        const w = await startStandaloneGateway({ key: GATEWAY_KEY, workers: n, maxConcurrent: 256, endpoints: { bench: { traffic: { blue: 100 }, mirror: null, deployments: { blue: [wInst] } } } },
          { logFile: `${ctx.logDir}/b1-gateway-workers-${n}.log` });
        cleanups.push(() => w.stop());
        workerRows.push({ n, url: `${w.gatewayUrl}/endpoints/bench/score`, cpu: { groups: [w.child.pid] } });
      }
      result.settings.workers = 'gateway workers rows: bench/peers/gateway-standalone.mjs with 1 and 2 worker processes (serve --gateway-workers), unpinned; a trivial instance on the SUT CPU; wrk on the load CPU';
    }

    const ng = await startNginx({ path: PATH, upstreams: { blue: [hostPort(inst)] }, traffic: [{ upstream: 'blue', percent: 100 }], key: NGINX_KEY }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ng.stop());
    const ngSplit = await startNginx({
      path: SPLIT_PATH,
      upstreams: { blue: split.blue.map(hostPort), green: split.green.map(hostPort), shadow: split.shadow.map(hostPort) },
      traffic: [{ upstream: 'blue', percent: 90 }, { upstream: 'green', percent: 10 }],
      mirror: { upstream: 'shadow', percent: 10 }, key: NGINX_KEY,
    }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ngSplit.stop());

    // --- rows ----------------------------------------------------------------------------------
    const targets = [
      { sys: 'direct', label: 'direct (no proxy)', url: `${inst}/score`, key: null, cpu: instCpu },
      { sys: 'nginx', label: 'nginx reverse proxy', url: ng.url, key: NGINX_KEY, cpu: { groups: [ng.child.pid] } },
      { sys: 'switchyard', label: 'Switchyard gateway', url: ours?.scoringUrl, key: ours?.key, cpu: ours?.cpu },
      { sys: 'nginx', label: 'nginx split 90/10 + mirror 10%', url: ngSplit.url, key: NGINX_KEY, split: true, cpu: { groups: [ngSplit.child.pid] } },
      { sys: 'switchyard', label: 'Switchyard split 90/10 + mirror 10%', url: oursSplit?.scoringUrl, key: oursSplit?.key, split: true, cpu: ours?.cpu },
    ];
    for (const w of workerRows) targets.push({ sys: 'switchyard', label: `Switchyard gateway, ${w.n} worker${w.n > 1 ? ' processes' : ''} (unpinned)`, url: w.url, key: GATEWAY_KEY, workers: w.n, cpu: w.cpu });
    const rows = [];
    for (const t of targets) {
      const headers = t.key ? { Authorization: `Bearer ${t.key}` } : {};
      const tag = `${t.sys}${t.split ? '-split' : ''}${t.workers ? `-w${t.workers}` : ''}`;
      // Worker rows: throughput only (what more workers are for).
      for (const group of t.workers ? ['throughput'] : ['throughput', 'latency']) {
        const spec = { id: `${group === 'throughput' ? 'tp' : 'lat'}-${tag}`, group: t.workers ? 'workers-throughput' : t.split ? `split-${group}` : group, label: t.label, system: t.sys };
        if (!t.url) { skipRow(result, spec, 'Switchyard not running'); continue; }
        rows.push(addRow(result, {
          ...spec,
          measure: group === 'throughput'
            ? () => withCpu(t.cpu, () => wrk(t.url, { threads: 2, connections: 32, seconds, headers, cpus: cpu.load }))
            : () => withCpu(t.cpu, () => openLoop(t.url, { rate: ctx.rate, seconds, warmup: 1, connections: 64, headers, cpus: cpu.load })),
        }));
      }
    }
    // Warm every path (connection pools, and V8's optimising compiler: the gateway is still compiling
    // hot functions a few seconds into load) before anything is recorded.
    for (const t of targets.filter((x) => x.url)) await wrk(t.url, { threads: 1, connections: 8, seconds: 3, headers: t.key ? { Authorization: `Bearer ${t.key}` } : {}, cpus: cpu.load }).catch(() => {});
    await measureInterleaved(rows, runs, log);
    finalise(result);

    // --- targets -------------------------------------------------------------------------------
    const tpOurs = med(result, 'tp-switchyard', 'rps'), tpNginx = med(result, 'tp-nginx', 'rps');
    // Targets of issue 16 (throughput ≥ 0.8× nginx, gateway CPU ≤ 22 µs per request, added p50 ≤ 60 µs).
    addCheck(result, { id: 'b1-throughput', label: 'B1 throughput, Switchyard ÷ nginx', measured: tpOurs && tpNginx && tpOurs / tpNginx, unit: '×', target: '≥ 0.8', pass: tpOurs / tpNginx >= 0.8 });
    // CPU per request barely depends on the neighbours' load: the robust form of the throughput target.
    const cOurs = med(result, 'tp-switchyard', 'cpuUsPerReq'), cNginx = med(result, 'tp-nginx', 'cpuUsPerReq');
    addCheck(result, { id: 'b1-cpu-us', label: 'B1 gateway CPU per proxied request (closed loop)', measured: cOurs, unit: 'µs', target: '≤ 22 µs (nginx: see the table)', pass: cOurs != null && cOurs <= 22 });
    addCheck(result, { id: 'b1-cpu', label: 'B1 proxy CPU per request, Switchyard ÷ nginx (closed loop)', measured: cOurs && cNginx && cOurs / cNginx, unit: '×', target: '≤ 1.25 (what ≥ 0.8× throughput implies)', pass: cOurs / cNginx <= 1.25 });
    const dP50 = sub(med(result, 'lat-switchyard', 'p50Ms'), med(result, 'lat-direct', 'p50Ms'));
    const dP99 = sub(med(result, 'lat-switchyard', 'p99Ms'), med(result, 'lat-direct', 'p99Ms'));
    addCheck(result, { id: 'b1-added-p50', label: 'B1 added p50 over direct', measured: dP50, unit: 'ms', target: '≤ 0.06 ms', pass: dP50 <= 0.06 });
    addCheck(result, { id: 'b1-added-p99', label: 'B1 added p99 over direct', measured: dP99, unit: 'ms', target: '≤ 1 ms', pass: dP99 <= 1 });
    const sOurs = med(result, 'tp-switchyard-split', 'rps'), sNginx = med(result, 'tp-nginx-split', 'rps');
    addCheck(result, { id: 'b1-split-throughput', label: 'B1 split+mirror throughput, Switchyard ÷ nginx', measured: sOurs && sNginx && sOurs / sNginx, unit: '×', target: '≥ 1.0', pass: sOurs / sNginx >= 1 });
    const w1 = med(result, 'tp-switchyard-w1', 'rps'), w2 = med(result, 'tp-switchyard-w2', 'rps');
    if (w1 && w2) result.notes.push(`Gateway workers: 2 worker processes serve ${(w2 / w1).toFixed(2)}× the requests/s of 1 (unpinned, on this ${cpu.sut == null ? '' : '2-CPU '}machine shared with the instance and wrk; not a target).`);
    // nginx's own overhead, for scale (not a target).
    result.notes.push(`nginx added p50 ${fmt(sub(med(result, 'lat-nginx', 'p50Ms'), med(result, 'lat-direct', 'p50Ms')))} ms, p99 ${fmt(sub(med(result, 'lat-nginx', 'p99Ms'), med(result, 'lat-direct', 'p99Ms')))} ms over direct (reference).`);
    return result;
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  }
}

const sub = (a, b) => (a == null || b == null ? null : a - b);
const fmt = (x) => (x == null ? 'n/a' : x.toFixed(3));
