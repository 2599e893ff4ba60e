// Shadow evaluation as a user runs it: a real server, real Node scoring instances, the real CLI.
// blue answers live; green (the same model) is Azure's mirror; purple (a different model) is a shadow
// of the extension. Identical models agree, different ones disagree with samples showing the
// difference, clients only see blue's answers, and the shadow-only instances run at nice 19.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sy, type Server } from './cli-harness.js';

let server: Server;
let project: string;
const E = 'e2e-shadow';
const run = (...args: string[]) => sy(server, args, { cwd: project });
const ok = (r: { code: number; stderr: string }, what = '') => assert.equal(r.code, 0, `${what} expected exit 0, stderr: ${r.stderr}`);
const fast = 'liveness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 30}\nreadiness_probe: {initial_delay: 0, period: 1, timeout: 2, failure_threshold: 60}\n';

before(async () => {
  server = await startServer();
  project = join(server.home, 'project');
  for (const [dir, scale] of [['m1', 1], ['m2', 3]] as const) {
    mkdirSync(join(project, dir, 'model'), { recursive: true });
    mkdirSync(join(project, dir, 'code'), { recursive: true });
    writeFileSync(join(project, dir, 'model', 'weights.json'), JSON.stringify({ scale }));
    writeFileSync(join(project, dir, 'code', 'score.mjs'), `import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
let scale;
export async function init() {
  scale = JSON.parse(await readFile(join(process.env.AZUREML_MODEL_DIR, 'model', 'weights.json'), 'utf8')).scale;
}
export function run(rawData) {
  return JSON.parse(rawData).data.map((row) => row.reduce((a, b) => a + b, 0) * scale);
}
`);
  }
  writeFileSync(join(project, 'endpoint.yml'), `name: ${E}\nauth_mode: key\n`);
  for (const [name, dir] of [['blue', 'm1'], ['green', 'm1'], ['purple', 'm2']] as const) {
    writeFileSync(join(project, `${name}.yml`), `name: ${name}\nendpoint_name: ${E}\nmodel:\n  path: ${dir}/model\ncode_configuration:\n  code: ${dir}/code\n  scoring_script: score.mjs\nenvironment:\n  image: node:20\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n${fast}`);
  }
});
after(async () => {
  await server?.stop();
});

const niceOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

test('mirror and shadow answers compared; samples show the difference; shadow-only instances yield the CPU', async () => {
  ok(await run('online-endpoint', 'create', '-n', E, '-f', 'endpoint.yml'));
  for (const name of ['blue', 'green', 'purple']) ok(await run('online-deployment', 'create', '-n', name, '-e', E, '-f', `${name}.yml`), name);
  ok(await run('online-endpoint', 'update', '-n', E, '--traffic', 'blue=100', '--mirror-traffic', 'green=50', '--shadow-traffic', 'purple=100'));
  const key = JSON.parse((await run('online-endpoint', 'get-credentials', '-n', E)).stdout).primaryKey as string;
  const n = 60;
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${server.gatewayUrl}/endpoints/${E}/score`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: [[i, 1, 2]] }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('azureml-model-deployment'), 'blue');
    assert.deepEqual(await res.json(), [i + 3], 'the client gets blue\'s answer, never a shadow\'s');
  }
  // The comparer reports each copy as a pair or a counted drop: wait for all of them (bounded).
  type Shadow = { deployment: string; kind: string; pairs: number; dropped: number; dropped_by_reason: Record<string, number>; agreement: number; status_agreement: number; abs_diff: { max: number }; samples: Array<{ request: string; difference: { path: string; live: number; shadow: number } }> };
  let shadows: Shadow[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await run('online-endpoint', 'compare', '-n', E);
    ok(r, 'compare');
    shadows = JSON.parse(r.stdout).shadows;
    const seen = (d: string) => shadows.find((s) => s.deployment === d);
    if ((seen('green')?.pairs ?? 0) + (seen('green')?.dropped ?? 0) >= n / 2 && (seen('purple')?.pairs ?? 0) + (seen('purple')?.dropped ?? 0) >= n) break;
    assert.ok(Date.now() < deadline, `copies not all accounted for: ${JSON.stringify(shadows.map((s) => [s.deployment, s.pairs, s.dropped]))}`);
  }
  const green = shadows.find((s) => s.deployment === 'green')!;
  const purple = shadows.find((s) => s.deployment === 'purple')!;
  assert.equal(green.kind, 'mirror');
  // A busy gateway sheds copies first (reason "busy", by design: gateway/load-shed.ts); on a loaded
  // machine some are, so they count with the pairs, and no copy is lost for any other reason.
  const shedOrPaired = (x: Shadow) => x.pairs + (x.dropped_by_reason.busy ?? 0);
  assert.ok(shedOrPaired(green) >= n / 2 - 3 && green.pairs >= n / 4 && green.agreement >= 0.99, JSON.stringify(green));
  assert.equal(green.samples.length, 0);
  assert.equal(purple.kind, 'shadow');
  assert.ok(shedOrPaired(purple) >= n - 3 && purple.pairs >= n / 2 && purple.agreement <= 0.01, JSON.stringify(purple));
  assert.equal(purple.status_agreement, 1);
  const s = purple.samples[0]!;
  const x = (JSON.parse(s.request) as { data: number[][] }).data[0]![0]!;
  assert.deepEqual([s.difference.path, s.difference.live, s.difference.shadow], ['$[0]', x + 3, (x + 3) * 3]);

  const table = await run('online-endpoint', 'compare', '-n', E, '-d', 'purple', '-o', 'table');
  ok(table);
  assert.match(table.stdout, /purple/);

  // green and purple only get copies: their instances run at nice 19; blue's at the server's own
  // niceness (this runner's, which the server inherits: 0 unless the suite was started under `nice`).
  const base = niceOf(process.pid);
  for (const [name, nice] of [['blue', base], ['green', 19], ['purple', 19]] as const) {
    const show = JSON.parse((await run('online-deployment', 'show', '-n', name, '-e', E)).stdout) as { instances?: Array<{ pid: number | null }> };
    const pids = (show.instances ?? []).map((i) => i.pid).filter((p): p is number => typeof p === 'number');
    assert.ok(pids.length > 0, `${name}: no instance pid in show`);
    for (const pid of pids) assert.equal(niceOf(pid), nice, `${name} pid ${pid}`);
  }
});
