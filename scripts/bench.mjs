// `npm run bench`: installs the peers from Debian when missing (nginx, wrk, python3-flask, gunicorn),
// runs the benchmarks in bench/, writes bench/results/<B>.json and BENCHMARKS.md.
//   npm run bench                    all of B1..B4
//   npm run bench -- B1 B3           some (B5: cost as work grows, bench/b5-scale.mjs; B6: CLI start, bench/b6-cli-start.mjs; B7: standalone gateways, bench/b7-gateways.mjs)
//   --runs N (3)  --seconds S (5)  --rate R (1000, open-loop requests/s)
//   --sizes 1,10,100,500  B5's numbers of deployments (it stops earlier when memory or time runs short)
//   --quiet-wait S (15)  before each benchmark, wait up to S seconds for the machine to be < 25% busy
//   --profile     run the server under node --cpu-prof (profiles in bench/results/profiles/)
//   --peer-only   measure only the peers (direct, nginx, gunicorn), not Switchyard
//   --gateway-only  B1 with Switchyard's gateway alone (dist/gateway/host.js) before instances we start
//                 (both write bench/results/<B>.<mode>.json, which BENCHMARKS.md does not use)
//   --report      only rewrite BENCHMARKS.md from bench/results/
// Never part of `npm test`; every process it starts is stopped at the end, on failure and on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, resultsDir } from '../bench/lib/paths.mjs';
import { stopAll } from '../bench/lib/procs.mjs';
import { save } from '../bench/lib/results.mjs';
import { writeReport } from '../bench/lib/report.mjs';
import { busyPercent } from '../bench/lib/machine.mjs';
import { bundleCli } from './build.mjs';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' }, 'quiet-wait': { type: 'string', default: '15' }, seconds: { type: 'string', default: '5' }, sizes: { type: 'string' }, rate: { type: 'string', default: '1000' },
    profile: { type: 'boolean', default: false }, 'gateway-only': { type: 'boolean', default: false }, 'peer-only': { type: 'boolean', default: false }, report: { type: 'boolean', default: false },
  },
});
if (o.report) { console.log(`wrote ${writeReport()}`); process.exit(0); }

const all = {
  B1: () => import('../bench/b1-gateway-overhead.mjs').then((m) => m.b1),
  B2: () => import('../bench/b2-mirror-isolation.mjs').then((m) => m.b2),
  B2B: () => import('../bench/b2b-mirror-saturated.mjs').then((m) => m.b2b),
  B3: () => import('../bench/b3-scoring-throughput.mjs').then((m) => m.b3),
  B4: () => import('../bench/b4-time-to-ready.mjs').then((m) => m.b4),
  B5: () => import('../bench/b5-scale.mjs').then((m) => m.b5),
  B6: () => import('../bench/b6-cli-start.mjs').then((m) => m.b6),
  B7: () => import('../bench/b7-gateways.mjs').then((m) => m.b7),
};
const wanted = positionals.length ? positionals.map((p) => p.toUpperCase()) : Object.keys(all);
const unknown = wanted.filter((w) => !all[w]);
if (unknown.length) { console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`); process.exit(2); }

process.chdir(repoRoot);
execFileSync('bash', ['scripts/system-deps.sh', 'nginx', 'wrk', 'python3-flask', 'gunicorn'], { stdio: 'inherit' });
// Benchmark what the sources say: build dist/ and the CLI bundle first (as npm test does), unless asked for peers only.
if (!o['peer-only'] && existsSync('tsconfig.json')) {
  try { execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' }); await bundleCli(); } catch {
    console.error('bench: the TypeScript build failed; Switchyard rows use whatever dist/ holds (or are skipped).');
  }
}

const logDir = join(resultsDir, 'logs');
const profileDir = o.profile ? join(resultsDir, 'profiles') : undefined;
mkdirSync(logDir, { recursive: true });
if (profileDir) mkdirSync(profileDir, { recursive: true });
const ctx = {
  runs: Number(o.runs), sizes: o.sizes?.split(',').map(Number), quietWait: Number(o['quiet-wait']), seconds: Number(o.seconds), rate: Number(o.rate), peerOnly: o['peer-only'], gatewayOnly: o['gateway-only'], logDir, profileDir,
};

const QUIET_PCT = 25;
let failed = false;
const t0 = Date.now();
for (const name of wanted) {
  const log = (msg) => console.log(`[${name} ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
  ctx.log = log;
  log('start');
  try {
    const fn = await all[name]();
    // Other people's builds and tests share this machine: wait (bounded) for a quieter moment.
    let busy = await busyPercent(2000);
    for (let waited = 0; busy > QUIET_PCT && waited < ctx.quietWait; waited += 2) busy = await busyPercent(2000);
    log(`machine busy before start: ${busy}% of all CPUs${busy > QUIET_PCT ? ` (still above ${QUIET_PCT}% after waiting ${ctx.quietWait} s: expect noise)` : ''}`);
    // A benchmark is bounded: whatever happens inside, it gets at most 7 minutes (B5, growing a server
    // to hundreds of deployments and stopping it, 10).
    const limitS = name === 'B5' ? 600 : 420;
    const result = await Promise.race([fn(ctx), new Promise((_, rej) => setTimeout(() => rej(new Error(`time limit of ${limitS} s reached`)), limitS * 1000).unref())]);
    result.machine.busyBeforePct = busy;
    log(`wrote ${save(result, o['peer-only'] ? 'peer-only' : o['gateway-only'] ? 'gateway-only' : undefined)} (${result.status})`);
    for (const c of result.checks) log(`  ${c.label}: ${c.measured ?? '–'} ${c.unit} (target ${c.target}) ${c.pass == null ? 'not measured' : c.pass ? 'met' : 'missed'}`);
  } catch (e) {
    failed = true;
    log(`failed: ${e.stack ?? e}`);
  } finally {
    await stopAll(); // anything a failed benchmark left running
  }
}
console.log(`wrote ${writeReport()} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
