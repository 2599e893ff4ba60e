// `switchyard model ...` and `switchyard environment ...` through the real CLI and server: uploads of
// a folder and of a single file, versions, `latest`, immutability, YAML with relative paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sy, type Server } from './cli-harness.js';

let server: Server;
let project: string;
const run = (...args: string[]) => sy(server, args, { cwd: project });
const ok = (r: { code: number; stderr: string }) => assert.equal(r.code, 0, `expected exit 0, stderr: ${r.stderr}`);

before(async () => {
  server = await startServer();
  project = join(server.home, 'project');
  mkdirSync(join(project, 'model', 'sub'), { recursive: true });
  mkdirSync(join(project, 'assets'), { recursive: true });
  writeFileSync(join(project, 'model', 'weights.json'), '{"scale": 3}');
  writeFileSync(join(project, 'model', 'sub', 'extra.txt'), 'x');
  writeFileSync(join(project, 'single.onnx'), 'onnx bytes');
  writeFileSync(join(project, 'assets', 'model.yml'), '$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: e2e-model\nversion: 7\npath: ../model\ndescription: from yaml\ntags: {k: v}\n');
  writeFileSync(join(project, 'assets', 'conda.yaml'), 'name: env\ndependencies:\n  - python=3.11\n');
  writeFileSync(join(project, 'assets', 'env.yml'), 'name: e2e-env\nversion: 1\nimage: python:3.11\nconda_file: conda.yaml\n');
});
after(async () => {
  await server?.stop();
});

test('model create from flags (a folder), then from a file with a relative path', async () => {
  const a = await run('model', 'create', '--name', 'e2e-model', '--path', 'model');
  ok(a);
  const m = JSON.parse(a.stdout);
  assert.equal(m.name, 'e2e-model');
  assert.match(m.path, /^sha256:[0-9a-f]{64}$/);
  const b = await sy(server, ['model', 'create', '-f', join(project, 'assets', 'model.yml')], { cwd: server.home });
  ok(b);
  assert.equal(JSON.parse(b.stdout).version, '7');
  assert.equal(JSON.parse(b.stdout).path, m.path, 'same folder, same digest');
  const latest = await run('model', 'show', '-n', 'e2e-model', '--label', 'latest', '-o', 'tsv', '--query', 'version');
  assert.equal(latest.stdout, '7\n');
  const versions = await run('model', 'list', '-n', 'e2e-model', '--query', '[].version', '-o', 'tsv');
  assert.equal(versions.stdout.trim().split('\n').length, 2);
  const one = await run('model', 'create', '-n', 'e2e-file-model', '-v', '1', '-p', 'single.onnx', '--query', 'path', '-o', 'tsv');
  ok(one);
  assert.match(one.stdout, /^sha256:/);
  const all = await run('model', 'list', '--query', '[].name', '-o', 'tsv');
  assert.deepEqual(all.stdout.trim().split('\n').sort(), ['e2e-file-model', 'e2e-model']);
});

test('model: same name and version with other content is refused (exit 1)', async () => {
  const r = await run('model', 'create', '-n', 'e2e-file-model', '-v', '1', '-p', 'model');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ERROR: /);
  const missing = await run('model', 'create', '-n', 'x', '-p', 'nowhere');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nowhere does not exist/);
});

test('environment create reads the conda file (relative to the YAML), show and list', async () => {
  const r = await run('environment', 'create', '-f', 'assets/env.yml');
  ok(r);
  const env = JSON.parse(r.stdout);
  assert.deepEqual(env.conda_file, { name: 'env', dependencies: ['python=3.11'] });
  const f = await run('environment', 'create', '--name', 'e2e-env2', '--image', 'python:3.12', '--conda-file', 'assets/conda.yaml');
  ok(f);
  const s = await run('environment', 'show', '-n', 'e2e-env', '-v', '1', '-o', 'tsv', '--query', 'image');
  assert.equal(s.stdout, 'python:3.11\n');
  const l = await run('environment', 'list', '--query', '[].name', '-o', 'tsv');
  assert.deepEqual(l.stdout.trim().split('\n').sort(), ['e2e-env', 'e2e-env2']);
  const nf = await run('environment', 'show', '-n', 'nope');
  assert.equal(nf.code, 1);
});
