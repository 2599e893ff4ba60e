// B2 mirror isolation: live latency while a shadow 100× slower than the live model gets 50% of the
// requests mirrored, against the same live model without a mirror. Ours (mirror_traffic) and
// nginx's `mirror` module, which answers the client but keeps the connection busy until the mirror
// subrequest ends, so the next request on that keep-alive connection waits.
// Open loop at half the B1 rate, so that mirroring's own CPU cost on the shared core stays small
// beside what is being measured: whether the slow shadow leaks into live latency.
import { newResult, addRow, skipRow, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason } from './lib/switchyard.mjs';
import { startTrivial, deployTrivialEndpoint, hostPort } from './lib/targets.mjs';
import { startNginx } from './lib/nginx.mjs';
import { stop } from './lib/procs.mjs';
import { freePort } from './lib/ports.mjs';
import { placement } from './lib/cpus.mjs';
import { openLoop } from './lib/openloop.mjs';
import { withCpu } from './lib/cpu-usage.mjs';

const LIVE_DELAY_MS = 1;
const SHADOW_DELAY_MS = 100;
const MIRROR_PERCENT = 50;
const PATH = '/endpoints/mirror/score';
const NGINX_KEY = 'bench-nginx-key-0123456789abcdef';

export async function b2(ctx) {
  const { runs, seconds, log } = ctx;
  const cpu = placement();
  const rate = Math.round(ctx.rate / 2);
  const result = newResult('B2', 'Mirror isolation', {
    runs, placement: cpu.note, live: `trivial model answering after ${LIVE_DELAY_MS} ms`, shadow: `trivial model answering after ${SHADOW_DELAY_MS} ms`,
    mirror: `${MIRROR_PERCENT}%`, load: { tool: 'bench/load/openloop.mjs (undici, open loop)', rate, seconds, warmupSeconds: 1, connections: 64 },
  });
  const cleanups = [];
  let sy = null, ours = null;
  try {
    const why = ctx.peerOnly ? 'peer-only run (--peer-only)' : unavailableReason();
    if (!why) {
      try {
        sy = await startSwitchyard({ cpus: cpu.sut, profileDir: ctx.profileDir, logFile: `${ctx.logDir}/b2-switchyard.log` });
        cleanups.push(() => sy.stop());
        ours = await deployTrivialEndpoint(sy, 'mirror', [{ name: 'live', delayMs: LIVE_DELAY_MS }, { name: 'shadow', delayMs: SHADOW_DELAY_MS }],
          { traffic: { live: 100 }, log });
        ours.cpu = { pids: [sy.child.pid] };
      } catch (e) {
        result.notes.push(`Switchyard rows not measured: ${e.message}`.slice(0, 800));
        ours = null;
      }
    } else result.notes.push(`Switchyard rows not measured: ${why}.`);

    let live, shadow;
    if (ours) { live = ours.instances.live; shadow = ours.instances.shadow; } else {
      const l = await startTrivial({ name: 'live', delayMs: LIVE_DELAY_MS, cpus: cpu.sut, logDir: ctx.logDir });
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

    const load = (url, key, who) => withCpu(who, () => openLoop(url, { rate, seconds, warmup: 1, connections: 64, headers: { Authorization: `Bearer ${key}` }, cpus: cpu.load }));
    // Our mirror is switched on and off on the same endpoint (the same live instance) with the CLI,
    // exactly as the walkthrough does; the update has returned before the load starts.
    const setMirror = async (p) => {
      await sy.cli(['online-endpoint', 'update', '-n', 'mirror', '--mirror-traffic', `shadow=${p}`]);
      await new Promise((r) => setTimeout(r, 300)); // the gateway's snapshot swap follows the stored change
    };
    const rows = [];
    const spec = (id, label, system) => ({ id, group: 'mirror', label, system });
    if (ours) {
      rows.push(addRow(result, { ...spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), measure: async () => { await setMirror(0); return load(ours.scoringUrl, ours.key, ours.cpu); } }));
      rows.push(addRow(result, { ...spec('sy-mirror', `Switchyard, slow shadow mirrored at ${MIRROR_PERCENT}%`, 'switchyard'), measure: async () => { await setMirror(MIRROR_PERCENT); return load(ours.scoringUrl, ours.key, ours.cpu); } }));
      result.setupCommands = ['# Switchyard rows switch the mirror of the same endpoint before each run:',
        `switchyard online-endpoint update -n mirror --mirror-traffic "shadow=${MIRROR_PERCENT}"   # or "shadow=0"`];
    } else {
      skipRow(result, spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), 'Switchyard not running');
      skipRow(result, spec('sy-mirror', `Switchyard, slow shadow mirrored at ${MIRROR_PERCENT}%`, 'switchyard'), 'Switchyard not running');
    }
    rows.push(addRow(result, { ...spec('ng-plain', 'nginx, no mirror', 'nginx'), measure: () => load(ngPlain.url, NGINX_KEY, { groups: [ngPlain.child.pid] }) }));
    rows.push(addRow(result, { ...spec('ng-mirror', `nginx, slow shadow mirrored at ${MIRROR_PERCENT}%`, 'nginx'), measure: () => load(ngMirror.url, NGINX_KEY, { groups: [ngMirror.child.pid] }) }));
    await measureInterleaved(rows, runs, log);
    finalise(result);

    const ratio = (a, b) => { const x = med(result, a, 'p99Ms'), y = med(result, b, 'p99Ms'); return x == null || y == null ? null : x / y; };
    const ourR = ratio('sy-mirror', 'sy-plain'), ngR = ratio('ng-mirror', 'ng-plain');
    addCheck(result, { id: 'b2-ours', label: 'B2 Switchyard live p99, mirror ÷ no mirror', measured: ourR, unit: '×', target: '≤ 1.10', pass: ourR <= 1.1 });
    addCheck(result, { id: 'b2-nginx', label: 'B2 nginx live p99, mirror ÷ no mirror (the peer is expected not to isolate)', measured: ngR, unit: '×', target: '> 1.10 (nginx held back)', pass: ngR > 1.1 });
    return result;
  } finally {
    if (ours && sy) await sy.cli(['online-endpoint', 'update', '-n', 'mirror', '--mirror-traffic', 'shadow=0'], { allowFail: true }).catch(() => {});
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  }
}
