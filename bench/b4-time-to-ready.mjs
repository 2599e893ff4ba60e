// B4 time to ready: the wall clock of `switchyard online-deployment create` of the tutorial's sklearn
// sample until it returns Succeeded, then of `online-deployment update --set instance_count=4` (scale
// 1→4) until Succeeded (every instance Ready): what a user waits for. Each run creates a fresh
// deployment on one endpoint and deletes it afterwards. Two servers run side by side: the default one,
// whose Python instances are forked from a pre-warmed zygote, and one with SWITCHYARD_ZYGOTE=0 (every
// instance cold). The reference of each round is one cold `/usr/bin/python3 -c 'import numpy, joblib,
// sklearn.linear_model'`: every time is also given as a ratio to it (issue 16: ≤ 0.5× with the zygote).
// After each scale, the proportional set size (PSS, /proc/PID/smaps_rollup) of the four instances says
// what sharing the zygote's pages saves. A plain `online-endpoint show` is timed too, as the CLI's floor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newResult, addRow, skipAll, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason, writeYamlFiles, sklearnDeployment } from './lib/switchyard.mjs';
import { run } from './lib/procs.mjs';
import { repoRoot } from './lib/paths.mjs';

const SAMPLE = join(repoRoot, 'examples', 'safe-rollout', 'endpoints', 'online', 'managed', 'sample', 'blue-deployment.yml');
const IMPORT = 'import numpy, joblib, sklearn.linear_model';

/** Proportional set size of a process in MiB (shared pages divided among the processes sharing them). */
function pssMiB(pid) {
  const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  if (!m) throw new Error(`no Pss in /proc/${pid}/smaps_rollup`);
  return Number(m[1]) / 1024;
}

/**
 * The server's share of a create or scale, from the runtime's own log lines: for a create, the
 * storage initializer's "Preparing revision" to the last instance's "ready at"; for a scale, the first
 * new instance's "starting" to the last one's "ready at". The rest of the wall clock is the CLI's
 * (start, YAML, artifact digests, the request, the long poll) and the control plane's.
 */
function serverSeconds(server, name, instances) {
  const dir = join(server.dataDir, 'logs', 'ready', name);
  const lines = (file) => { try { return readFileSync(join(dir, file), 'utf8').split('\n'); } catch { return []; } };
  const at = (line) => (line ? Date.parse(line.slice(0, 24)) : NaN);
  const last = (arr, pred) => [...arr].reverse().find(pred);
  let start;
  if (instances[0] === 0) start = at(lines('storage-initializer.log').find((l) => l.includes(' Preparing revision ')));
  else start = Math.min(...instances.map((i) => at(last(lines(`${name}-${i}.log`), (l) => l.includes(': starting (revision ')))));
  const ready = Math.max(...instances.map((i) => at(last(lines(`${name}-${i}.log`), (l) => / ready at http/.test(l)))));
  const seconds = (ready - start) / 1000;
  return Number.isFinite(seconds) ? { serverSeconds: seconds } : {};
}

const ppidOf = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

