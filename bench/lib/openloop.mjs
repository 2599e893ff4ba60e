// Runs bench/load/openloop.mjs in its own process (optionally pinned to a CPU away from the system
// under test) and returns its summary with the exact command line.
import { fileURLToPath } from 'node:url';
import { run } from './procs.mjs';

const script = fileURLToPath(new URL('../load/openloop.mjs', import.meta.url));

export async function openLoop(url, { rate = 1000, seconds = 5, warmup = 1, connections = 64, headers = {}, body, cpus } = {}) {
  const args = [script, '--url', url, '--rate', String(rate), '--seconds', String(seconds), '--warmup', String(warmup), '--connections', String(connections)];
  for (const [k, v] of Object.entries(headers)) args.push('--header', `${k}: ${v}`);
  if (body != null) args.push('--body', body);
  const r = await run(process.execPath, args, { cpus, timeoutMs: (warmup + seconds + 20) * 1000 });
  const line = r.stdout.trim().split('\n').at(-1);
  if (r.code !== 0 || !line?.startsWith('{')) throw new Error(`open-loop generator failed (${r.code}): ${r.stderr || r.stdout}`.slice(0, 2000));
  const s = JSON.parse(line);
  const shown = args.map((a) => (a === script ? 'bench/load/openloop.mjs' : a.startsWith('Authorization:') ? "'Authorization: Bearer $KEY'" : a));
  return {
    rate, achievedRate: s.achievedRate, requests: s.sent,
    p50Ms: s.latencyMs.p50, p90Ms: s.latencyMs.p90, p99Ms: s.latencyMs.p99, p999Ms: s.latencyMs.p999, maxMs: s.latencyMs.max,
    errors: s.non2xx + s.failed, firstError: s.firstError,
    command: `${cpus != null ? `taskset -c ${cpus} ` : ''}node ${shown.join(' ')}`,
  };
}
