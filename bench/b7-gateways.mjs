// B7 standalone gateways (issue 17): how long a traffic change takes to be in force (the CLI's
// `online-endpoint update --traffic` until it returns: the operation ends only once every live gateway
// acknowledged the snapshot) with the embedded gateway alone (1 gateway) and with two `switchyard
// gateway` processes besides it (3 gateways). Two phases, not interleaved: registrations are global,
// so the 3-gateway rows run first, then the two gateways stop (they deregister) and the 1-gateway rows
// run. Every change flips 90/10 and 100/0, so each one is a real routing change.
// Throughput: wrk (1 thread, 16 connections) against one standalone gateway process, and against both
// at once (requests/s summed), rows interleaved; unpinned, on a machine shared with the instances.
import { join } from 'node:path';
import { cpus } from 'node:os';
import { newResult, addRow, skipAll, measureInterleaved, finalise, med } from './lib/results.mjs';
import { startSwitchyard, unavailableReason, trivialDeployment, writeYamlFiles } from './lib/switchyard.mjs';
import { start, stop } from './lib/procs.mjs';
import { repoRoot } from './lib/paths.mjs';
import { wrk } from './lib/wrk.mjs';

const bin = join(repoRoot, 'bin', 'switchyard');
const machineCpus = () => cpus().length;
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
  const result = newResult('B7', 'Standalone gateways: time for a traffic change to be in force; throughput of 2 gateway processes vs 1', { runs, placement: 'not pinned', rows: 'two phases: 3 gateways, then 1' });
  const specs = {
    three: { id: 'in-force-3', group: 'in-force', label: 'traffic update → in force, embedded + 2 standalone gateways', system: 'switchyard' },
    one: { id: 'in-force-1', group: 'in-force', label: 'traffic update → in force, embedded gateway only', system: 'switchyard' },
    tp1: { id: 'throughput-1', group: 'throughput', label: 'one switchyard gateway process (wrk -t1 -c16)', system: 'switchyard' },
    tp2: { id: 'throughput-2', group: 'throughput', label: 'two switchyard gateway processes (a wrk -t1 -c16 each, summed)', system: 'switchyard' },
  };
  const why = unavailableReason(ctx);
  if (why) return skipAll(result, Object.values(specs), why);
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

    const key = await sy.key(E);
    const headers = { Authorization: `Bearer ${key}` };
    const urls = gateways.map((g) => `${g.url}/endpoints/${E}/score`);
    const load = (url) => wrk(url, { threads: 1, connections: 16, seconds: ctx.seconds, headers });
    const tp1 = addRow(result, { ...specs.tp1, measure: async () => {
      const r = await load(urls[0]);
      return { rps: r.rps, errors: r.errors, command: r.command };
    } });
    const tp2 = addRow(result, { ...specs.tp2, measure: async () => {
      const rs = await Promise.all(urls.map(load));
      return { rps: rs[0].rps + rs[1].rps, errors: rs[0].errors + rs[1].errors, command: `${rs[0].command}  # and the same at the second gateway, at once; requests/s summed` };
    } });
    await load(urls[0]).catch(() => {}); // warm
    await measureInterleaved([tp1, tp2], Math.max(ctx.runs, 3), log);
    for (const g of gateways.splice(0)) await g.stop();
    const after = await sy.cli(['gateway', 'list', '-o', 'json']);
    if ((after.json ?? []).length !== 0) throw new Error(`gateways still registered after they stopped: ${after.stdout}`);
    const one = addRow(result, { ...specs.one, measure: change });
    await one.measure(0);
    await measureInterleaved([one], runs, log);
    finalise(result);
    const t1 = med(result, 'throughput-1', 'rps'), t2 = med(result, 'throughput-2', 'rps');
    if (t1 != null && t2 != null) {
      result.notes.push(`Two gateway processes serve ${(t2 / t1).toFixed(2)}× the requests/s of one (${t2.toFixed(0)} vs ${t1.toFixed(0)}), unpinned on this ${machineCpus()}-CPU machine that also runs the two trivial instances, wrk and the control plane: the cores, not the gateway, bound the sum.`);
    }
    const m3 = med(result, 'in-force-3', 'ms'), m1 = med(result, 'in-force-1', 'ms');
    if (m3 != null && m1 != null) {
      result.notes.push(`Median CLI time of a traffic change: ${m3.toFixed(0)} ms with 3 gateways vs ${m1.toFixed(0)} ms with 1 (${(m3 / m1).toFixed(2)}×); both include the CLI's own start (B6).`);
    }
    result.notes.push('Phases, not interleaved: the 3-gateway rows first, then the standalone gateways stop (deregistering) and the 1-gateway rows run.');
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
