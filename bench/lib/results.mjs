// One result document per benchmark (bench/results/B1.json ...), described by
// bench/results/schema.json. A benchmark fills rows (each measured in several interleaved runs) and
// checks (a measured value against the target); save() adds medians and writes the file.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './paths.mjs';
import { machine, versions } from './machine.mjs';
import { summarise, round } from './stats.mjs';
import { loadMark, othersPct } from './others-load.mjs';

export function newResult(bench, title, settings) {
  return {
    schema: 'switchyard-bench/v1', bench, title,
    startedAt: new Date().toISOString(), finishedAt: null,
    machine: machine(), versions: versions(), settings,
    status: 'complete', notes: [], rows: [], checks: [],
  };
}

/** A row: one system in one scenario. `measure()` returns one run's numbers and its command line. */
export function addRow(result, { id, group, label, system, measure }) {
  const row = { id, group, label, system, commands: [], runs: [], median: null, spread: null, skipped: null };
  Object.defineProperty(row, 'measure', { value: measure, enumerable: false });
  result.rows.push(row);
  return row;
}

export function skipRow(result, { id, group, label, system }, reason) {
  result.rows.push({ id, group, label, system, commands: [], runs: [], median: null, spread: null, skipped: reason });
  if (result.status === 'complete') result.status = 'partial';
}

/** A benchmark that cannot run at all: every row skipped for `reason`, the result failed. */
export function skipAll(result, specs, reason) {
  for (const spec of specs) skipRow(result, spec, reason);
  result.status = 'failed';
  return result;
}

/**
 * Measure `rows` in `runs` rounds, A B C A B C ..., so slow drift of the machine (thermal, a
 * neighbour's build) spreads over every row instead of landing on one.
 */
export async function measureInterleaved(rows, runs, log = () => {}) {
  for (let r = 0; r < runs; r++) {
    for (const row of rows) {
      if (row.skipped) continue;
      try {
        const mark = loadMark();
        const { command, ...numbers } = await row.measure(r);
        numbers.othersCpuPct = othersPct(mark, loadMark());
        if (command && !row.commands.includes(command)) row.commands.push(command);
        row.runs.push(numbers);
        log(`${row.id} run ${r + 1}/${runs}: ${fmtRun(numbers)}`);
      } catch (e) {
        row.skipped = `failed in run ${r + 1}: ${e.message}`.slice(0, 600);
        log(`${row.id}: ${row.skipped}`);
      }
    }
  }
}

const fmtRun = (n) => Object.entries(n).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k}=${round(v, 3)}`).join(' ');

/** Median of the row's runs for `metric`, or null when it was not measured. */
export const med = (result, id, metric) => {
  const row = result.rows.find((r) => r.id === id);
  return row?.median?.[metric] ?? null;
};

/**
 * A check against a target. `measured` null (a row missing) records the check as not measured.
 * `pass` is computed by the caller's comparison so each target keeps its own wording.
 */
export function addCheck(result, { id, label, measured, unit, target, pass }) {
  result.checks.push({ id, label, measured: round(measured, 3), unit, target, pass: measured == null ? null : Boolean(pass) });
}

export function finalise(result) {
  for (const row of result.rows) {
    if (!row.runs.length) continue;
    const s = summarise(row.runs);
    row.median = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v.median, 4)]));
    row.spread = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [round(v.min, 4), round(v.max, 4)]]));
    row.runs = row.runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v])));
  }
  if (result.rows.some((r) => r.skipped) && result.status === 'complete') result.status = 'partial';
  if (result.rows.length && result.rows.every((r) => r.skipped)) result.status = 'failed';
}

/** `variant` ('peer-only', 'gateway-only') keeps partial modes from overwriting the full results. */
export function save(result, variant) {
  result.finishedAt = new Date().toISOString();
  result.durationS = round((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000, 1);
  mkdirSync(resultsDir, { recursive: true });
  const p = join(resultsDir, variant ? `${result.bench}.${variant}.json` : `${result.bench}.json`);
  if (variant) result.variant = variant;
  writeFileSync(p, JSON.stringify(result, null, 2) + '\n');
  return p;
}
