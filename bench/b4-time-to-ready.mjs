// B4 time to ready: the wall clock of `switchyard online-deployment create` of the tutorial's sklearn
// sample until it returns Succeeded, then of `online-deployment update --set instance_count=4` (scale
// 1→4) until Succeeded: what a user waits for. Each run creates a fresh deployment on one endpoint
// and deletes it afterwards. A plain `online-endpoint show` is timed too, as the CLI's own floor.
import { join } from 'node:path';
import { newResult, addRow, skipRow, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason, writeYamlFiles, sklearnDeployment, sklearnModelDir } from './lib/switchyard.mjs';
import { repoRoot } from './lib/paths.mjs';

const SAMPLE = join(repoRoot, 'examples', 'safe-rollout', 'endpoints', 'online', 'managed', 'sample', 'blue-deployment.yml');

export async function b4(ctx) {
  const { runs, log } = ctx;
  const result = newResult('B4', 'Time to ready', { runs, placement: 'not pinned', deployment: 'examples/safe-rollout/endpoints/online/managed/sample/blue-deployment.yml (model-1, score.py)' });
  const specs = {
    create: { id: 'create', group: 'ready', label: 'online-deployment create (sklearn sample) → Succeeded', system: 'switchyard' },
    scale: { id: 'scale', group: 'ready', label: 'online-deployment update --set instance_count=4 (1→4) → Succeeded', system: 'switchyard' },
    floor: { id: 'cli-floor', group: 'ready', label: 'online-endpoint show (CLI start + one request, reference)', system: 'switchyard' },
  };
  const why = ctx.peerOnly ? 'peer-only run (--peer-only)' : unavailableReason();
  if (why) {
    for (const s of Object.values(specs)) skipRow(result, s, why);
    result.status = 'failed';
    return result;
  }
  let sy;
  try {
    sy = await startSwitchyard({ profileDir: ctx.profileDir, logFile: join(ctx.logDir, 'b4-switchyard.log') });
    const files = writeYamlFiles({ endpoint: { name: 'ready', auth_mode: 'key' } });
    await sy.cli(['online-endpoint', 'create', '-n', 'ready', '-f', files.endpoint]);

    // The sample file exactly as a user has it, with name and endpoint from flags. If the server's
    // default interpreter cannot import scikit-learn, fall back to the same deployment naming
    // /usr/bin/python3 (and say so), so the timing is still of a working deployment.
    let file = SAMPLE, viaSample = true;
    const probe = await sy.cli(['online-deployment', 'create', '-n', 'probe', '-e', 'ready', '-f', SAMPLE], { allowFail: true, timeoutMs: 120000 });
    if (probe.code !== 0) {
      viaSample = false;
      file = writeYamlFiles({ blue: sklearnDeployment({ name: 'blue', endpoint: 'ready', instances: 1 }) }).blue;
      result.notes.push(`The sample as written failed here (${(probe.stderr || probe.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300)}); timed the same deployment with environment.interpreter /usr/bin/python3.`);
    } else result.notes.push(`First create of the sample (artifacts uploaded for the first time): ${(probe.ms / 1000).toFixed(3)} s; the rows below reuse the stored artifacts (same digests).`);
    await sy.cli(['online-deployment', 'delete', '-n', 'probe', '-e', 'ready', '--yes'], { allowFail: true, timeoutMs: 60000 });
    const shown = viaSample ? 'examples/safe-rollout/endpoints/online/managed/sample/blue-deployment.yml' : 'blue.yml';

    // A run is create, then scale, then delete (untimed): measureInterleaved calls the rows in order.
    let name = null;
    const timed = async (args) => {
      const r = await sy.cli(args, { timeoutMs: 120000 });
      const state = r.json?.provisioning_state;
      if (state && state !== 'Succeeded') throw new Error(`${args.slice(0, 2).join(' ')} ended ${state}`);
      return r.ms / 1000;
    };
    const rows = [
      addRow(result, { ...specs.create, measure: async (run) => {
        name = `ready${run + 1}`;
        const seconds = await timed(['online-deployment', 'create', '-n', name, '-e', 'ready', '-f', file]);
        return { seconds, command: `time switchyard online-deployment create -n ${name} -e ready -f ${shown}` };
      } }),
      addRow(result, { ...specs.scale, measure: async () => {
        const seconds = await timed(['online-deployment', 'update', '-n', name, '-e', 'ready', '--set', 'instance_count=4']);
        const ready = (await sy.instanceUrls('ready', name)).length;
        await sy.cli(['online-deployment', 'delete', '-n', name, '-e', 'ready', '--yes'], { allowFail: true, timeoutMs: 60000 });
        if (ready < 4) throw new Error(`update returned with ${ready} ready instances, not 4`);
        return { seconds, command: `time switchyard online-deployment update -n ${name} -e ready --set instance_count=4` };
      } }),
      addRow(result, { ...specs.floor, measure: async () => ({ seconds: await timed(['online-endpoint', 'show', '-n', 'ready']), command: 'time switchyard online-endpoint show -n ready' }) }),
    ];
    await measureInterleaved(rows, runs, log);
    finalise(result);
    const c = med(result, 'create', 'seconds'), s = med(result, 'scale', 'seconds');
    addCheck(result, { id: 'b4-create', label: 'B4 create → Succeeded', measured: c, unit: 's', target: '< 2 s', pass: c < 2 });
    addCheck(result, { id: 'b4-scale', label: 'B4 scale 1→4 → Succeeded', measured: s, unit: 's', target: '< 1.5 s', pass: s < 1.5 });
    result.setupCommands = ['switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)', 'switchyard online-endpoint create -n ready -f endpoint.yml'];
    return result;
  } finally {
    if (sy) await sy.stop().catch(() => {});
  }
}
