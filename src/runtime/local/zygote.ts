// Pre-warmed Python instances. A zygote is one long-lived Python process per (interpreter, environment)
// that has imported the scoring host and the environment's packages (zygote-plan.ts says which); it
// forks a child per instance, so a new instance only loads the scoring script and runs init(). The
// Python side is src/hosts/python/switchyard_host/zygote.py (its header describes the child's setup).
//
// Channels, all private to the server:
//   - requests on the zygote's stdin and events on its stdout (pipes only the server holds): a request
//     names a random token and nothing else, so no deployment's variables ever sit in the zygote's
//     memory, which every later child inherits;
//   - the launch spec (uid, gid, cwd, the environment) in <private dir>/<token>.json (0600), read and
//     deleted by the child while it is still privileged;
//   - the child's stdin + control channel, stdout and stderr: three connections to a unix socket in the
//     same private folder (0700, the server's user). The server hands them to the Instance as it hands
//     over a spawned child's pipes, so logs, readiness and "exit when the server is gone" work unchanged.
// The zygote is the children's parent and reports each exit; if it dies, the server polls the orphaned
// children's /proc entries until they are gone. A zygote that cannot start, answer or fork, or dies, is
// replaced on the next request; after MAX_FAILURES for one key, that key starts cold for good.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { pythonZygoteScript } from './host-locations.js';
import type { ChildSpec } from './launch-plan.js';
import { inheritedEnv } from './launch-plan.js';
import { LineSplitter } from './log-files.js';
import { processStartTime } from './pid-records.js';
import { zygoteKey, type ZygotePlan } from './zygote-plan.js';

/** Starts and failures of one key's zygotes before that key always starts cold. */
export const MAX_FAILURES = 3;
/** How long a zygote may take to import its packages before its key starts cold. */
const READY_TIMEOUT_MS = 120_000;
/** From the fork request until the child's pid and its three connections have arrived. */
const FORK_TIMEOUT_MS = 15_000;
/** The child's exit code when the instance's user could not run the interpreter (zygote.py, NOT_RUNNABLE). */
const NOT_RUNNABLE = 126;
/** How often a child whose zygote died is looked for in /proc. */
const ORPHAN_POLL_MS = 250;

type Role = 'control' | 'out' | 'err';
const ROLES: readonly Role[] = ['control', 'out', 'err'];

/**
 * A forked instance, shaped like the part of ChildProcess an Instance uses: pid, stdin, stdout, stderr,
 * stdio[3] (the control channel, the same connection as stdin) and the 'exit' event.
 */
export class ForkedProcess extends EventEmitter {
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  readonly stdio: [Socket, Socket, Socket, Socket];
  constructor(readonly pid: number, readonly zygotePid: number, conns: Record<Role, Socket>) {
    super();
    this.stdin = conns.control;
    this.stdout = conns.out;
    this.stderr = conns.err;
    this.stdio = [conns.control, conns.out, conns.err, conns.control];
  }

  /** Lets the connections flow, once the Instance listens to them. */
  begin(): void {
    for (const socket of new Set(this.stdio)) socket.resume();
  }

  /** Emits 'exit' once, like ChildProcess (code, signal). */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.emit('exit', code, signal);
  }
}

/** A fork that must start cold for a reason of the instance's, not of a broken zygote. */
class StartCold extends Error {}

interface PendingFork {
  token: string;
  zygote: Zygote;
  pid: number | null;
  /** The child has exited (and was reaped): its pid is no longer ours to signal. */
  exited: boolean;
  conns: Partial<Record<Role, Socket>>;
  settle: (result: ForkedProcess | Error) => void;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** One zygote process. */
class Zygote {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** Resolves when the zygote process has exited (or could not start). */
  readonly gone: Promise<void>;
  alive = true;
  /** Already counted as one failure of its key. */
  counted = false;
  preloaded: string[] = [];
  private readonly live = new Map<number, ForkedProcess>();
  private readonly pending = new Map<string, PendingFork>();
  private readonly exits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();

