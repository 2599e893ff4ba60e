// The machine and the versions of everything measured, recorded with every result so numbers from
// different machines or releases are never compared by accident.
import { cpus, totalmem, release, platform } from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.mjs';

// nginx -v prints to stderr and wrk -v exits 1: take whatever text came out.
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || null;
};
const firstLine = (s) => (s ? s.split('\n')[0] : null);
const readOr = (p) => { try { return readFileSync(p, 'utf8').trim(); } catch { return null; } };

export function machine() {
  const c = cpus();
  const osRelease = readOr('/etc/os-release')?.match(/^PRETTY_NAME="?([^"\n]+)"?/m)?.[1] ?? platform();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? null,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: osRelease,
    kernel: release(),
  };
}

export function versions() {
  const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8'));
  const py = (code) => sh('/usr/bin/python3', ['-c', code]);
  return {
    node: process.version,
    switchyard: pkg.version,
    gitCommit: sh('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']),
    nginx: firstLine(sh('nginx', ['-v']))?.replace(/^nginx version: /, '') ?? null,
    wrk: firstLine(sh('wrk', ['-v']))?.split(' ').slice(0, 2).join(' ') ?? null,
    python: py('import platform; print(platform.python_version())'),
    gunicorn: py('import importlib.metadata as m; print(m.version("gunicorn"))'),
    flask: py('import importlib.metadata as m; print(m.version("flask"))'),
    sklearn: py('import sklearn; print(sklearn.__version__)'),
    undici: JSON.parse(readFileSync(`${repoRoot}/node_modules/undici/package.json`, 'utf8')).version,
  };
}

/** CPU use of the whole machine (all processes, ours included) in percent over `ms`, from /proc/stat.
 *  Taken before each benchmark: other work on a shared 2-core machine is the main source of noise. */
export async function busyPercent(ms = 1000) {
  const read = () => readOr('/proc/stat')?.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b) return null;
  const d = b.map((x, i) => x - a[i]);
  const idle = d[3] + (d[4] ?? 0);
  const total = d.reduce((s, x) => s + x, 0);
  return total ? Math.round((1 - idle / total) * 1000) / 10 : null;
}
