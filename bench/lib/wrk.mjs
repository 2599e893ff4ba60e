// Closed-loop throughput with wrk (Debian's wrk 4.x): fixed threads and connections for a fixed
// time, POSTing a JSON body through bench/wrk/post.lua. Returns requests/s, latency percentiles (ms)
// and error counts; `command` is the exact command line for BENCHMARKS.md.
import { fileURLToPath } from 'node:url';
import { run } from './procs.mjs';

const lua = fileURLToPath(new URL('../wrk/post.lua', import.meta.url));

export async function wrk(url, { threads = 2, connections = 32, seconds = 5, body, headers = {}, cpus } = {}) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', lua, url];
  const headerText = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  const env = { BENCH_HEADERS: headerText, ...(body != null ? { BENCH_BODY: body } : {}) };
  const r = await run('wrk', args, { env, cpus, timeoutMs: (seconds + 15) * 1000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (r.code !== 0 || !line) throw new Error(`wrk failed (${r.code}): ${r.stderr || r.stdout}`.slice(0, 2000));
  const s = JSON.parse(line.slice('BENCH_JSON '.length));
  const errors = s.errors.connect + s.errors.read + s.errors.write + s.errors.status + s.errors.timeout;
  return {
    rps: s.requests / (s.duration_us / 1e6),
    requests: s.requests,
    p50Ms: s.latency_us.p50 / 1000,
    p90Ms: s.latency_us.p90 / 1000,
    p99Ms: s.latency_us.p99 / 1000,
    maxMs: s.latency_us.max / 1000,
    errors,
    errorDetail: s.errors,
    // Headers are passed through the environment so the key never appears in a printed command.
    command: `${headerText ? "BENCH_HEADERS='Authorization: Bearer $KEY' " : ''}${cpus != null ? `taskset -c ${cpus} ` : ''}wrk ${args.map((a) => (a === lua ? 'bench/wrk/post.lua' : a)).join(' ')}`,
  };
}
