// B3 scoring throughput: the tutorial's sklearn score.py (examples/safe-rollout model-1) behind
// Switchyard (Python scoring host, 2 instances, through the gateway with key auth) against the same
// score.py under gunicorn + Flask with 2 workers (bench/peers/flask_app.py). Closed loop with wrk,
// not pinned: both sides get the whole machine, as a user's deployment would.
import { join } from 'node:path';
import { newResult, addRow, skipRow, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason, writeYamlFiles, sklearnDeployment, sklearnModelDir } from './lib/switchyard.mjs';
import { waitScoring } from './lib/targets.mjs';
import { start, stop, waitHttp } from './lib/procs.mjs';
import { freePort } from './lib/ports.mjs';
import { repoRoot } from './lib/paths.mjs';
import { wrk } from './lib/wrk.mjs';
import { withCpu } from './lib/cpu-usage.mjs';
import { readFileSync } from 'node:fs';

const THREADS = 2, CONNECTIONS = 16;

export async function b3(ctx) {
  const { runs, seconds, log } = ctx;
  const modelDir = sklearnModelDir();
  const body = readFileSync(join(modelDir, 'sample-request.json'), 'utf8').trim();
  const result = newResult('B3', 'Scoring throughput (sklearn score.py)', {
    runs, placement: 'not pinned', load: { tool: 'wrk', threads: THREADS, connections: CONNECTIONS, seconds },
    model: 'examples/safe-rollout/endpoints/online/model-1 (score.py, sample-request.json)',
    switchyard: '2 instances (WORKER_COUNT 1), max_concurrent_requests_per_instance 8', peer: 'gunicorn -w 2 + Flask (bench/peers/flask_app.py): sync workers, and gthread with keep-alive',
  });
  const cleanups = [];
  try {
    // --- the peers ---------------------------------------------------------------------------------
    // gunicorn's default sync workers (the usual deployment, and what Azure's inference server runs)
    // close the connection after every answer; the gthread variant keeps connections alive, so the
    // comparison does not hinge on TCP handshakes alone.
    const startGunicorn = async (label, extra) => {
      const port = await freePort();
      const args = ['-m', 'gunicorn', '-w', '2', ...extra, '-b', `127.0.0.1:${port}`, '--chdir', join(repoRoot, 'bench', 'peers'), 'flask_app:app'];
      const child = start(label, '/usr/bin/python3', args, {
        env: { SCORE_PY: join(modelDir, 'onlinescoring', 'score.py'), AZUREML_MODEL_DIR: modelDir }, log: join(ctx.logDir, `b3-${label}.log`),
      });
      cleanups.push(() => stop(child, { graceMs: 5000 }));
      await waitHttp(`http://127.0.0.1:${port}/`, { child, timeoutMs: 20000 });
      result.setupCommands.push(`SCORE_PY=${rel(join(modelDir, 'onlinescoring', 'score.py'))} AZUREML_MODEL_DIR=${rel(modelDir)} /usr/bin/python3 ${args.map(rel).join(' ')}`);
      return { child, url: `http://127.0.0.1:${port}/score` };
    };
    result.setupCommands = [];
    const gSync = await startGunicorn('gunicorn-sync', []);
    const gThread = await startGunicorn('gunicorn-gthread', ['-k', 'gthread', '--threads', '2', '--keep-alive', '30']);

    // --- Switchyard ---------------------------------------------------------------------------------
    let ours = null;
    const why = unavailableReason(ctx);
    if (!why) {
      try {
        const sy = await startSwitchyard({ profileDir: ctx.profileDir, logFile: join(ctx.logDir, 'b3-switchyard.log') });
        cleanups.push(() => sy.stop());
        const files = writeYamlFiles({ endpoint: { name: 'sklearn', auth_mode: 'key' }, blue: sklearnDeployment({ name: 'blue', endpoint: 'sklearn', instances: 2, maxConcurrent: 8 }) });
        await sy.cli(['online-endpoint', 'create', '-n', 'sklearn', '-f', files.endpoint]);
        await sy.cli(['online-deployment', 'create', '-n', 'blue', '-e', 'sklearn', '-f', files.blue, '--all-traffic'], { timeoutMs: 120000 });
        ours = { key: await sy.key('sklearn'), url: sy.scoringUrl('sklearn'), instances: await sy.instanceUrls('sklearn', 'blue'), pids: await sy.instancePids('sklearn', 'blue'), server: sy.child.pid, secrets: await sy.instanceSecrets('sklearn', 'blue') };
        await waitScoring(ours.url, ours.key, { body });
        result.setupCommands.push(
          'switchyard online-endpoint create -n sklearn -f endpoint.yml',
          'switchyard online-deployment create -n blue -e sklearn -f blue.yml --all-traffic   # model-1, instance_count 2, max_concurrent_requests_per_instance 8, interpreter /usr/bin/python3');
      } catch (e) {
        result.notes.push(`Switchyard rows not measured: ${e.message}`.slice(0, 800));
        ours = null;
      }
    } else result.notes.push(`Switchyard rows not measured: ${why}.`);

    // --- rows ----------------------------------------------------------------------------------
    const load = (url, key, connections = CONNECTIONS, secs = seconds, extra = {}) => wrk(url, { threads: THREADS, connections, seconds: secs, body, headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...extra } });
    const rows = [];
    const spec = (id, label, system) => ({ id, group: 'scoring', label, system });
    if (ours) {
      rows.push(addRow(result, { ...spec('sy', 'Switchyard: gateway + 2 Python host instances', 'switchyard'), measure: () => withCpu({ pids: [ours.server, ...ours.pids] }, () => load(ours.url, ours.key)) }));
    } else skipRow(result, spec('sy', 'Switchyard: gateway + 2 Python host instances', 'switchyard'), 'Switchyard not running');
    rows.push(addRow(result, { ...spec('gunicorn', 'gunicorn + Flask, 2 sync workers', 'gunicorn'), measure: () => withCpu({ groups: [gSync.child.pid] }, () => load(gSync.url, null)) }));
    rows.push(addRow(result, { ...spec('gunicorn-gthread', 'gunicorn + Flask, 2 gthread workers (keep-alive)', 'gunicorn'), measure: () => withCpu({ groups: [gThread.child.pid] }, () => load(gThread.url, null)) }));
    // Reference, not a target: one Python host instance without the gateway (half the capacity),
    // to tell the host's own cost from the gateway's.
    if (ours?.instances?.[0]) {
      rows.push(addRow(result, { ...spec('sy-one-direct', 'one Switchyard Python instance, direct (reference, 8 connections)', 'direct'), measure: () => withCpu({ pids: ours.pids }, () => load(`${ours.instances[0]}/score`, null, 8, seconds, { 'x-switchyard-instance-secret': ours.secrets?.[ours.instances[0]] ?? '' })) }));
    }
    // Warm-up, not recorded: first requests pay for imports and page faults in every worker.
    if (ours) await load(ours.url, ours.key, CONNECTIONS, 1).catch(() => {});
    await load(gSync.url, null, CONNECTIONS, 1).catch(() => {});
    await load(gThread.url, null, CONNECTIONS, 1).catch(() => {});
    await measureInterleaved(rows, runs, log);
    finalise(result);

    const a = med(result, 'sy', 'rps'), b = med(result, 'gunicorn', 'rps'), c = med(result, 'gunicorn-gthread', 'rps');
    addCheck(result, { id: 'b3-throughput', label: 'B3 scoring throughput, Switchyard ÷ gunicorn+Flask (sync)', measured: a && b && a / b, unit: '×', target: '≥ 1.0', pass: a / b >= 1 });
    addCheck(result, { id: 'b3-throughput-gthread', label: 'B3 scoring throughput, Switchyard ÷ gunicorn+Flask (gthread, keep-alive)', measured: a && c && a / c, unit: '×', target: '≥ 1.0', pass: a / c >= 1 });
    result.columnNotes = { cpuUsPerReq: 'user+system CPU time of the whole serving stack during the run, divided by its requests: for Switchyard the server process (gateway thread included) plus both instances; for gunicorn the master and its workers; for the direct row the instance. Capacity on a quiet machine follows from it (2 CPUs ÷ CPU per request, less what wrk uses).' };
    const p = med(result, 'sy', 'p99Ms'), q = med(result, 'gunicorn', 'p99Ms');
    result.notes.push(`p99 under load: Switchyard ${p ?? '–'} ms, gunicorn+Flask ${q ?? '–'} ms (wrk, ${CONNECTIONS} connections).`);
    return result;
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  }
}

const rel = (p) => (p.startsWith(repoRoot + '/') ? p.slice(repoRoot.length + 1) : p);