  constructor(
    readonly key: string,
    readonly interpreter: string,
    plan: ZygotePlan,
    private readonly pool: ZygotePool,
  ) {
    const env = {
      ...inheritedEnv(), ...plan.importEnv,
      HOME: pool.homeDir, TMPDIR: pool.homeDir,
      SWITCHYARD_ZYGOTE_SOCKET: pool.socketPath, SWITCHYARD_ZYGOTE_DIR: pool.dir,
      SWITCHYARD_ZYGOTE_PRELOAD: plan.preload.join(','),
    };
    this.child = spawn(interpreter, ['-u', '-B', pythonZygoteScript], { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe'] });
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.gone = new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
    const timer = setTimeout(() => {
      rejectReady(new Error(`it did not finish its imports within ${READY_TIMEOUT_MS / 1000} s`));
      this.kill();
    }, READY_TIMEOUT_MS);
    const log = pool.logger;
    const events = new LineSplitter((line) => {
      let m: { event?: string; token?: string; pid?: number; code?: number | null; signal?: number | null; error?: string; preloaded?: string[]; failed?: Array<{ module: string; error: string }>; ms?: number };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.event === 'ready') {
        clearTimeout(timer);
        this.preloaded = m.preloaded ?? [];
        log.info({ zygote: this.child.pid, interpreter, preloaded: this.preloaded, failed: m.failed, ms: m.ms }, 'python zygote ready');
        resolveReady();
      } else if (m.event === 'forked' && m.token && typeof m.pid === 'number') {
        const p = this.pending.get(m.token);
        if (p) {
          p.pid = m.pid;
          pool.complete(p);
        }
      } else if (m.event === 'fork_failed' && m.token) {
        this.pending.get(m.token)?.settle(new Error(`fork failed: ${m.error ?? 'unknown error'}`));
      } else if (m.event === 'exit' && typeof m.pid === 'number') {
        this.onChildExit(m.pid, m.code ?? null, typeof m.signal === 'number' ? SIGNAL_NAMES.get(m.signal) ?? null : null);
      }
    });
    this.child.stdout!.on('data', (c: Buffer) => events.push(c));
    const stderr = new LineSplitter((line) => log.warn({ zygote: this.child.pid, interpreter }, `python zygote: ${line}`));
    this.child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (e) => {
      clearTimeout(timer);
      rejectReady(e);
      this.onGone(`could not start: ${e.message}`);
    });
    this.child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`it exited (${signal ?? `code ${code}`}) before it was ready`));
      this.onGone(signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends the request; the pool completes or fails it. */
  request(p: PendingFork): void {
    this.pending.set(p.token, p);
    this.child.stdin!.write(`${JSON.stringify({ fork: p.token })}\n`);
  }

  forget(token: string): void {
    this.pending.delete(token);
  }

  adopt(pid: number, forked: ForkedProcess): void {
    const early = this.exits.get(pid);
    if (early) {
      this.exits.delete(pid);
      setImmediate(() => forked.exited(early.code, early.signal));
      return;
    }
    this.live.set(pid, forked);
    if (!this.alive) this.watchOrphan(pid, forked);
  }

  kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** Asks it to exit (stdin closes; its children keep running), SIGKILL after graceMs. */
  async close(graceMs: number): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.gone;
    clearTimeout(timer);
  }

  private onChildExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const forked = this.live.get(pid);
    if (forked) {
      this.live.delete(pid);
      forked.exited(code, signal);
      return;
    }
    for (const p of this.pending.values()) {
      if (p.pid === pid) {
        p.exited = true;
        p.settle(code === NOT_RUNNABLE
          ? new StartCold('the instance user may not run the interpreter or read the host')
          : new Error(`the forked child exited (${signal ?? `code ${code}`}) before it connected`));
        return;
      }
    }
    // Forked and connected, not yet adopted: kept for adopt().
    this.exits.set(pid, { code, signal });
  }

  private onGone(how: string): void {
    if (!this.alive) return;
    this.alive = false;
    for (const p of [...this.pending.values()]) p.settle(new Error(`the zygote ${how}`));
    this.pool.onZygoteGone(this, how);
    // Its children were re-parented: the server watches them itself from now on.
    for (const [pid, forked] of this.live) this.watchOrphan(pid, forked);
  }

  private watchOrphan(pid: number, forked: ForkedProcess): void {
    const started = processStartTime(pid);
    const timer = setInterval(() => {
      if (processGone(pid, started)) {
        clearInterval(timer);
        this.live.delete(pid);
        forked.exited(null, null);
      }
    }, ORPHAN_POLL_MS);
    timer.unref();
  }
}

function processGone(pid: number, startTime: string | null): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' || (startTime !== null && fields[19] !== startTime);
  } catch {
    return true;
  }
}

export interface ZygotePoolOptions {
  logger: Logger;
}

/** What fork() gives back: a child, or why the instance must start cold. */
export type ForkOutcome = { child: ForkedProcess; zygotePid: number; preloaded: string[] } | { cold: string };

/** The zygotes of one runtime, by key, and the private socket their children connect to. */
export class ZygotePool {
  readonly logger: Logger;
  dir = '';
  homeDir = '';
  socketPath = '';
  private server: Server | null = null;
  private opened: Promise<void> | null = null;
  private readonly zygotes = new Map<string, Zygote>();
  private readonly failures = new Map<string, number>();
  private readonly pending = new Map<string, PendingFork>();
  private closed = false;

  constructor(o: ZygotePoolOptions) {
    this.logger = o.logger;
  }

  /** The live zygote's pid for this interpreter and plan (tests, show). */
  zygotePid(interpreter: string, plan: ZygotePlan): number | undefined {
    const z = this.zygotes.get(zygoteKey(interpreter, plan));
    return z?.alive ? z.pid : undefined;
  }

