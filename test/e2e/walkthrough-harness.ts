// What the end-to-end walkthrough test needs around the code under test: a real `switchyard serve`
// child process on ephemeral ports with its own data dir, the real CLI run as child processes
// (asynchronously, so the load generator keeps running meanwhile), and checks on leftover processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const binPath = join(repoRoot, 'bin', 'switchyard');
/** The example folder plays the part of azureml-examples' cli/ folder: the CLI runs from here. */
export const exampleDir = join(repoRoot, 'examples', 'safe-rollout');

// Children still running (servers, CLI commands, scripts). If this test process ends before its
// `after` hooks run (the runner's file timeout, Ctrl-C), they are sent SIGTERM so that nothing outlives
// the test: a server stops its own instances on SIGTERM.
const live = new Set<ChildProcess>();
const killLive = () => { for (const c of live) c.kill('SIGTERM'); };
process.once('exit', killLive);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => { killLive(); process.exit(sig === 'SIGINT' ? 130 : 143); });
}
function track(c: ChildProcess): ChildProcess {
  live.add(c);
  c.once('exit', () => live.delete(c));
  return c;
}

export interface Server {
  proc: ChildProcess;
  pid: number;
  dataDir: string;
  controlUrl: string;
  gatewayUrl: string;
  token: string;
  /** The server's stderr (structured logs), kept for failure messages; the last 200 lines. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after 20 s; resolves when the process has exited. Keeps the data dir. */
  stop(): Promise<void>;
  /** stop(), then remove the data dir. */
  dispose(): Promise<void>;
}

export async function startServer(extraArgs: string[] = []): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-'));
  const proc = track(spawn(process.execPath, [binPath, 'serve', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir, ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWITCHYARD_URL: '', SWITCHYARD_TOKEN: '' },
  }));
  const tail: string[] = [];
  createInterface({ input: proc.stderr! }).on('line', (l) => { tail.push(l); if (tail.length > 200) tail.shift(); });
  const stdoutLines = createInterface({ input: proc.stdout! });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      // The server drains and stops its instances on SIGTERM; insist only if it hangs.
      const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
  };
  const dispose = async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  };

  try {
    const first = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error('switchyard serve printed nothing on stdout within 30 s')), 30_000);
      stdoutLines.once('line', (l) => { clearTimeout(t); res(l); });
      proc.once('exit', (code, sig) => { clearTimeout(t); rej(new Error(`switchyard serve exited (${code ?? sig}) before listening`)); });
    });
    const ev = JSON.parse(first) as { event?: string; controlUrl?: string; gatewayUrl?: string };
    if (ev.event !== 'listening' || !ev.controlUrl || !ev.gatewayUrl) throw new Error(`unexpected first stdout line of serve: ${first}`);
    const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    // Health is public; wait for it so that the first CLI call does not race the start.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${ev.controlUrl}/api/v1/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('GET /api/v1/health never answered 200');
      await sleep(100);
    }
    return { proc, pid: proc.pid!, dataDir, controlUrl: ev.controlUrl, gatewayUrl: ev.gatewayUrl, token, logTail: () => tail.join('\n'), stop, dispose };
  } catch (err) {
    await dispose();
    throw new Error(`${(err as Error).message}\n--- server stderr ---\n${tail.join('\n')}`);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The command line as a user would type it, for messages. */
  line: string;
}

/** Runs `switchyard <args>` from the example folder against `server`, asynchronously. */
export function cli(server: Pick<Server, 'controlUrl' | 'token'>, args: string[], timeoutMs = 180_000): Promise<CliResult> {
  return run(process.execPath, [binPath, ...args], {
    cwd: exampleDir,
    env: { ...process.env, SWITCHYARD_URL: server.controlUrl, SWITCHYARD_TOKEN: server.token, NO_COLOR: '1' },
    timeoutMs,
    line: `switchyard ${args.join(' ')}`,
  });
}

export function run(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; line?: string }): Promise<CliResult> {
  const started = Date.now();
  return new Promise((res) => {
    const p = track(spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const t = setTimeout(() => { stderr += `\n[killed after ${o.timeoutMs} ms]`; p.kill('SIGKILL'); }, o.timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr, ms: Date.now() - started, line: o.line ?? `${cmd} ${args.join(' ')}` });
    });
  });
}

/** A failure message that shows what was run and everything it said. */
export function describeResult(r: CliResult): string {
  return `\`${r.line}\` exited ${r.code} after ${r.ms} ms\n--- stdout ---\n${r.stdout.slice(-4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`;
}

/** Is the process alive (a zombie counts as gone: it runs nothing, its parent just has not reaped it)? */
export function processState(pid: number): 'gone' | 'zombie' | 'alive' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the ")" that closes the command name.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' ? 'zombie' : 'alive';
  } catch {
    return 'gone';
  }
}

export function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(); } catch { return ''; }
}

/** Waits up to `timeoutMs` for every pid to be gone; returns those still alive (with their command lines). */
export async function waitGone(pids: Iterable<number>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = [...pids].filter((p) => processState(p) === 'alive');
    if (!left.length) return [];
    if (Date.now() > deadline) return left.map((p) => `${p} (${cmdline(p) || '?'})`);
    await sleep(100);
  }
}

/** Processes whose working directory or command line lies under `dir` (the server's data dir). */
export async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const pid = Number(name);
    if (processState(pid) !== 'alive') continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    const cl = cmdline(pid);
    if (cwd.startsWith(dir) || cl.includes(dir)) found.push(`${pid} cwd=${cwd} cmd=${cl.slice(0, 200)}`);
  }
  return found;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function readSampleRequest(model: 'model-1' | 'model-2'): string {
  const p = join(exampleDir, 'endpoints', 'online', model, 'sample-request.json');
  if (!existsSync(p)) throw new Error(`missing ${p}`);
  return readFileSync(p, 'utf8');
}
