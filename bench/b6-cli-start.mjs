// B6 CLI start: what one CLI call costs a script. Side by side in one run, interleaved run by run:
// a bare `node -e 0` (the floor any Node CLI pays), `switchyard --version` (start-up and the entry,
// no request), `switchyard online-endpoint list -o none` against a real server on ephemeral ports
// (start-up, the command's imports and one REST call), and curl of the same REST call. Every row is
// the wall clock of a fresh process, spawned the same way. The target (issue 16): list ≤ 1.5× node -e 0.
import { join } from 'node:path';
import { newResult, addRow, skipAll, measureInterleaved, finalise, med, addCheck } from './lib/results.mjs';
import { startSwitchyard, unavailableReason } from './lib/switchyard.mjs';
import { run } from './lib/procs.mjs';
import { repoRoot } from './lib/paths.mjs';

const bin = join(repoRoot, 'bin', 'switchyard');

export async function b6(ctx) {
  const { log } = ctx;
  // One process start is short and noisy on a shared machine: many more runs than the other benchmarks.
  const runs = Math.max(ctx.runs * 10, 30);
  const result = newResult('B6', 'CLI start', { runs, placement: 'not pinned', rows: 'interleaved: node -e 0, --version, list, curl' });
  const specs = {
    node: { id: 'node-e0', group: 'cli-start', label: 'node -e 0 (bare Node start, the floor)', system: 'node' },
    version: { id: 'version', group: 'cli-start', label: 'switchyard --version', system: 'switchyard' },
    list: { id: 'list', group: 'cli-start', label: 'switchyard online-endpoint list -o none (one REST call)', system: 'switchyard' },
    curl: { id: 'curl', group: 'cli-start', label: 'curl of the same REST call (GET /api/v1/endpoints)', system: 'curl' },
  };
  const why = unavailableReason(ctx);
  if (why) return skipAll(result, Object.values(specs), why);
  let sy;
  try {
    sy = await startSwitchyard({ profileDir: ctx.profileDir, logFile: join(ctx.logDir, 'b6-switchyard.log') });
    // A few endpoints, so the list call returns something real.
    for (const n of ['b6a', 'b6b']) await sy.cli(['online-endpoint', 'create', '-n', n, '--auth-mode', 'key']);
    const listUrl = `${sy.controlUrl}/api/v1/endpoints`;
    const timed = async (cmd, args, env) => {
      const r = await run(cmd, args, { env, cwd: repoRoot, timeoutMs: 30000 });
      if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).slice(0, 300)}`);
      return r;
    };
    // Check once that curl gets what the CLI gets (same call, same answer).
    const viaCurl = JSON.parse((await timed('curl', ['-sf', '-H', `Authorization: Bearer ${sy.token}`, listUrl])).stdout);
    const viaCli = JSON.parse((await timed(process.execPath, [bin, 'online-endpoint', 'list'], sy.cliEnv)).stdout);
    const names = (x) => (Array.isArray(x) ? x : x.value ?? x.items ?? []).map((e) => e.name).sort().join(',');
    if (names(viaCurl) !== names(viaCli)) throw new Error(`curl ${listUrl} and the CLI disagree: ${names(viaCurl)} vs ${names(viaCli)}`);
    const ms = (r) => ({ ms: r.ms });
    const rows = [
      addRow(result, { ...specs.node, measure: async () => ({ ...ms(await timed(process.execPath, ['-e', '0'])), command: 'node -e 0' }) }),
      addRow(result, { ...specs.version, measure: async () => ({ ...ms(await timed(process.execPath, [bin, '--version'])), command: 'switchyard --version' }) }),
      addRow(result, { ...specs.list, measure: async () => ({ ...ms(await timed(process.execPath, [bin, 'online-endpoint', 'list', '-o', 'none'], sy.cliEnv)), command: 'switchyard online-endpoint list -o none' }) }),
      addRow(result, { ...specs.curl, measure: async () => ({ ...ms(await timed('curl', ['-sf', '-o', '/dev/null', '-H', `Authorization: Bearer ${sy.token}`, listUrl])), command: 'curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" $SWITCHYARD_URL/api/v1/endpoints' }) }),
    ];
    // Warm the page cache once per row so the first run is not the only cold one.
    for (const row of rows) await row.measure(0);
    await measureInterleaved(rows, runs, log);
    finalise(result);
    const node = med(result, 'node-e0', 'ms'), version = med(result, 'version', 'ms'), list = med(result, 'list', 'ms'), curl = med(result, 'curl', 'ms');
    const ratio = (a, b) => (a == null || b == null ? null : a / b);
    addCheck(result, { id: 'b6-list', label: 'B6 online-endpoint list -o none ÷ node -e 0', measured: ratio(list, node), unit: '×', target: '≤ 1.5×', pass: ratio(list, node) <= 1.5 });
    result.notes.push(`Ratios of medians to node -e 0: --version ${ratio(version, node)?.toFixed(2)}×, list ${ratio(list, node)?.toFixed(2)}×, curl ${ratio(curl, node)?.toFixed(2)}×; list ÷ curl ${ratio(list, curl)?.toFixed(2)}×.`);
    result.notes.push('Each row is a fresh process spawned by the benchmark (node:child_process), so all rows carry the same spawn cost; the machine\'s load is in the "others\' CPU %" column.');
    result.setupCommands = ['switchyard serve --port 0 --gateway-port 0 --data-dir $(mktemp -d)', 'switchyard online-endpoint create -n b6a --auth-mode key  # and b6b'];
    return result;
  } finally {
    if (sy) await sy.stop().catch(() => {});
  }
}
