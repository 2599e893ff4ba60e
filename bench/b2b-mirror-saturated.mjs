// B2b mirror isolation at saturation: B2 asks whether a slow shadow leaks into live latency at a
// moderate open-loop rate; B2b asks the same when the machine is saturated. Closed loop (wrk -c4: each
// connection sends its next request as soon as the last is answered, so the system under test never
// idles), a JavaScript live instance, a 250 ms shadow mirrored at 50%, everything under test pinned to
// one CPU. Rows are interleaved runs; the table shows medians. Side by side with nginx's `mirror`.
// What makes Switchyard's shadow yield here: shadow-only instances run at nice 19 (setCpuPriority) and
// the gateway sheds copies first when it is busy (gateway/load-shed.ts), counted as dropped.
import { newResult, addRow, skipRow, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason } from './lib/switchyard.mjs';
import { startTrivial, deployTrivialEndpoint, hostPort } from './lib/targets.mjs';
import { startNginx } from './lib/nginx.mjs';
import { stop } from './lib/procs.mjs';
import { freePort } from './lib/ports.mjs';
import { placement } from './lib/cpus.mjs';
import { wrk } from './lib/wrk.mjs';
import { withCpu } from './lib/cpu-usage.mjs';

const SHADOW_DELAY_MS = 250;
const MIRROR_PERCENT = 50;
const CONNECTIONS = 4;
const PATH = '/endpoints/saturated/score';
const NGINX_KEY = 'bench-nginx-key-0123456789abcdef';

