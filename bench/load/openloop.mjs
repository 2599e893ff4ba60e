// Open-loop load generator: sends POSTs at a fixed rate whatever the answers do (unlike wrk, whose
// connections wait for each answer), so a slow path shows up as latency instead of a lower rate.
// Latency is measured from the moment a request is handed to the connection pool (so waiting for a
// free connection counts) to the last byte of the answer.
//   node bench/load/openloop.mjs --url URL --rate 1000 --seconds 5 [--warmup 1] [--connections 64]
//        [--header "Name: value"]... [--body JSON]
// Prints one JSON line: {sent, ok, non2xx, failed, achievedRate, latencyMs:{p50,p90,p99,p999,max,mean}}
import { Pool } from 'undici';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' }, connections: { type: 'string', default: '64' },
    header: { type: 'string', multiple: true, default: [] },
    body: { type: 'string', default: '{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}' },
  },
});
const url = new URL(o.url);
const rate = Number(o.rate), seconds = Number(o.seconds), warmup = Number(o.warmup);
const headers = { 'content-type': 'application/json' };
for (const h of o.header) { const i = h.indexOf(':'); headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim(); }

const pool = new Pool(url.origin, { connections: Number(o.connections), pipelining: 1, keepAliveTimeout: 60_000 });
const path = url.pathname + url.search;
const total = Math.round(rate * (warmup + seconds));
const skip = Math.round(rate * warmup);
const lat = new Float64Array(total);
let sent = 0, done = 0, ok = 0, non2xx = 0, failed = 0;
const firstError = [];

function fire(i) {
  const t0 = process.hrtime.bigint();
  pool.request({ path, method: 'POST', headers, body: o.body })
    .then(async (res) => {
      await res.body.arrayBuffer();
      lat[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.statusCode >= 200 && res.statusCode < 300) ok++; else { non2xx++; if (firstError.length < 3) firstError.push(`status ${res.statusCode}`); }
    })
    .catch((e) => { lat[i] = NaN; failed++; if (firstError.length < 3) firstError.push(e.code ?? e.message); })
    .finally(() => { if (++done === total) finish(); });
}

// The schedule: request i is due at start + i/rate. A 1 ms timer sends everything due, so at 1000/s
// requests leave one by one; at higher rates in small bursts (timer granularity).
const start = performance.now();
const tick = () => {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
  while (sent < due) fire(sent++);
  if (sent < total) setTimeout(tick, 1);
};
tick();
// Hard bound: answers that never come are counted as failed.
const guard = setTimeout(() => { failed += total - done; finish(); }, (warmup + seconds + 10) * 1000);

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(guard);
  const elapsed = (performance.now() - start) / 1000;
  const measured = Array.from(lat.subarray(skip)).filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  const q = (p) => (measured.length ? measured[Math.min(measured.length - 1, Math.ceil((p / 100) * measured.length) - 1)] : NaN);
  const mean = measured.reduce((s, x) => s + x, 0) / (measured.length || 1);
  process.stdout.write(JSON.stringify({
    sent, ok, non2xx, failed, measured: measured.length, achievedRate: sent / elapsed, firstError,
    latencyMs: { p50: q(50), p90: q(90), p99: q(99), p999: q(99.9), max: measured.at(-1) ?? NaN, mean },
  }) + '\n');
  pool.destroy().finally(() => process.exit(0));
}
