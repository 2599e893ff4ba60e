// One instance of a deployment: a supervised child process (the scoring host or a custom server).
//
// Starting → Ready once the host announces readiness (or, for a custom server, its readiness route
// answers). Then liveness and readiness probes run every `period`: readiness failures make it
// Unhealthy (no traffic) until it recovers; liveness failures kill it. A process that dies after it was
// Ready is restarted with exponential backoff; one that keeps dying (or never gets Ready) is Failed.
// Each instance is its own process group, so stopping it stops every worker it forked.
// A Python instance whose environment allows it is forked from a zygote (zygote.ts) instead of spawned;
// it is supervised the same way, and started cold when the zygote cannot fork it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../logger.js';
import type { InstanceState, InstanceView, ProbeSettings } from '../../spec/types.js';
import { restartDelayMs, type BackoffPolicy } from './backoff.js';
import type { DeploymentSandbox } from './instance-sandbox.js';
import { childSpec, type LaunchPlan } from './launch-plan.js';
import { LineSplitter, readLastLines, type RotatingLog } from './log-files.js';
import { processStartTime, type PidRecords } from './pid-records.js';
import { signalGroup } from './process-group.js';
import { httpProbe, ProbeCounter, startupTimeoutMs } from './probes.js';
import { ForkedProcess, type ZygotePool } from './zygote.js';

export interface InstanceFailure {
  reason: 'InitFailed' | 'InstanceFailed';
  message: string;
}

export interface InstanceOptions {
  name: string;
  endpoint: string;
  deployment: string;
  revision: string;
  plan: LaunchPlan;
  /** The deployment's folders and identity: each run gets fresh HOME/TMPDIR and secret from it. */
  sandbox: DeploymentSandbox;
  liveness: ProbeSettings;
  readiness: ProbeSettings;
  log: RotatingLog;
  pidRecords: PidRecords;
  backoff: BackoffPolicy;
  /** Consecutive crashes (without staying Ready for stableMs in between) before the instance is Failed. */
  maxCrashes: number;
  stableMs: number;
  /** How often a custom server's readiness route is polled while it starts. */
  startPollMs: number;
  onChange: () => void;
  logger: Logger;
  /** Pre-warmed Python processes to fork Python instances from; absent: every instance starts cold. */
  zygotes?: ZygotePool | null;
}

/** What a run's process offers: a spawned ChildProcess or a ForkedProcess. */
interface RunProcess {
  pid?: number | undefined;
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  stdio: ReadonlyArray<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Run {
  id: number;
  child: RunProcess;
  pid: number | null;
  /** What the gateway and the probes present to this run (`x-switchyard-instance-secret`). */
  secret: string;
  ready: boolean;
  timers: Set<NodeJS.Timeout>;
  exited: Promise<void>;
  initError?: { error: string; traceback: string };
  timedOut: boolean;
  /** The process has exited (its pid may already belong to someone else). */
  done: boolean;
}

export class Instance {
  readonly name: string;
  readonly revision: string;
  state: InstanceState = 'Starting';
  port: number | null = null;
  restarts = 0;
  startedAt = new Date().toISOString();
  failure: InstanceFailure | null = null;

  private run: Run | null = null;
  private runIds = 0;
  private everReady = false;
  private crashes = 0;
  private stopRequested = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private listeners = new Set<() => void>();

  constructor(private readonly o: InstanceOptions) {
    this.name = o.name;
    this.revision = o.revision;
  }

  get url(): string | null {
    return this.port ? `http://127.0.0.1:${this.port}` : null;
  }

  get pid(): number | null {
    return this.run && !this.run.done ? this.run.pid : null;
  }

  /** The secret the gateway must present to the current run; never part of view(). */
  get secret(): string | null {
    return this.run && !this.run.done ? this.run.secret : null;
  }

  view(): InstanceView {
    return { name: this.name, state: this.state, pid: this.pid, url: this.url, restarts: this.restarts, started_at: this.startedAt, revision: this.revision };
  }

  start(): void {
    this.launch();
  }

  /** Resolves once the instance is Ready, Unhealthy (it runs), Failed or Stopping. */
  settled(): Promise<InstanceState> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.state !== 'Starting') {
          this.listeners.delete(check);
          resolve(this.state);
        }
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Taken out of traffic before it is drained and stopped. */
  markStopping(): void {
    this.stopRequested = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.setState('Stopping');
  }

