// B5's part of BENCHMARKS.md: the cost at each size as two tables, and a small hand-written SVG plot of
// each cost relative to its value at the smallest size (flat lines are the goal; a line that climbs
// like the deployment count grows linearly). Called by report.mjs for a result with `scale` points.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resultsDir, repoRoot } from './paths.mjs';

const num = (x, d) => (x == null ? '–' : Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

/** What the plot shows: a label, how to read the value from a point, and a colour. */
const SERIES = [
  { label: 'traffic update → in force', of: (p) => p.trafficUpdateMs, colour: '#1f77b4' },
  { label: 'snapshot build + ack', of: (p) => (p.snapshotBuildMs ?? 0) + (p.snapshotAckMs ?? 0), colour: '#ff7f0e' },
  { label: 'snapshot bytes', of: (p) => p.snapshotBytes, colour: '#8c564b', dashed: true },
  { label: 'endpoint list latency', of: (p) => p.endpointListMs, colour: '#2ca02c' },
  { label: 'deployment show latency', of: (p) => p.deploymentShowMs, colour: '#17becf' },
  { label: 'gateway req/s to one endpoint', of: (p) => p.rps, colour: '#d62728' },
  { label: 'gateway ÷ direct req/s', of: (p) => p.gatewayToDirect, colour: '#e377c2' },
  { label: 'server RSS', of: (p) => p.serverRssMiB, colour: '#9467bd' },
];

export function scaleSvg(points) {
  const W = 640, H = 340, L = 56, R = 210, T = 20, B = 44;
  const xs = points.map((p) => p.deployments);
  const lines = SERIES.map((s) => {
    const base = s.of(points[0]);
    return { ...s, ys: points.map((p) => (base ? s.of(p) / base : null)) };
  });
  const all = lines.flatMap((l) => l.ys).filter((y) => y != null && y > 0);
  const lo = Math.min(0.5, ...all), hi = Math.max(2, ...all);
  const lx0 = Math.log10(Math.min(...xs)), lx1 = Math.log10(Math.max(...xs, Math.min(...xs) * 10));
  const ly0 = Math.log10(lo), ly1 = Math.log10(hi);
  const X = (x) => L + ((Math.log10(x) - lx0) / (lx1 - lx0 || 1)) * (W - L - R);
  const Y = (y) => T + (1 - (Math.log10(y) - ly0) / (ly1 - ly0 || 1)) * (H - T - B);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`];
  for (let e = Math.ceil(ly0 * 2) / 2; e <= ly1 + 1e-9; e += 0.5) {
    const v = 10 ** e;
    if (!Number.isInteger(e) && v < 1) continue;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="${e === 0 ? '#888' : '#e5e5e5'}"/>`,
      `<text x="${L - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toPrecision(2))}×</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#e5e5e5"/>`,
      `<text x="${X(x).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">deployments (log scale)</text>`,
    `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">relative to ${xs[0]} deployment${xs[0] === 1 ? '' : 's'} (log)</text>`);
  lines.forEach((l, i) => {
    const pts = l.ys.map((y, j) => (y != null && y > 0 ? `${X(xs[j]).toFixed(1)},${Y(y).toFixed(1)}` : null)).filter(Boolean);
    out.push(`<polyline fill="none" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.join(' ')}"/>`);
    for (const p of pts) { const [cx, cy] = p.split(','); out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${l.colour}"/>`); }
    const ly = T + 8 + i * 18;
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${W - R + 38}" y="${ly + 4}">${l.label}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/** Markdown for the scale points; writes the plot next to the results and links it. */
export function scaleSection(res) {
  const pts = res.scale;
  const out = [];
  const svgPath = join(resultsDir, `${res.bench}-scale.svg`);
  writeFileSync(svgPath, scaleSvg(pts));
  out.push(`![${res.bench}: each cost relative to its value at ${pts[0].deployments} deployment(s)](${relative(repoRoot, svgPath)})`, '');
  out.push('**Routing and the gateway** — traffic update: median (min–max) of the update operations; snapshot figures from the server\'s debug log (median over the updates); gateway: one wrk run to the first endpoint, then one straight to its instance (direct); CPU during the gateway run: the server process per request (of it, its main thread: control plane and probes; the rest is the gateway worker and V8\'s helpers) and the instances not being called, in % of one core.', '');
  out.push('| deployments | endpoints | traffic update → in force ms | snapshot KiB | build ms | ack ms | gateway req/s | errors | p50 ms | p99 ms | direct req/s | gateway ÷ direct | server CPU µs/req | of it main thread | other instances\' CPU % | others\' CPU % |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of pts) {
    out.push(`| ${p.deployments} | ${p.endpoints} | ${num(p.trafficUpdateMs, 1)} (${num(p.trafficUpdateRangeMs?.[0], 1)}–${num(p.trafficUpdateRangeMs?.[1], 1)}) | ${num(p.snapshotBytes / 1024, 1)} | ${num(p.snapshotBuildMs, 2)} | ${num(p.snapshotAckMs, 2)} | ${num(p.rps, 0)} | ${num(p.errors, 0)} | ${num(p.p50Ms, 2)} | ${num(p.p99Ms, 1)} | ${num(p.directRps, 0)} | ${num(p.gatewayToDirect, 2)} | ${num(p.serverCpuUsPerReq, 1)} | ${num(p.mainThreadCpuUsPerReq, 1)} | ${num(p.otherInstancesCpuPct, 1)} | ${num(p.othersCpuPct, 0)} |`);
  }
  out.push('', '**Control plane and memory** — REST latency: median of the calls on a kept-alive connection; PSS from /proc/PID/smaps_rollup (shared pages divided among the processes sharing them), instances: median of up to 20.', '');
  out.push('| deployments | endpoint list ms | deployment list ms | deployment show ms | server RSS MiB | server PSS MiB | Node host PSS MiB/instance | Node host RSS MiB/instance | server idle CPU % | instances idle CPU % | grew in s | memory available GiB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of pts) {
    out.push(`| ${p.deployments} | ${num(p.endpointListMs, 2)} | ${num(p.deploymentListMs, 2)} | ${num(p.deploymentShowMs, 2)} | ${num(p.serverRssMiB, 1)} | ${num(p.serverPssMiB, 1)} | ${num(p.nodeHostPssMiB, 1)} | ${num(p.nodeHostRssMiB, 1)} | ${num(p.serverIdleCpuPct, 1)} | ${num(p.instancesIdleCpuPct, 1)} | ${num(p.growSeconds, 1)} | ${num(p.memAvailableGiB, 1)} |`);
  }
  out.push('');
  if (res.python) out.push(`Python host (${res.python.instances} instances of \`bench/peers/trivial-model-python/score.py\`, created in ${num(res.python.createSeconds, 2)} s): PSS ${num(res.python.pssMiB, 1)} MiB per instance (median), RSS ${num(res.python.rssMiB, 1)} MiB.`, '');
  const cmds = pts[0]?.commands ?? [];
  if (cmds.length) out.push('<details><summary>Exact commands (each size)</summary>', '', '```sh', ...(res.setupCommands ?? []), ...cmds, '```', '', '</details>', '');
  return out.join('\n');
}
