// Writes BENCHMARKS.md from every result file in bench/results/ (B1.json ...), so running one
// benchmark refreshes its section and keeps the others' last numbers (each section says when it ran).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir, benchmarksMd, repoRoot } from './paths.mjs';
import { scaleSection } from './scale-report.mjs';

// Column order and headings of the medians a row may have.
const METRICS = [
  ['rps', 'req/s', 0], ['achievedRate', 'sent/s', 0], ['p50Ms', 'p50 ms', 3], ['p90Ms', 'p90 ms', 3],
  ['p99Ms', 'p99 ms', 3], ['p999Ms', 'p99.9 ms', 2], ['cpuUsPerReq', 'CPU µs/req', 1], ['seconds', 'seconds', 3], ['ratio', '× reference', 2], ['serverSeconds', 'server s', 3], ['ms', 'ms', 1], ['pssMiB', 'PSS MiB/instance', 1], ['zygotePssMiB', 'zygote PSS MiB', 1], ['errors', 'errors', 0], ['othersCpuPct', 'others\' CPU %', 0],
];
const GROUP_TITLES = {
  throughput: 'Throughput (closed loop, wrk)', latency: 'Latency at a fixed rate (open loop)',
  'split-throughput': '90/10 split + 10% mirror: throughput', 'split-latency': '90/10 split + 10% mirror: latency at a fixed rate',
  mirror: 'Live latency, slow shadow mirrored at 50% (open loop)', scoring: 'Scoring throughput (closed loop, wrk)',
  ready: 'Time to ready (wall clock of the CLI command)',
  'cli-start': 'CLI start (wall clock of one fresh process)',
  'workers-throughput': 'Gateway workers (`--gateway-workers N`): throughput, gateway not pinned',
};

