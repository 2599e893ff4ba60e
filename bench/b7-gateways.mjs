// B7 standalone gateways (issue 17): how long a traffic change takes to be in force (the CLI's
// `online-endpoint update --traffic` until it returns: the operation ends only once every live gateway
// acknowledged the snapshot) with the embedded gateway alone (1 gateway) and with two `switchyard
// gateway` processes besides it (3 gateways). Two phases, not interleaved: registrations are global,
// so the 3-gateway rows run first, then the two gateways stop (they deregister) and the 1-gateway rows
// run. Every change flips 90/10 and 100/0, so each one is a real routing change.
// Not measured here (see notes): the throughput of two gateway processes vs one.
import { join } from 'node:path';
import { newResult, addRow, skipRow, measureInterleaved, finalise, med } from './lib/results.mjs';
import { startSwitchyard, unavailableReason, trivialDeployment, writeYamlFiles } from './lib/switchyard.mjs';
import { start, stop } from './lib/procs.mjs';
import { repoRoot } from './lib/paths.mjs';

const bin = join(repoRoot, 'bin', 'switchyard');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startGateway(sy, token, id, logFile) {
  let listening;
  const ready = new Promise((resolve) => { listening = resolve; });
  const child = start(`switchyard gateway ${id}`, process.execPath,
    [bin, 'gateway', '--control-plane', sy.controlUrl, '--port', '0', '--metrics-port', '0', '--id', id],
    {
      log: logFile, cwd: repoRoot, env: { SWITCHYARD_TOKEN: token, SWITCHYARD_URL: '' },
      onStdout: (line) => { try { const ev = JSON.parse(line); if (ev.event === 'listening') listening(ev); } catch { /* not an event */ } },
    });
  const ev = await Promise.race([
    ready,
    child.exited.then((c) => { throw new Error(`switchyard gateway exited (${c}); see ${logFile}`); }),
    sleep(60000).then(() => { throw new Error('switchyard gateway did not start within 60 s'); }),
  ]);
  return { child, url: ev.gatewayUrl, stop: () => stop(child, { graceMs: 10000 }) };
}

export async function b7(ctx) {
  const { log } = ctx;
  const runs = Math.max(ctx.runs * 3, 9);
  const result = newResult('B7', 'Standalone gateways: time for a traffic change to be in force', { runs, placement: 'not pinned', rows: 'two phases: 3 gateways, then 1' });
  const specs = {
    three: { id: 'in-force-3', group: 'in-force', label: 'traffic update → in force, embedded + 2 standalone gateways', system: 'switchyard' },
    one: { id: 'in-force-1', group: 'in-force', label: 'traffic update → in force, embedded gateway only', system: 'switchyard' },
  };
  const why = ctx.peerOnly ? 'peer-only run (--peer-only)' : unavailableReason();
  if (why) {
    for (const s of Object.values(specs)) skipRow(result, s, why);
    result.status = 'failed';
    return result;
  }
  let sy;
  const gateways = [];
  try {
    sy = await startSwitchyard({ logFile: join(ctx.logDir, 'b7-switchyard.log') });
    const E = 'b7-gateways';
    const files = writeYamlFiles({
      blue: trivialDeployment({ name: 'blue', endpoint: E }), green: trivialDeployment({ name: 'green', endpoint: E }),
    });
    await sy.cli(['online-endpoint', 'create', '-n', E, '--auth-mode', 'key']);
    await sy.cli(['online-deployment', 'create', '-n', 'blue', '-e', E, '-f', files.blue, '--all-traffic'], { timeoutMs: 120000 });
    await sy.cli(['online-deployment', 'create', '-n', 'green', '-e', E, '-f', files.green], { timeoutMs: 120000 });
    const token = (await sy.cli(['token', 'create', '--name', 'b7-gateways', '--role', 'Switchyard Gateway', '-o', 'tsv', '--query', 'token'])).stdout.trim();
    for (const id of ['b7-a', 'b7-b']) gateways.push(await startGateway(sy, token, id, join(ctx.logDir, `b7-${id}.log`)));

    let flip = false;
    const change = async () => {
      flip = !flip;
      const traffic = flip ? ['blue=90', 'green=10'] : ['blue=100', 'green=0'];
      const r = await sy.cli(['online-endpoint', 'update', '-n', E, '--traffic', ...traffic, '-o', 'none']);
      return { ms: r.ms, command: `switchyard online-endpoint update -n ${E} --traffic ${traffic.join(' ')}` };
    };
    const listed = await sy.cli(['gateway', 'list', '--query', '[].status', '-o', 'tsv']);
    if (listed.stdout.trim().split('\n').filter((s) => s === 'InForce').length !== 2) throw new Error(`the two gateways are not InForce: ${listed.stdout}`);
    const three = addRow(result, { ...specs.three, measure: change });
    await three.measure(0); // warm
    await measureInterleaved([three], runs, log);
    for (const g of gateways.splice(0)) await g.stop();
    const after = await sy.cli(['gateway', 'list', '-o', 'json']);
    if ((after.json ?? []).length !== 0) throw new Error(`gateways still registered after they stopped: ${after.stdout}`);
    const one = addRow(result, { ...specs.one, measure: change });
    await one.measure(0);
    await measureInterleaved([one], runs, log);
    finalise(result);
    const m3 = med(result, 'in-force-3', 'ms'), m1 = med(result, 'in-force-1', 'ms');
    if (m3 != null && m1 != null) {
      result.notes.push(`Median CLI time of a traffic change: ${m3.toFixed(0)} ms with 3 gateways vs ${m1.toFixed(0)} ms with 1 (${(m3 / m1).toFixed(2)}×); both include the CLI's own start (B6).`);
    }
    result.notes.push('Phases, not interleaved: the 3-gateway rows first, then the standalone gateways stop (deregistering) and the 1-gateway rows run.');
    result.notes.push('Not measured: throughput of two gateway processes vs one (B1 has the gateway-worker rows of issue 16 for one process with 1 and 2 workers).');
    result.setupCommands = [
      'switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)',
      'switchyard online-deployment create -n blue -e b7-gateways -f blue.yml --all-traffic  # and green (bench/peers/trivial-server.mjs)',
      'SWITCHYARD_TOKEN=<Switchyard Gateway token> switchyard gateway --control-plane $SWITCHYARD_URL --port 0 --id b7-a  # and b7-b',
    ];
    return result;
  } finally {
    for (const g of gateways) await g.stop().catch(() => {});
    if (sy) await sy.stop().catch(() => {});
  }
}