export async function b4(ctx) {
  const { runs, log } = ctx;
  const result = newResult('B4', 'Time to ready', { runs, placement: 'not pinned', deployment: 'examples/safe-rollout/endpoints/online/managed/sample/blue-deployment.yml (model-1, score.py)', reference: `/usr/bin/python3 -c '${IMPORT}'` });
  const specs = {
    import: { id: 'import', group: 'ready', label: `python3 -c '${IMPORT}' (cold import: the reference)`, system: 'python3' },
    create: { id: 'create', group: 'ready', label: 'online-deployment create (sklearn sample) → Succeeded', system: 'switchyard' },
    scale: { id: 'scale', group: 'ready', label: 'online-deployment update --set instance_count=4 (1→4) → Succeeded', system: 'switchyard' },
    createCold: { id: 'create-cold', group: 'ready', label: 'the same create, SWITCHYARD_ZYGOTE=0 (every instance cold)', system: 'switchyard --no-zygote' },
    scaleCold: { id: 'scale-cold', group: 'ready', label: 'the same scale 1→4, SWITCHYARD_ZYGOTE=0', system: 'switchyard --no-zygote' },
    floor: { id: 'cli-floor', group: 'ready', label: 'online-endpoint show (CLI start + one request, reference)', system: 'switchyard' },
  };
  const why = unavailableReason(ctx);
  if (why) return skipAll(result, Object.values(specs), why);
  let sy, cold;
  try {
    sy = await startSwitchyard({ profileDir: ctx.profileDir, logFile: join(ctx.logDir, 'b4-switchyard.log') });
    cold = await startSwitchyard({ logFile: join(ctx.logDir, 'b4-switchyard-no-zygote.log'), env: { SWITCHYARD_ZYGOTE: '0' } });
    const files = writeYamlFiles({ endpoint: { name: 'ready', auth_mode: 'key' } });
    for (const server of [sy, cold]) await server.cli(['online-endpoint', 'create', '-n', 'ready', '-f', files.endpoint]);

    // The sample file exactly as a user has it, with name and endpoint from flags. If the server's
    // default interpreter cannot import scikit-learn, fall back to the same deployment naming
    // /usr/bin/python3 (and say so), so the timing is still of a working deployment. The first create
    // (artifacts uploaded, and on the default server the environment's zygote started) is not timed.
    let file = SAMPLE, viaSample = true;
    const probe = await sy.cli(['online-deployment', 'create', '-n', 'probe', '-e', 'ready', '-f', SAMPLE], { allowFail: true, timeoutMs: 120000 });
    if (probe.code !== 0) {
      viaSample = false;
      file = writeYamlFiles({ blue: sklearnDeployment({ name: 'blue', endpoint: 'ready', instances: 1 }) }).blue;
      result.notes.push(`The sample as written failed here (${(probe.stderr || probe.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300)}); timed the same deployment with environment.interpreter /usr/bin/python3.`);
      await sy.cli(['online-deployment', 'create', '-n', 'probe2', '-e', 'ready', '-f', file], { timeoutMs: 120000 });
    } else result.notes.push(`First create of the sample (artifacts uploaded for the first time, the environment's zygote started): ${(probe.ms / 1000).toFixed(3)} s; the rows below reuse the stored artifacts (same digests) and the zygote.`);
    await cold.cli(['online-deployment', 'create', '-n', 'probe', '-e', 'ready', '-f', file], { timeoutMs: 120000 });
    for (const server of [sy, cold]) {
      for (const n of ['probe', 'probe2']) await server.cli(['online-deployment', 'delete', '-n', n, '-e', 'ready', '--yes'], { allowFail: true, timeoutMs: 60000 });
    }
    const shown = viaSample ? 'examples/safe-rollout/endpoints/online/managed/sample/blue-deployment.yml' : 'blue.yml';

    // A round is: the reference import, create and scale on each server (then an untimed delete), the
    // CLI floor. Every time is also a ratio to the same round's import.
    let reference = null;
    const names = new Map();
    const timed = async (server, args) => {
      const r = await server.cli(args, { timeoutMs: 120000 });
      const state = r.json?.provisioning_state;
      if (state && state !== 'Succeeded') throw new Error(`${args.slice(0, 2).join(' ')} ended ${state}`);
      return r.ms / 1000;
    };
    const ratio = (seconds) => (reference ? { ratio: seconds / reference } : {});
    const createRow = (server, spec, prefix) => addRow(result, { ...spec, measure: async (run) => {
      const name = `${prefix}${run + 1}`;
      names.set(server, name);
      const seconds = await timed(server, ['online-deployment', 'create', '-n', name, '-e', 'ready', '-f', file]);
      return { seconds, ...ratio(seconds), ...serverSeconds(server, name, [0]), command: `time switchyard online-deployment create -n ${name} -e ready -f ${shown}` };
    } });
    const scaleRow = (server, spec, forked) => addRow(result, { ...spec, measure: async () => {
      const name = names.get(server);
      const seconds = await timed(server, ['online-deployment', 'update', '-n', name, '-e', 'ready', '--set', 'instance_count=4']);
      const pids = await server.instancePids('ready', name);
      const ready = (await server.instanceUrls('ready', name)).length;
      if (ready < 4 || pids.length < 4) throw new Error(`update returned with ${ready} ready instances, not 4`);
      const memory = { ...serverSeconds(server, name, [1, 2, 3]), pssMiB: pids.reduce((s, p) => s + pssMiB(p), 0) / pids.length };
      const parents = new Set(pids.map(ppidOf));
      if (forked) {
        if (parents.size !== 1 || parents.has(server.child.pid)) throw new Error(`the instances were not all forked from one zygote (parents ${[...parents].join(', ')})`);
        memory.zygotePssMiB = pssMiB([...parents][0]);
      } else if (parents.size !== 1 || !parents.has(server.child.pid)) throw new Error('the --no-zygote instances are not children of their server');
      await server.cli(['online-deployment', 'delete', '-n', name, '-e', 'ready', '--yes'], { allowFail: true, timeoutMs: 60000 });
      return { seconds, ...ratio(seconds), ...memory, command: `time switchyard online-deployment update -n ${name} -e ready --set instance_count=4` };
    } });
    const rows = [
      addRow(result, { ...specs.import, measure: async () => {
        const r = await run('/usr/bin/python3', ['-c', IMPORT], { timeoutMs: 60000 });
        if (r.code !== 0) throw new Error(`the reference import failed: ${r.stderr.slice(-300)}`);
        reference = r.ms / 1000;
        return { seconds: reference, ratio: 1, command: `time /usr/bin/python3 -c '${IMPORT}'` };
      } }),
      createRow(sy, specs.create, 'ready'),
      scaleRow(sy, specs.scale, true),
      createRow(cold, specs.createCold, 'cold'),
      scaleRow(cold, specs.scaleCold, false),
      addRow(result, { ...specs.floor, measure: async () => {
        const seconds = await timed(sy, ['online-endpoint', 'show', '-n', 'ready']);
        return { seconds, ...ratio(seconds), command: 'time switchyard online-endpoint show -n ready' };
      } }),
    ];
    await measureInterleaved(rows, runs, log);
    finalise(result);
    const c = med(result, 'create', 'ratio'), s = med(result, 'scale', 'ratio');
    addCheck(result, { id: 'b4-create-ratio', label: 'B4 create → Succeeded ÷ cold import', measured: c, unit: '×', target: '≤ 0.5×', pass: c <= 0.5 });
    addCheck(result, { id: 'b4-scale-ratio', label: 'B4 scale 1→4 → Succeeded ÷ cold import', measured: s, unit: '×', target: '≤ 0.5×', pass: s <= 0.5 });
    const cs = med(result, 'create', 'seconds'), ss = med(result, 'scale', 'seconds');
    addCheck(result, { id: 'b4-create', label: 'B4 create → Succeeded', measured: cs, unit: 's', target: '< 2 s', pass: cs < 2 });
    addCheck(result, { id: 'b4-scale', label: 'B4 scale 1→4 → Succeeded', measured: ss, unit: 's', target: '< 1.5 s', pass: ss < 1.5 });
    const pf = med(result, 'scale', 'pssMiB'), pc = med(result, 'scale-cold', 'pssMiB'), pz = med(result, 'scale', 'zygotePssMiB');
    if (pf != null && pc != null) {
      result.notes.push(`Memory (PSS per instance, after scale 1→4, medians): forked ${pf.toFixed(1)} MiB, cold ${pc.toFixed(1)} MiB; the zygote itself ${pz?.toFixed(1) ?? '?'} MiB. Four instances with their zygote: ${(4 * pf + (pz ?? 0)).toFixed(1)} MiB against ${(4 * pc).toFixed(1)} MiB cold.`);
    }
    result.columnNotes = {
      ratio: 'the run\'s seconds divided by the same round\'s cold import of numpy, joblib and sklearn.linear_model (the first row).',
      serverSeconds: 'the server\'s share of the row, from the runtime\'s log lines: for a create, "Preparing revision" (storage initializer) to the instance\'s "ready at"; for a scale, the first new instance\'s "starting" to the last one\'s "ready at". The rest of the wall clock is the CLI (process start, YAML, artifact digests, requests, long poll) and the control plane.',
      pssMiB: 'mean proportional set size of the four instances (/proc/PID/smaps_rollup) right after the scale: pages shared with the zygote and the other instances count for their share only.',
    };
    result.setupCommands = [
      'switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)',
      'SWITCHYARD_ZYGOTE=0 switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)   # the --no-zygote rows',
      'switchyard online-endpoint create -n ready -f endpoint.yml   # on each',
    ];
    return result;
  } finally {
    if (sy) await sy.stop().catch(() => {});
    if (cold) await cold.stop().catch(() => {});
  }
}
