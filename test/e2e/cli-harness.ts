// Harness of the CLI end-to-end tests: the real `./bin/switchyard` (compiled dist/), a real server it
// starts with `switchyard serve --port 0 --gateway-port 0`, read from its first stdout line
// ({"event":"listening","controlUrl":...,"gatewayUrl":...}), and each command run as a child process
// the way a user's shell runs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin', 'switchyard');

/** Builds dist/ when it is missing (`npm test` builds it first). */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'cli', 'main.js')) && existsSync(join(ROOT, 'dist', 'server', 'serve.js'))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
}

export interface Result { code: number; stdout: string; stderr: string }

export interface Server {
  controlUrl: string;
  gatewayUrl: string;
  dataDir: string;
  home: string;
  env: Record<string, string>;
  stderr(): string;
  stop(): Promise<{ code: number | null; stdout: string }>;
}

/** `args`: more `serve` flags; `env`: more variables; `fileLimit`: the server's open-file limit (ulimit -n). */
export async function startServer(extra: { args?: string[]; env?: Record<string, string>; fileLimit?: number } = {}): Promise<Server> {
  ensureBuilt();
  const home = mkdtempSync(join(tmpdir(), 'sy-e2e-home-'));
  const dataDir = join(home, 'data');
  const env = { ...process.env, HOME: home, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_LOG_LEVEL: 'warn', ...extra.env } as Record<string, string>;
  delete env.SWITCHYARD_URL;
  delete env.SWITCHYARD_TOKEN;
  const args = ['serve', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir, ...(extra.args ?? [])];
  const child: ChildProcess = extra.fileLimit
    ? spawn('bash', ['-c', `ulimit -n ${extra.fileLimit} && exec "$0" "$@"`, BIN, ...args], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(BIN, args, { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const first = new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its listening line in 60s; stderr:\n${stderr}`)), 60_000);
    rl.on('line', (l) => {
      lines.push(l);
      if (lines.length === 1) { clearTimeout(timer); resolveLine(l); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code} before listening; stderr:\n${stderr}`)); });
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let line: string;
  try {
    line = await first;
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  const event = JSON.parse(line) as { event: string; controlUrl: string; gatewayUrl: string; dataDir: string };
  if (event.event !== 'listening') throw new Error(`unexpected first line of serve: ${line}`);
  return {
    controlUrl: event.controlUrl,
    gatewayUrl: event.gatewayUrl,
    dataDir: event.dataDir,
    home,
    env: { ...env, SWITCHYARD_URL: event.controlUrl },
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      return { code, stdout: lines.join('\n') };
    },
  };
}

/** Runs `switchyard ...args` as a child process (stdin not a terminal, as in a script). */
export function sy(server: Pick<Server, 'env' | 'home'>, args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<Result> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(BIN, args, { cwd: opts.cwd ?? server.home, env: { ...server.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