  /** SIGTERM to the process group, SIGKILL after graceMs; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.markStopping();
    const run = this.run;
    if (!run || run.pid === null) return;
    if (run.done) {
      await run.exited;
      return;
    }
    signalGroup(run.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace'>((resolve) => {
      timer = setTimeout(() => resolve('grace'), graceMs);
    });
    const outcome = await Promise.race([run.exited.then(() => 'exited' as const), graceOver]);
    clearTimeout(timer);
    if (outcome === 'grace') {
      this.note(`did not stop within ${graceMs} ms of SIGTERM; sending SIGKILL`);
      signalGroup(run.pid, 'SIGKILL');
      await run.exited;
    }
  }

  private setState(state: InstanceState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of [...this.listeners]) l();
    try {
      this.o.onChange();
    } catch (e) {
      this.o.logger.error({ err: e }, 'onInstancesChanged failed');
    }
  }

  private note(text: string): void {
    this.o.log.write(`switchyard: ${this.name}: ${text}`);
  }

  private timer(run: Run, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      run.timers.delete(t);
      fn();
    }, ms);
    run.timers.add(t);
  }

  private launch(): void {
    this.spawnRun().catch((e: unknown) => {
      // Nothing was started (no free port, bad arguments): a failure of the runtime, not of the script.
      this.note(`could not start: ${(e as Error).message}`);
      this.failure = { reason: 'InstanceFailed', message: `Instance ${this.name} could not be started: ${(e as Error).message}` };
      this.setState('Failed');
    });
  }

  private async spawnRun(): Promise<void> {
    const { plan } = this.o;
    const custom = plan.kind === 'custom';
    const port = custom ? await freePort() : 0;
    if (this.stopRequested) return;
    const sandbox = await this.o.sandbox.prepareRun(this.name);
    if (this.stopRequested) return;
    const spec = childSpec(plan, port, sandbox);
    const command = spec.command;
    const argv = spec.args;
    this.startedAt = new Date().toISOString();
    const as = spec.uid !== undefined ? ` as uid ${spec.uid} gid ${spec.gid}` : '';
    this.note(`starting (revision ${this.revision})${as}: ${spec.display}`);

    let child: RunProcess | null = null;
    const zygote = plan.zygote;
    if (this.o.zygotes && zygote && 'zygote' in zygote) {
      const outcome = await this.o.zygotes.fork(command, zygote.zygote, spec);
      if ('child' in outcome) {
        if (this.stopRequested) {
          signalGroup(outcome.child.pid, 'SIGKILL');
          return;
        }
        child = outcome.child;
        this.note(`forked from the zygote ${outcome.zygotePid} (preloaded: ${outcome.preloaded.join(', ') || 'the host only'}) as pid ${outcome.child.pid}`);
      } else {
        if (this.stopRequested) return;
        this.note(`cold start: ${outcome.cold}`);
      }
    } else if (this.o.zygotes && zygote && 'cold' in zygote) {
      this.note(`cold start: ${zygote.cold}`);
    }
    child ??= spawn(command, argv, {
      cwd: spec.cwd,
      env: spec.env,
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
      stdio: ['pipe', 'pipe', 'pipe', custom ? 'ignore' : 'pipe'],
      detached: true,
    });
    let resolveExit!: () => void;
    const run: Run = {
      id: ++this.runIds,
      child,
      pid: child.pid ?? null,
      secret: sandbox.secret,
      ready: false,
      timers: new Set(),
      exited: new Promise<void>((r) => (resolveExit = r)),
      timedOut: false,
      done: false,
    };
    this.run = run;
    let gone = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (gone) return;
      gone = true;
      run.done = true;
      void this.onExit(run, code, signal, error).finally(resolveExit);
    };
    child.on('error', (e) => onGone(null, null, e));
    child.on('exit', (code, signal) => onGone(code, signal));
    child.stdin?.on('error', () => undefined); // never written; EPIPE after exit is expected

    // Lines are written per chunk read from the pipe: one write for many lines of a chatty script.
    const log = this.o.log;
    const capture = (stream: Readable | null) => {
      if (!stream) return;
      let batch: string[] = [];
      const splitter = new LineSplitter((line) => batch.push(line));
      const write = () => {
        log.writeLines(batch);
        batch = [];
      };
      stream.on('data', (c: Buffer) => {
        splitter.push(c);
        write();
      });
      stream.on('end', () => {
        splitter.flush();
        write();
      });
    };
    capture(child.stdout);
    capture(child.stderr);

    if (run.pid === null) return; // spawn failed; 'error' follows
    void this.o.pidRecords
      .write({
        pid: run.pid, startTime: processStartTime(run.pid), endpoint: this.o.endpoint, deployment: this.o.deployment,
        instance: this.name, serverPid: process.pid, command: [command, ...argv].join(' ').slice(0, 2000),
      })
      .catch((e) => this.o.logger.warn({ err: e }, 'cannot write pid record'));

    const startup = startupTimeoutMs(this.o.readiness);
    this.timer(run, startup, () => {
      if (run.ready || this.run !== run) return;
      run.timedOut = true;
      this.note(`did not become ready within ${Math.round(startup / 1000)} s; stopping it`);
      signalGroup(run.pid!, 'SIGKILL');
    });

    if (plan.readiness === 'announce') {
      const control = child.stdio[3] as Readable | null;
      const splitter = new LineSplitter((line) => this.onControl(run, line));
      control?.on('data', (c: Buffer) => splitter.push(c));
      control?.on('error', () => undefined);
    } else {
      const poll = async () => {
        if (this.run !== run || run.ready || this.stopRequested) return;
        if (await httpProbe(`http://127.0.0.1:${port}${plan.readinessPath}`, 1000, run.secret)) this.onReady(run, port);
        else this.timer(run, this.o.startPollMs, () => void poll());
      };
      this.timer(run, this.o.startPollMs, () => void poll());
    }
    // A forked child's connections were held paused until everything above listens to them.
    if (child instanceof ForkedProcess) child.begin();
  }

  private onControl(run: Run, line: string): void {
    let message: { event?: string; port?: number; error?: string; traceback?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.event === 'ready' && typeof message.port === 'number') this.onReady(run, message.port);
    if (message.event === 'init_failed') run.initError = { error: String(message.error ?? ''), traceback: String(message.traceback ?? '') };
  }

  private onReady(run: Run, port: number): void {
    if (this.run !== run || run.ready || this.stopRequested) return;
    run.ready = true;
    this.everReady = true;
    this.port = port;
    this.note(`ready at http://127.0.0.1:${port}`);
    this.timer(run, this.o.stableMs, () => {
      this.crashes = 0;
    });
    this.startProbes(run);
    this.setState('Ready');
  }

  private startProbes(run: Run): void {
    const { liveness, readiness, plan } = this.o;
    const base = `http://127.0.0.1:${this.port}`;
    const live = new ProbeCounter(liveness);
    const ready = new ProbeCounter(readiness);
    const every = (settings: ProbeSettings, probe: () => Promise<void>) => {
      const tick = () => {
        if (this.run !== run || this.stopRequested) return;
        void probe().finally(() => this.timer(run, settings.period * 1000, tick));
      };
      this.timer(run, Math.max(settings.period, 0.05) * 1000, tick);
    };
    every(liveness, async () => {
      const ok = await httpProbe(base + plan.livenessPath, liveness.timeout * 1000, run.secret);
      if (this.run !== run || this.stopRequested) return;
      if (live.record(ok) && !live.passing) {
        this.note(`liveness probe failed ${liveness.failure_threshold} times in a row; killing it`);
        signalGroup(run.pid!, 'SIGKILL');
      }
    });
    every(readiness, async () => {
      const ok = await httpProbe(base + plan.readinessPath, readiness.timeout * 1000, run.secret);
      if (this.run !== run || this.stopRequested) return;
      if (ready.record(ok)) {
        this.note(ready.passing ? 'readiness probe passes again' : `readiness probe failed ${readiness.failure_threshold} times in a row; no traffic until it passes`);
        this.setState(ready.passing ? 'Ready' : 'Unhealthy');
      }
    });
  }

  private async onExit(run: Run, code: number | null, signal: NodeJS.Signals | null, error?: Error): Promise<void> {
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    const current = this.run === run && !this.stopRequested;
    if (this.run === run) this.port = null;
    // Out of traffic at once: the process is gone, whatever happens next.
    if (current && this.state !== 'Starting') this.setState('Starting');
    if (run.pid !== null) {
      if (!error) signalGroup(run.pid, 'SIGKILL', true); // forked workers of a dead host (the group outlives its leader)
      await this.o.pidRecords.remove(run.pid).catch(() => undefined);
    }
    const denied = error && (error as NodeJS.ErrnoException).code === 'EACCES' && this.o.sandbox.isolated
      ? ' (the instance user may not run it: install the interpreter and Switchyard where that user can read them, not under /root)'
      : '';
    const how = error ? `could not start: ${error.message}${denied}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.note(`process ${run.pid ?? '-'} ${how}`);
    if (!current || this.stopRequested) return;

    if (!this.everReady) {
      await this.fail('InitFailed', run, how);
      return;
    }
    this.crashes++;
    if (this.crashes > this.o.maxCrashes) {
      await this.fail('InstanceFailed', run, `${how}; it crashed ${this.crashes} times in a row, so it is not restarted again`);
      return;
    }
    const delay = restartDelayMs(this.crashes, this.o.backoff);
    this.note(`restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopRequested) return;
      this.restarts++;
      this.launch();
    }, delay);
  }

  private async fail(reason: InstanceFailure['reason'], run: Run, how: string): Promise<void> {
    let detail: string;
    if (run.initError) {
      const tb = run.initError.traceback.split('\n').slice(-15).join('\n');
      detail = `${run.initError.error}\n${tb}`;
    } else {
      const lines = (await readLastLines(this.o.log.path, 40)).map((l) => l.replace(/^\S+Z /, '')).filter((l) => !l.startsWith('switchyard: '));
      detail = lines.slice(-15).join('\n');
    }
    const what = run.timedOut ? 'did not become ready in time' : reason === 'InitFailed' ? 'failed to start' : 'keeps crashing';
    this.failure = { reason, message: `Instance ${this.name} ${what} (${how}).${detail ? `\n${detail}` : ''}` };
    this.setState('Failed');
  }
}