  /**
   * Forks an instance from the zygote of this interpreter and plan (started now if there is none).
   * Never throws: anything that goes wrong is a reason to start cold.
   */
  async fork(interpreter: string, plan: ZygotePlan, spec: ChildSpec): Promise<ForkOutcome> {
    if (this.closed) return { cold: 'the runtime is shutting down' };
    const key = zygoteKey(interpreter, plan);
    if ((this.failures.get(key) ?? 0) >= MAX_FAILURES) return { cold: `the zygote for this environment failed ${MAX_FAILURES} times` };
    try {
      await this.open();
      let zygote = this.zygotes.get(key);
      if (!zygote || !zygote.alive) {
        zygote = new Zygote(key, interpreter, plan, this);
        this.zygotes.set(key, zygote);
      }
      try {
        await zygote.ready;
      } catch (e) {
        this.failed(zygote, `it is not ready: ${(e as Error).message}`);
        throw e;
      }
      let child: ForkedProcess;
      try {
        child = await this.forkFrom(zygote, spec);
      } catch (e) {
        if (!(e instanceof StartCold)) this.failed(zygote, `could not fork an instance: ${(e as Error).message}`);
        throw e;
      }
      return { child, zygotePid: zygote.pid!, preloaded: zygote.preloaded };
    } catch (e) {
      if (e instanceof StartCold) return { cold: e.message };
      return { cold: `the zygote could not fork it (${(e as Error).message})` };
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const closing = [...this.zygotes.values()].map((z) => z.close(2000));
    this.zygotes.clear();
    for (const p of [...this.pending.values()]) p.settle(new Error('the runtime is shutting down'));
    await Promise.all(closing);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Called by a zygote that exited or could not start. */
  onZygoteGone(zygote: Zygote, how: string): void {
    if (this.zygotes.get(zygote.key) === zygote) this.zygotes.delete(zygote.key);
    if (this.closed) return;
    this.failed(zygote, how);
  }

  /** A pending fork got its pid or a connection: hand it over once it has all. */
  complete(p: PendingFork): void {
    if (p.pid === null || ROLES.some((r) => !p.conns[r])) return;
    const forked = new ForkedProcess(p.pid, p.zygote.pid!, p.conns as Record<Role, Socket>);
    p.settle(forked);
  }

  private failed(zygote: Zygote, how: string): void {
    if (zygote.counted) return;
    zygote.counted = true;
    const n = (this.failures.get(zygote.key) ?? 0) + 1;
    this.failures.set(zygote.key, n);
    this.logger.warn({ zygote: zygote.pid, interpreter: zygote.interpreter, failures: n, max: MAX_FAILURES },
      `python zygote ${how}; instances start cold until a new one is ready${n >= MAX_FAILURES ? ' (no new one: too many failures, this environment now always starts cold)' : ''}`);
    zygote.kill();
  }

  private forkFrom(zygote: Zygote, spec: ChildSpec): Promise<ForkedProcess> {
    const token = randomBytes(32).toString('hex');
    const specPath = join(this.dir, `${token}.json`);
    const launch = {
      token, cwd: spec.cwd, env: spec.env, interpreter: spec.command, argv0: spec.args[spec.args.length - 1],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    };
    return new Promise<ForkedProcess>((resolve, reject) => {
      let done = false;
      const p: PendingFork = {
        token, zygote, pid: null, exited: false, conns: {},
        settle: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.pending.delete(token);
          zygote.forget(token);
          if (result instanceof ForkedProcess) {
            zygote.adopt(result.pid, result);
            resolve(result);
            return;
          }
          for (const c of Object.values(p.conns)) c?.destroy();
          if (p.pid !== null && !p.exited) {
            try {
              process.kill(p.pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
          void rm(specPath, { force: true });
          reject(result);
        },
      };
      const timer = setTimeout(() => p.settle(new Error(`no answer within ${FORK_TIMEOUT_MS / 1000} s`)), FORK_TIMEOUT_MS);
      this.pending.set(token, p);
      writeFile(specPath, JSON.stringify(launch), { mode: 0o600, flag: 'wx' }).then(
        () => (done ? undefined : zygote.request(p)),
        (e: Error) => p.settle(e),
      );
    });
  }

  private open(): Promise<void> {
    this.opened ??= (async () => {
      // Short (unix socket paths are limited to 108 bytes) and private: 0700, the server's user.
      this.dir = await mkdtemp(join(tmpdir(), 'switchyard-zygote-'));
      this.homeDir = join(this.dir, 'home');
      await mkdir(this.homeDir, { mode: 0o700 });
      this.socketPath = join(this.dir, 'stdio.sock');
      const server = createServer((socket) => this.onConnection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => resolve());
      });
      server.unref();
      this.server = server;
    })();
    this.opened.catch(() => {
      this.opened = null;
    });
    return this.opened;
  }

  /** A child's connection: the first line is "<token> <role>"; what follows is the stream itself. */
  private onConnection(socket: Socket): void {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('error', () => undefined);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 256) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      clearTimeout(timer);
      const [token, role] = head.subarray(0, nl).toString('latin1').split(' ');
      const rest = head.subarray(nl + 1);
      const p = token ? this.pending.get(token) : undefined;
      if (!p || !ROLES.includes(role as Role) || p.conns[role as Role]) {
        socket.destroy();
        return;
      }
      if (rest.length) socket.unshift(rest);
      p.conns[role as Role] = socket;
      this.complete(p);
    };
    socket.on('data', onData);
  }
}
