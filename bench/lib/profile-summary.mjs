// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, so findings
// can name where the data path spends its CPU without opening DevTools.
//   node bench/lib/profile-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

export function summariseProfile(path, top = 25) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // samples[i] ran for timeDeltas[i] µs (deltas are attached to the next sample).
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
  }
  // Percentages are of busy time: idle samples (the thread waiting in epoll) are left out.
  const fn = new Map(), file = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    total += us;
    const url = (cf.url || '(native)').replace(/^file:\/\/.*?\/(node_modules|dist|bench)\//, '$1/').replace(/^node:/, 'node:');
    const k = `${cf.functionName || '(anonymous)'}  ${url}:${cf.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + us);
    file.set(url, (file.get(url) ?? 0) + us);
  }
  // Coarse buckets, to say which layer the time goes to.
  const bucketOf = (k) => {
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|read|close)\s+\(native\)/.test(k)) return 'socket syscalls (native writev/write/read)';
    if (k.startsWith('(garbage collector)')) return 'garbage collector';
    if (k.startsWith('(program)')) return 'V8/libuv (program)';
    if (/node_modules\/undici|wasm:/.test(k)) return 'undici (client to the instance)';
    if (/dist\/gateway\//.test(k)) return 'gateway code (dist/gateway)';
    if (/node:(_http_|internal\/http)/.test(k)) return 'node:http server';
    if (/node:(internal\/)?crypto/.test(k) || /^(Hash|digest|createHash|randomUUID|serializeUUID)/.test(k)) return 'crypto (key hash, request ids)';
    if (/node:(net|internal\/stream|internal\/streams|events|stream)/.test(k)) return 'node streams/net/events';
    if (/node:internal\/(process|timers)/.test(k)) return 'timers and ticks';
    return 'other';
  };
  const buckets = new Map();
  for (const [k, us] of fn) buckets.set(bucketOf(k), (buckets.get(bucketOf(k)) ?? 0) + us);
  const fmt = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return { totalMs: total / 1000, functions: fmt(fn), files: fmt(file), buckets: fmt(buckets) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = summariseProfile(process.argv[2], Number(process.argv[3] ?? 25));
  console.log(`busy (non-idle) ${s.totalMs.toFixed(0)} ms\n\n-- by layer --\n${s.buckets.join('\n')}\n\n-- by function (self) --\n${s.functions.join('\n')}\n\n-- by file (self) --\n${s.files.join('\n')}`);
}