const COLUMN_TITLES = { cpuUsPerReq: 'CPU µs/req', othersCpuPct: "others' CPU %", ratio: '× reference', serverSeconds: 'server s', pssMiB: 'PSS MiB/instance' };
const COLUMN_NOTES = {
  cpuUsPerReq: 'user+system CPU time of the proxy during the run (Switchyard server process with its gateway thread; nginx master and workers; for a direct row, the instance), divided by the requests of the run. It hardly depends on what else the machine was doing.',
  othersCpuPct: 'CPU used by processes outside the benchmark during the run, in % of the whole machine (other people\'s builds and tests on this shared machine). High values mean noisy latency.',
};
const num = (x, d) => (x == null ? '–' : Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const verdict = (p) => (p == null ? 'not measured' : p ? '**met**' : '**missed**');

function rowTable(rows) {
  const present = METRICS.filter(([k]) => rows.some((r) => r.median?.[k] != null));
  const head = `| system | ${present.map(([, h]) => h).join(' | ')} | runs |`;
  const sep = `|---|${present.map(() => '---:').join('|')}|---:|`;
  const lines = rows.map((r) => {
    if (r.skipped) return `| ${r.label} | ${present.map(() => '–').join(' | ')} | not measured: ${r.skipped.replace(/\|/g, '/').replace(/\n/g, ' ').slice(0, 160)} |`;
    const main = present[0]?.[0];
    const spread = main && r.spread?.[main] ? ` (${num(r.spread[main][0], present[0][2])}–${num(r.spread[main][1], present[0][2])})` : '';
    return `| ${r.label} | ${present.map(([k, , d]) => num(r.median?.[k], d)).join(' | ')} | ${r.runs.length}${spread} |`;
  });
  return [head, sep, ...lines].join('\n');
}

function section(res) {
  const out = [`## ${res.bench} ${res.title}`, ''];
  out.push(`Ran ${res.finishedAt?.slice(0, 19).replace('T', ' ')} UTC at commit \`${res.versions.gitCommit}\`, ${res.durationS ?? '?'} s; status: ${res.status}; machine ${res.machine.busyBeforePct ?? '?'}% busy just before it started (other work on the shared machine).`, '');
  out.push('Settings: ' + Object.entries(res.settings).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ') + '.', '');
  const groups = [...new Set(res.rows.map((r) => r.group))];
  for (const g of groups) {
    out.push(`**${GROUP_TITLES[g] ?? g}** — medians of ${res.settings.runs ?? '?'} interleaved runs; the last column is runs (min–max of the first metric).`, '');
    out.push(rowTable(res.rows.filter((r) => r.group === g)), '');
  }
  if (res.scale?.length) out.push(scaleSection(res));
  // Column footnotes once per section; a benchmark may word its own (res.columnNotes).
  const notes = { ...COLUMN_NOTES, ...(res.columnNotes ?? {}) };
  for (const [k, text] of Object.entries(notes)) if (res.rows.some((r) => r.median?.[k] != null)) out.push(`_${COLUMN_TITLES[k]}_: ${text}`, '');
  if (res.checks.length) {
    out.push('| check | measured | target | verdict |', '|---|---:|---|---|');
    for (const c of res.checks) out.push(`| ${c.label} | ${c.measured == null ? '–' : `${num(c.measured, 3)} ${c.unit}`} | ${c.target} | ${verdict(c.pass)} |`);
    out.push('');
  }
  for (const n of res.notes) out.push(`- ${n}`);
  if (res.notes.length) out.push('');
  const cmds = res.rows.flatMap((r) => r.commands.map((c) => `# ${r.label}\n${c}`));
  if (cmds.length || (res.setupCommands?.length && !res.scale)) {
    out.push('<details><summary>Exact commands</summary>', '', '```sh', ...(res.setupCommands ?? []), ...cmds, '```', '', '</details>', '');
  }
  return out.join('\n');
}

export function loadResults() {
  let files = [];
  try { files = readdirSync(resultsDir).filter((f) => /^B\d+[a-z]?\.json$/.test(f)).sort(); } catch { /* none yet */ }
  return files.map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')));
}

export function writeReport(results = loadResults()) {
  const latest = [...results].sort((a, b) => (a.finishedAt < b.finishedAt ? 1 : -1))[0];
  const m = latest?.machine, v = latest?.versions;
  const lines = [
    '# Switchyard benchmarks', '',
    'Written by `npm run bench` (scripts/bench.mjs) from the result files in `bench/results/` (format: `bench/results/schema.json`).',
    'Benchmarks never run in `npm test` and never gate CI. Every table is a side-by-side run on one machine: ours against a peer,',
    'or against calling the instance directly, with rows interleaved run by run; numbers from different sections or machines are not comparable.', '',
    '```sh',
    'npm run bench                 # all of them; installs nginx, wrk, python3-flask, gunicorn if missing',
    'npm run bench -- B1           # one benchmark (B1, B2, B2B, B3, B4, B5, B6; several may be named)',
    'npm run bench -- B5 --sizes 1,10,100   # B5 (cost as work grows) at other numbers of deployments',
    'npm run bench -- B1 --runs 5 --seconds 5 --rate 1000 --profile   # more runs; --profile writes node --cpu-prof of the server',
    'npm run bench -- --report     # rewrite this file from bench/results/ without running anything',
    '```', '',
  ];
  if (m) {
    lines.push('## Machine and versions', '',
      `${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB, ${m.os}, Linux ${m.kernel}.`, '',
      `Node ${v.node}, Switchyard ${v.switchyard} (\`${v.gitCommit}\`), ${v.nginx}, ${v.wrk}, Python ${v.python}, gunicorn ${v.gunicorn}, Flask ${v.flask}, scikit-learn ${v.sklearn}, undici ${v.undici}.`, '');
  }
  const checks = results.flatMap((r) => r.checks);
  if (checks.length) {
    lines.push('## Targets', '', '| check | measured | target | verdict |', '|---|---:|---|---|');
    for (const c of checks) lines.push(`| ${c.label} | ${c.measured == null ? '–' : `${num(c.measured, 3)} ${c.unit}`} | ${c.target} | ${verdict(c.pass)} |`);
    lines.push('');
  }
  // Hand-written analysis (what is slow and why) survives regeneration: it lives in bench/findings.md.
  const findings = join(repoRoot, 'bench', 'findings.md');
  if (existsSync(findings)) lines.push(readFileSync(findings, 'utf8').trim(), '');
  for (const r of results) lines.push(section(r));
  if (!results.length) lines.push('No results yet: run `npm run bench`.', '');
  writeFileSync(benchmarksMd, lines.join('\n'));
  return benchmarksMd;
}
