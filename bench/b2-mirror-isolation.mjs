// B2 mirror isolation: live latency while a shadow 100× slower than the live model gets 50% of the
// requests mirrored, against the same live model without a mirror. Ours (mirror_traffic) and
// nginx's `mirror` module, which answers the client but keeps the connection busy until the mirror
// subrequest ends, so the next request on that keep-alive connection waits.
// Open loop at half the B1 rate, so that mirroring's own CPU cost on the shared core stays small
// beside what is being measured: whether the slow shadow leaks into live latency.
import { addCheck } from './lib/results.mjs';
import { mirrorBench } from './lib/mirror-bench.mjs';
import { openLoop } from './lib/openloop.mjs';

const LIVE_DELAY_MS = 1;
const SHADOW_DELAY_MS = 100;
const MIRROR_PERCENT = 50;

export async function b2(ctx) {
  const { seconds } = ctx;
  const rate = Math.round(ctx.rate / 2);
  return mirrorBench(ctx, {
    id: 'B2', title: 'Mirror isolation', endpoint: 'mirror',
    liveDelayMs: LIVE_DELAY_MS, shadowDelayMs: SHADOW_DELAY_MS, mirrorPercent: MIRROR_PERCENT, shadowLabel: 'slow shadow',
    params: {
      live: `trivial model answering after ${LIVE_DELAY_MS} ms`, shadow: `trivial model answering after ${SHADOW_DELAY_MS} ms`,
      mirror: `${MIRROR_PERCENT}%`, load: { tool: 'bench/load/openloop.mjs (undici, open loop)', rate, seconds, warmupSeconds: 1, connections: 64 },
    },
    generate: (url, headers, cpus) => openLoop(url, { rate, seconds, warmup: 1, connections: 64, headers, cpus }),
    checks: (result, r) => {
      addCheck(result, { id: 'b2-ours', label: 'B2 Switchyard live p99, mirror ÷ no mirror', measured: r.ours, unit: '×', target: '≤ 1.10', pass: r.ours != null && r.ours <= 1.1 });
      addCheck(result, { id: 'b2-nginx', label: 'B2 nginx live p99, mirror ÷ no mirror (the peer is expected not to isolate)', measured: r.nginx, unit: '×', target: '> 1.10 (nginx held back)', pass: r.nginx != null && r.nginx > 1.1 });
    },
  });
}
