// The shape B2 and B2b share: one endpoint with a live and a slow shadow deployment, four interleaved
// rows (Switchyard and nginx, each without and with the shadow mirrored), the same live and shadow
// instance processes behind both, and a ratio of live p99 (mirror ÷ no mirror) per system.
// The two benchmarks differ only in their load (open vs closed loop), delays, labels and checks.
import { newResult, addRow, skipRow, measureInterleaved, finalise, med } from './results.mjs';
import { startSwitchyard, unavailableReason } from './switchyard.mjs';
import { startTrivial, deployTrivialEndpoint, hostPort } from './targets.mjs';
import { startNginx } from './nginx.mjs';
import { stop } from './procs.mjs';
import { freePort } from './ports.mjs';
import { placement } from './cpus.mjs';
import { withCpu } from './cpu-usage.mjs';

const NGINX_KEY = 'bench-nginx-key-0123456789abcdef';

/**
 * @param ctx the benchmark context (runs, log, logDir, profileDir, peerOnly)
 * @param b {{ id, title, endpoint, liveDelayMs, shadowDelayMs, mirrorPercent, shadowLabel, params,
 *   generate: (url, headers, cpus) => Promise<object>,
 *   aroundMirrorRun?: (sy, run: () => Promise<object>) => Promise<object>,
 *   checks: (result, ratios: { ours: number|null, nginx: number|null }) => void }} b
 */
export async function mirrorBench(ctx, b) {
  const { runs, log } = ctx;
  const cpu = placement();
  const result = newResult(b.id, b.title, { runs, placement: cpu.note, ...b.params });
  const cleanups = [];
  let sy = null, ours = null;
  const setMirror = (p) => sy.cli(['online-endpoint', 'update', '-n', b.endpoint, '--mirror-traffic', `shadow=${p}`]);
  try {
    const why = unavailableReason(ctx);
    if (!why) {
      try {
        sy = await startSwitchyard({ cpus: cpu.sut, profileDir: ctx.profileDir, logFile: `${ctx.logDir}/${b.id.toLowerCase()}-switchyard.log` });
        cleanups.push(() => sy.stop());
        ours = await deployTrivialEndpoint(sy, b.endpoint, [{ name: 'live', delayMs: b.liveDelayMs }, { name: 'shadow', delayMs: b.shadowDelayMs }],
          { traffic: { live: 100 }, log });
        ours.cpu = { pids: [sy.child.pid] };
      } catch (e) {
        result.notes.push(`Switchyard rows not measured: ${e.message}`.slice(0, 800));
        ours = null;
      }
    } else result.notes.push(`Switchyard rows not measured: ${why}.`);

    let live, shadow;
    if (ours) { live = ours.instances.live; shadow = ours.instances.shadow; } else {
      const l = await startTrivial({ name: 'live', delayMs: b.liveDelayMs, cpus: cpu.sut, logDir: ctx.logDir });
      const s = await startTrivial({ name: 'shadow', delayMs: b.shadowDelayMs, cpus: cpu.sut, logDir: ctx.logDir });
      cleanups.push(() => stop(l.child), () => stop(s.child));
      live = [l.url]; shadow = [s.url];
      result.notes.push('Peer-only mode: the live and shadow instances were started by the benchmark (bench/peers/trivial-server.mjs).');
    }
    const path = `/endpoints/${b.endpoint}/score`;
    const upstreams = { live: live.map(hostPort), shadow: shadow.map(hostPort) };
    const traffic = [{ upstream: 'live', percent: 100 }];
    const ngPlain = await startNginx({ path, upstreams, traffic, key: NGINX_KEY }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ngPlain.stop());
    const ngMirror = await startNginx({ path, upstreams, traffic, mirror: { upstream: 'shadow', percent: b.mirrorPercent }, key: NGINX_KEY }, { cpus: cpu.sut, port: await freePort() });
    cleanups.push(() => ngMirror.stop());

    const load = (url, key, who) => withCpu(who, () => b.generate(url, { Authorization: `Bearer ${key}` }, cpu.load));
    const rows = [];
    const spec = (id, label, system) => ({ id, group: b.endpoint, label, system });
    const mirrored = `${b.shadowLabel} mirrored at ${b.mirrorPercent}%`;
    if (ours) {
      // The mirror is switched on and off on the same endpoint (the same live instance) with the CLI,
      // exactly as the walkthrough does; the update returns once the gateway routes by it.
      const run = () => load(ours.scoringUrl, ours.key, ours.cpu);
      rows.push(addRow(result, { ...spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), measure: async () => { await setMirror(0); return run(); } }));
      rows.push(addRow(result, {
        ...spec('sy-mirror', `Switchyard, ${mirrored}`, 'switchyard'),
        measure: async () => { await setMirror(b.mirrorPercent); return b.aroundMirrorRun ? b.aroundMirrorRun(sy, run) : run(); },
      }));
      result.setupCommands = ['# Switchyard rows switch the mirror of the same endpoint before each run:',
        `switchyard online-endpoint update -n ${b.endpoint} --mirror-traffic "shadow=${b.mirrorPercent}"   # or "shadow=0"`];
    } else {
      skipRow(result, spec('sy-plain', 'Switchyard, no mirror', 'switchyard'), 'Switchyard not running');
      skipRow(result, spec('sy-mirror', `Switchyard, ${mirrored}`, 'switchyard'), 'Switchyard not running');
    }
    rows.push(addRow(result, { ...spec('ng-plain', 'nginx, no mirror', 'nginx'), measure: () => load(ngPlain.url, NGINX_KEY, { groups: [ngPlain.child.pid] }) }));
    rows.push(addRow(result, { ...spec('ng-mirror', `nginx, ${mirrored}`, 'nginx'), measure: () => load(ngMirror.url, NGINX_KEY, { groups: [ngMirror.child.pid] }) }));
    await measureInterleaved(rows, runs, log);
    finalise(result);

    const ratio = (a, c) => { const x = med(result, a, 'p99Ms'), y = med(result, c, 'p99Ms'); return x == null || y == null ? null : x / y; };
    b.checks(result, { ours: ratio('sy-mirror', 'sy-plain'), nginx: ratio('ng-mirror', 'ng-plain') });
    return result;
  } finally {
    if (ours && sy) await setMirror(0).catch(() => {});
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  }
}
