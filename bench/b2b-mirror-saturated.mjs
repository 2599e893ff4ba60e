// B2b mirror isolation at saturation: B2 asks whether a slow shadow leaks into live latency at a
// moderate open-loop rate; B2b asks the same when the machine is saturated. Closed loop (wrk -c4: each
// connection sends its next request as soon as the last is answered, so the system under test never
// idles), a JavaScript live instance, a 250 ms shadow mirrored at 50%, everything under test pinned to
// one CPU. Rows are interleaved runs; the table shows medians. Side by side with nginx's `mirror`.
// What makes Switchyard's shadow yield here: shadow-only instances run at nice 19 (setCpuPriority) and
// the gateway sheds copies first when it is busy (gateway/load-shed.ts), counted as dropped.
import { addCheck } from './lib/results.mjs';
import { mirrorBench } from './lib/mirror-bench.mjs';
import { wrk } from './lib/wrk.mjs';

const SHADOW_DELAY_MS = 250;
const MIRROR_PERCENT = 50;
const CONNECTIONS = 4;
const ENDPOINT = 'saturated';

export async function b2b(ctx) {
  const { seconds } = ctx;
  // Copies dropped (by reason) while a row ran: the price of yielding, reported beside the latency.
  const dropsNow = async (sy) => {
    const text = await sy.cli(['online-endpoint', 'compare', '-n', ENDPOINT, '--deployment', 'shadow'], { allowFail: true });
    try { return JSON.parse(text.stdout).shadows[0]; } catch { return null; }
  };
  return mirrorBench(ctx, {
    id: 'B2b', title: 'Mirror isolation at saturation', endpoint: ENDPOINT,
    liveDelayMs: 0, shadowDelayMs: SHADOW_DELAY_MS, mirrorPercent: MIRROR_PERCENT, shadowLabel: `${SHADOW_DELAY_MS} ms shadow`,
    params: {
      live: 'trivial JavaScript model answering at once', shadow: `trivial model answering after ${SHADOW_DELAY_MS} ms`,
      mirror: `${MIRROR_PERCENT}%`, load: { tool: 'wrk (closed loop)', threads: 1, connections: CONNECTIONS, seconds },
    },
    generate: (url, headers, cpus) => wrk(url, { threads: 1, connections: CONNECTIONS, seconds, headers, cpus }),
    aroundMirrorRun: async (sy, run) => {
      const before = await dropsNow(sy);
      const r = await run();
      const after = await dropsNow(sy);
      if (before && after) {
        r.comparedPairs = after.pairs - before.pairs;
        r.droppedCopies = after.dropped - before.dropped;
        r.droppedByReason = Object.fromEntries(Object.entries(after.dropped_by_reason).map(([k, v]) => [k, v - (before.dropped_by_reason[k] ?? 0)]));
      }
      return r;
    },
    checks: (result, r) => {
      addCheck(result, { id: 'b2b-ours', label: 'B2b Switchyard live p99 at saturation, mirror ÷ no mirror', measured: r.ours, unit: '×', target: '≤ 1.20', pass: r.ours != null && r.ours <= 1.2 });
      addCheck(result, { id: 'b2b-nginx', label: 'B2b nginx live p99 at saturation, mirror ÷ no mirror (the peer)', measured: r.nginx, unit: '×', target: 'reported', pass: r.nginx != null });
    },
  });
}