export async function b2b(ctx) {
  const { runs, seconds, log } = ctx;
  const cpu = placement();
  const result = newResult('B2b', 'Mirror isolation at saturation', {
    runs, placement: cpu.note, live: 'trivial JavaScript model answering at once', shadow: `trivial model answering after ${SHADOW_DELAY_MS} ms`,
    mirror: `${MIRROR_PERCENT}%`, load: { tool: 'wrk (closed loop)', threads: 1, connections: CONNECTIONS, seconds },
  });
  const cleanups = [];
  let sy = null, ours = null;
  try {
    const why = ctx.peerOnly ? 'peer-only run (--peer-only)' : unavailableReason();
    if (!why) {
      try {
        sy = await startSwitchyard({ cpus: cpu.sut, profileDir: ctx.profileDir, logFile: `${ctx.logDir}/b2b-switchyard.log` });
        cleanups.push(() => sy.stop());
        ours = await deployTrivialEndpoint(sy, 'saturated', [{ name: 'live', delayMs: 0 }, { name: 'shadow', delayMs: SHADOW_DELAY_MS }],
          { traffic: { live: 100 }, log });
        ours.cpu = { pids: [sy.child.pid] };
      } catch (e) {
        result.notes.push(`Switchyard rows not measured: ${e.message}`.slice(0, 800));
        ours = null;
      }
    } else result.notes.push(`Switchyard rows not measured: ${why}.`);

    let live, shadow;
    if (ours) { live = ours.instances.live; shadow = ours.instances.shadow; } else {
      const l = await startTrivial({ name: 'live', delayMs: 0, cpus: cpu.sut, logDir: ctx.logDir });
      const s = await startTrivial({ name: 'shadow', delayMs: SHADOW_DELAY_MS, cpus: cpu.sut, logDir: ctx.logDir });
      cleanups.push(() => stop(l.child), () => stop(s.child));
      live = [l.url]; shadow = [s.url];
      result.notes.push('Peer-only mode: the live and shadow instances were started by the benchmark (bench/peers/trivial-server.mjs).');
    }
    const upstreams = { live: live.map(hostPort), shadow: shadow.map(hostPort) };
    const ngPlain = await startNginx({ path: PATH, upstreams, traffic: [{ upstream: 'live', percent: 100 }], key: NGINX_KEY }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ngPlain.stop());
    const ngMirror = await startNginx({ path: PATH, upstreams, traffic: [{ upstream: 'live', percent: 100 }], mirror: { upstream: 'shadow', percent: MIRROR_PERCENT }, key: NGINX_KEY }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ngMirror.stop());

    const load = (url, key, who) => withCpu(who, () => wrk(url, { threads: 1, connections: CONNECTIONS, seconds, headers: { Authorization: `Bearer ${key}` }, cpus: cpu.load }));
    const setMirror = async (p) => {
      await sy.cli(['online-endpoint', 'update', '-n', 'saturated', '--mirror-traffic', `shadow=${p}`]);
      await new Promise((r) => setTimeout(r, 300)); // the gateway's snapshot swap follows the stored change
    };
    // Copies dropped (by reason) while a row ran: the price of yielding, reported beside the latency.
    const dropsNow = async () => {
      const text = await sy.cli(['online-endpoint', 'compare', '-n', 'saturated', '--deployment', 'shadow'], { allowFail: true });
      try { return JSON.parse(text.stdout).shadows[0]; } catch { return null; }
    };
    const rows = [];
    const spec = (id, label, system) => ({ id, group: 'saturated', label, system });
    if (ours) {
      rows.push(addRow(result, { ...spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), measure: async () => { await setMirror(0); return load(ours.scoringUrl, ours.key, ours.cpu); } }));
      rows.push(addRow(result, {
        ...spec('sy-mirror', `Switchyard, ${SHADOW_DELAY_MS} ms shadow mirrored at ${MIRROR_PERCENT}%`, 'switchyard'),
        measure: async () => {
          await setMirror(MIRROR_PERCENT);
          const before = await dropsNow();
          const r = await load(ours.scoringUrl, ours.key, ours.cpu);
          const after = await dropsNow();
          if (before && after) {
            r.comparedPairs = after.pairs - before.pairs;
            r.droppedCopies = after.dropped - before.dropped;
            r.droppedByReason = Object.fromEntries(Object.entries(after.dropped_by_reason).map(([k, v]) => [k, v - (before.dropped_by_reason[k] ?? 0)]));
          }
          return r;
        },
      }));
      result.setupCommands = ['# Switchyard rows switch the mirror of the same endpoint before each run:',
        `switchyard online-endpoint update -n saturated --mirror-traffic "shadow=${MIRROR_PERCENT}"   # or "shadow=0"`];
    } else {
      skipRow(result, spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), 'Switchyard not running');
      skipRow(result, spec('sy-mirror', `Switchyard, ${SHADOW_DELAY_MS} ms shadow mirrored at ${MIRROR_PERCENT}%`, 'switchyard'), 'Switchyard not running');
    }
    rows.push(addRow(result, { ...spec('ng-plain', 'nginx, no mirror', 'nginx'), measure: () => load(ngPlain.url, NGINX_KEY, { groups: [ngPlain.child.pid] }) }));
    rows.push(addRow(result, { ...spec('ng-mirror', `nginx, ${SHADOW_DELAY_MS} ms shadow mirrored at ${MIRROR_PERCENT}%`, 'nginx'), measure: () => load(ngMirror.url, NGINX_KEY, { groups: [ngMirror.child.pid] }) }));
    await measureInterleaved(rows, runs, log);
    finalise(result);

    const ratio = (a, b) => { const x = med(result, a, 'p99Ms'), y = med(result, b, 'p99Ms'); return x == null || y == null ? null : x / y; };
    const ourR = ratio('sy-mirror', 'sy-plain'), ngR = ratio('ng-mirror', 'ng-plain');
    addCheck(result, { id: 'b2b-ours', label: 'B2b Switchyard live p99 at saturation, mirror ÷ no mirror', measured: ourR, unit: '×', target: '≤ 1.20', pass: ourR != null && ourR <= 1.2 });
    addCheck(result, { id: 'b2b-nginx', label: 'B2b nginx live p99 at saturation, mirror ÷ no mirror (the peer)', measured: ngR, unit: '×', target: 'reported', pass: ngR != null });
    return result;
  } finally {
    if (ours && sy) await sy.cli(['online-endpoint', 'update', '-n', 'saturated', '--mirror-traffic', 'shadow=0'], { allowFail: true }).catch(() => {});
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  }
}
