// The local runtime backend: every instance is a child process on this machine (the Python or Node
// scoring host, or the environment's own command), on a free loopback port.
//
// ensure() converges one deployment at a time (calls for the same deployment queue up): stage the
// revision and check its environment (the "storage-initializer" phase), start the missing instances
// and wait until they are Ready, then take away what is too many or of an older revision: mark it
// Stopping, let the gateway drain it, SIGTERM, SIGKILL after a grace. A rolling update therefore
// starts the new revision first; if it fails, the old instances keep serving.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import type { InstanceView } from '../../spec/types.js';
import type { BackendEvents, CpuPriority, DeploymentTemplate, Drainer, EnsureResult, ReadLogsOptions, RoutableInstance, RuntimeBackend } from '../backend.js';
import { IDLE_NICE, NORMAL_NICE, setGroupNice } from './cpu-priority.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { checkPythonEnvironment } from './environment-check.js';
import { Instance } from './instance.js';
import { DeploymentGroups, DeploymentSandbox, openInstanceRoot } from './instance-sandbox.js';
import type { InstanceUser } from './instance-user.js';
import { KeyedSerial } from './keyed-serial.js';
import { buildLaunchPlan, hostKindOf, type LaunchPlan } from './launch-plan.js';
import { DEFAULT_LOG_LIMITS, instanceLogNames, logPathOf, mergeTails, readLastLinesRotated, RotatingLog, type LogLimits } from './log-files.js';
import { PidRecords, stillOurs } from './pid-records.js';
import { signalGroup } from './process-group.js';
import { deploymentStagingDir, pruneRevisions, safeSegment, stageRevision } from './staging.js';
import { ZygotePool } from './zygote.js';

export interface LocalBackendOptions {
  dataDir: string;
  /**
   * Who instances run as (instance-user.ts): each deployment with a group of its own, its files
   * readable only by that group. Absent or null: the server's own user (no isolation).
   */
  instanceUser?: InstanceUser | null;
  /** Where revisions are staged and instances get their folders. Default: <dataDir>/deployments. */
  instanceDir?: string;
  /** The server's default Python interpreter (an environment's `interpreter:` still wins). */
  python?: string;
  events: BackendEvents;
  drain: Drainer;
  logger: Logger;
  logLimits?: LogLimits;
  /** SIGTERM → SIGKILL grace when an instance is stopped (scale-down, update, remove). */
  stopGraceMs?: number;
  /** The same grace on server shutdown. */
  shutdownGraceMs?: number;
  backoff?: BackoffPolicy;
  /** Consecutive crashes before an instance is Failed instead of restarted. */
  maxCrashes?: number;
  /** Ready for this long, an instance's crash count starts again from zero. */
  stableMs?: number;
  /** Poll interval of a custom server's readiness route while it starts. */
  startPollMs?: number;
  /**
   * Fork Python instances from a pre-warmed zygote per interpreter and environment (zygote.ts).
   * Default true; false (`serve --no-zygote`, SWITCHYARD_ZYGOTE=0): every instance starts cold.
   */
  zygote?: boolean;
}

const STORAGE_INITIALIZER = 'storage-initializer';

interface DeploymentRuntime {
  endpoint: string;
  deployment: string;
  instances: Instance[];
  /** Log files by instance name (a name is reused by later instances once free). */
  logs: Map<string, RotatingLog>;
  plans: Map<string, LaunchPlan>;
  sandbox: DeploymentSandbox;
  initLog: RotatingLog;
  /** The latest template's request timeout: how long a drain may take. */
  requestTimeoutMs: number;
  /** remove() was called: an ensure still waiting for instances gives up. */
  removing: boolean;
}

type Prepared = { ok: true; plan: LaunchPlan } | { ok: false; result: EnsureResult };

const failure = (reason: string, message: string): EnsureResult => ({ ok: false, reason, message });

export class LocalBackend implements RuntimeBackend {
  private readonly deployments = new Map<string, DeploymentRuntime>();
  private readonly serial = new KeyedSerial();
  private readonly pidRecords: PidRecords;
  private readonly logLimits: LogLimits;
  private readonly instanceDir: string;
  private readonly groups: DeploymentGroups | null;
  private readonly zygotes: ZygotePool | null;
  private opened: Promise<void> | null = null;
  private closed = false;
  /** Desired CPU priority per deployment, and the nice value each instance process was given. */
  private readonly priorities = new Map<string, CpuPriority>();
  private readonly niced = new Map<number, number>();

  constructor(private readonly o: LocalBackendOptions) {
    this.pidRecords = new PidRecords(join(o.dataDir, 'run'));
    this.logLimits = o.logLimits ?? DEFAULT_LOG_LIMITS;
    this.instanceDir = o.instanceDir ?? join(o.dataDir, 'deployments');
    this.groups = o.instanceUser ? new DeploymentGroups(this.instanceDir) : null;
    this.zygotes = o.zygote === false ? null : new ZygotePool({ logger: o.logger });
  }

  /** The pid of the live zygote that forks this deployment's current instances, if any (tests). */
  zygotePid(endpoint: string, deployment: string): number | undefined {
    const dep = this.deployments.get(keyOf(endpoint, deployment));
    for (const plan of dep?.plans.values() ?? []) {
      if (plan.zygote && 'zygote' in plan.zygote) {
        const pid = this.zygotes?.zygotePid(plan.command, plan.zygote.zygote);
        if (pid) return pid;
      }
    }
    return undefined;
  }

  /** Instances run as an unprivileged user with a group per deployment. */
  get isolated(): boolean {
    return this.groups !== null;
  }

  /** The secret of the instance serving at `url` (a caller standing in for the gateway: tests, tools). */
  secretOf(url: string): string | undefined {
    for (const dep of this.deployments.values()) {
      for (const i of dep.instances) if (i.url === url) return i.secret ?? undefined;
    }
    return undefined;
  }

  /** The instances with the secret the gateway must present to each (for routing snapshots only). */
  routable(endpoint: string, deployment: string): RoutableInstance[] {
    return this.deployments.get(keyOf(endpoint, deployment))?.instances.map((i) => {
      const secret = i.secret;
      return secret ? { ...i.view(), secret } : i.view();
    }) ?? [];
  }

  ensure(t: DeploymentTemplate): Promise<EnsureResult> {
    return this.serial.run(keyOf(t.endpoint, t.deployment), () => this.converge(t)).catch((e: unknown) => {
      this.o.logger.error({ err: e, endpoint: t.endpoint, deployment: t.deployment }, 'ensure failed unexpectedly');
      return failure('InstanceFailed', `The local runtime failed: ${(e as Error).message}`);
    });
  }

  setCpuPriority(endpoint: string, deployment: string, priority: CpuPriority): void {
    const key = keyOf(endpoint, deployment);
    if (priority === 'normal' && !this.priorities.has(key)) return; // never lowered: nothing to undo
    this.priorities.set(key, priority);
    const nice = priority === 'idle' ? IDLE_NICE : NORMAL_NICE;
    const live = new Set<number>();
    for (const i of this.deployments.get(key)?.instances ?? []) {
      const pid = i.pid;
      if (pid === null) continue;
      live.add(pid);
      if (this.niced.get(pid) === nice) continue;
      const r = setGroupNice(pid, nice);
      this.niced.set(pid, nice);
      if (r.refused > 0) {
        this.o.logger.warn({ endpoint, deployment, instance: i.name, nice, refused: r.refused },
          'cannot change the CPU priority of an instance (raising it back needs CAP_SYS_NICE)');
      } else {
        this.o.logger.info({ endpoint, deployment, instance: i.name, nice, threads: r.set }, 'instance CPU priority set');
      }
    }
    if (priority === 'normal') this.priorities.delete(key);
    // Forget pids that are gone (a new process could reuse one).
    if (this.niced.size > 4096) for (const pid of this.niced.keys()) if (!live.has(pid)) this.niced.delete(pid);
  }

  instances(endpoint: string, deployment: string): InstanceView[] {
    return this.deployments.get(keyOf(endpoint, deployment))?.instances.map((i) => i.view()) ?? [];
  }

  remove(endpoint: string, deployment: string): Promise<void> {
    const pending = this.deployments.get(keyOf(endpoint, deployment));
    if (pending) {
      // Out of traffic now, and an ensure() still waiting for a slow init() stops waiting.
      pending.removing = true;
      for (const i of pending.instances) i.markStopping();
    }
    return this.serial.run(keyOf(endpoint, deployment), async () => {
      const dep = this.deployments.get(keyOf(endpoint, deployment));
      if (dep) {
        await this.retire(dep, [...dep.instances], dep.requestTimeoutMs);
        for (const log of dep.logs.values()) log.close();
        dep.initLog.close();
        this.deployments.delete(keyOf(endpoint, deployment));
      }
      await rm(deploymentStagingDir(this.instanceDir, endpoint, deployment), { recursive: true, force: true });
      await rm(this.logDir(endpoint, deployment), { recursive: true, force: true });
      this.groups?.release(keyOf(endpoint, deployment));
    });
  }

  async readLogs(endpoint: string, deployment: string, options: ReadLogsOptions): Promise<string> {
    const lines = Math.max(0, Math.floor(options.lines));
    const dir = this.logDir(endpoint, deployment);
    let out: string[];
    if (options.container === STORAGE_INITIALIZER) {
      out = await readLastLinesRotated(logPathOf(dir, STORAGE_INITIALIZER), lines, this.logLimits.files);
    } else {
      const names = await instanceLogNames(dir, new Set([STORAGE_INITIALIZER]));
      const sources = await Promise.all(
        names.map(async (name) => ({ source: name, lines: await readLastLinesRotated(logPathOf(dir, name), lines, this.logLimits.files) })),
      );
      out = mergeTails(sources, lines);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }

  async recover(): Promise<void> {
    const records = await this.pidRecords.list();
    const leftovers = records.filter((r) => r.serverPid !== process.pid && stillOurs(r));
    for (const r of leftovers) {
      this.o.logger.info({ pid: r.pid, endpoint: r.endpoint, deployment: r.deployment, instance: r.instance }, 'stopping an instance left by an earlier server');
      signalGroup(r.pid, 'SIGTERM');
    }
    const deadline = Date.now() + 3000;
    while (leftovers.some(stillOurs) && Date.now() < deadline) await sleep(50);
    for (const r of leftovers.filter(stillOurs)) signalGroup(r.pid, 'SIGKILL');
    for (const r of records.filter((r) => r.serverPid !== process.pid)) await this.pidRecords.remove(r.pid);
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    const grace = this.o.shutdownGraceMs ?? 3000;
    const all = [...this.deployments.values()];
    await Promise.all(all.flatMap((dep) => dep.instances.map((i) => i.stop(grace))));
    for (const dep of all) {
      for (const log of dep.logs.values()) log.close();
      dep.initLog.close();
    }
    await this.zygotes?.shutdown();
  }

  // ---------------------------------------------------------------------------------------------

  private async converge(t: DeploymentTemplate): Promise<EnsureResult> {
    if (this.closed) return failure('InstanceFailed', 'The server is shutting down.');
    const dep = this.runtimeOf(t.endpoint, t.deployment);
    if (dep.removing) return failure('InstanceFailed', 'The deployment is being deleted.');
    dep.requestTimeoutMs = t.requestTimeoutMs;

    let plan = dep.plans.get(t.revision);
    if (!plan) {
      const prepared = await this.prepare(t, dep);
      if (!prepared.ok) return prepared.result;
      plan = prepared.plan;
      dep.plans.set(t.revision, plan);
    }

    // Failed instances of earlier attempts have no process; this attempt starts afresh.
    const failed = dep.instances.filter((i) => i.state === 'Failed');
    if (failed.length) await this.retire(dep, failed, 0);

    const current = dep.instances.filter((i) => i.revision === t.revision && i.state !== 'Stopping');
    const old = dep.instances.filter((i) => i.revision !== t.revision);
    const fresh: Instance[] = [];
    for (let n = current.length; n < t.instanceCount; n++) fresh.push(this.startInstance(dep, t, plan));
    const started = Date.now();
    const waiting = [...current, ...fresh];
    await Promise.all(waiting.map((i) => i.settled()));
    if (this.closed) return failure('InstanceFailed', 'The server is shutting down.');
    if (dep.removing) return failure('InstanceFailed', 'The deployment is being deleted.');

    const broken = waiting.filter((i) => i.state === 'Failed');
    if (broken.length) {
      if (old.some((i) => i.state !== 'Failed')) {
        // A rolling update that failed: the old revision keeps serving; the new one goes away
        // (its Failed instances stay visible until the next ensure).
        await this.retire(dep, waiting.filter((i) => i.state !== 'Failed'), t.requestTimeoutMs);
      }
      const first = broken[0]!.failure;
      dep.initLog.write(`Revision ${t.revision} failed: ${first?.message.split('\n')[0] ?? 'an instance failed'}`);
      return failure(first?.reason ?? 'InstanceFailed', first?.message ?? `Instance ${broken[0]!.name} failed.`);
    }
    if (fresh.length) {
      this.o.logger.info({ endpoint: t.endpoint, deployment: t.deployment, revision: t.revision, started: fresh.length, ms: Date.now() - started }, 'instances ready');
    }

    const live = dep.instances.filter((i) => i.revision === t.revision && i.state !== 'Stopping');
    if (live.length > t.instanceCount) {
      const excess = [...live].sort(retireOrder).slice(0, live.length - t.instanceCount);
      await this.retire(dep, excess, t.requestTimeoutMs);
    }
    if (old.length) await this.retire(dep, old, t.requestTimeoutMs);

    const inUse = new Set(dep.instances.map((i) => i.revision));
    inUse.add(t.revision);
    for (const revision of [...dep.plans.keys()]) if (!inUse.has(revision)) dep.plans.delete(revision);
    await pruneRevisions(this.instanceDir, t.endpoint, t.deployment, inUse);
    return { ok: true };
  }

  /** The storage-initializer phase: stage the files and check the environment, once per revision. */
  private async prepare(t: DeploymentTemplate, dep: DeploymentRuntime): Promise<Prepared> {
    const say = (line: string) => dep.initLog.write(line);
    const fail = (reason: string, message: string): Prepared => {
      say(`ERROR: ${message}`);
      return { ok: false, result: failure(reason, message) };
    };
    say(`Preparing revision ${t.revision} of ${t.endpoint}/${t.deployment}.`);
    const kind = hostKindOf(t);
    if (!kind) {
      return fail(
        'InstanceFailed',
        t.code
          ? `The local runtime cannot run the scoring script ${t.code.scoringScript}: use a .py file (Python) or .js/.mjs/.cjs/.ts (Node).`
          : 'The deployment has no code_configuration and its environment has no command, so there is nothing to run. Add code_configuration {code, scoring_script}, or a command for a custom server.',
      );
    }
    let staged;
    try {
      const t0 = Date.now();
      if (this.groups) await this.openOnce();
      staged = await stageRevision(this.instanceDir, t);
      await dep.sandbox.share(staged.root);
      if (staged.created) {
        const linked = staged.files - staged.copied;
        say(`Staged ${staged.files} file(s), ${formatBytes(staged.bytes)} (${linked} hard-linked, ${staged.copied} copied) in ${Date.now() - t0} ms.`);
      } else {
        say('Files already staged for this revision.');
      }
      if (staged.modelDir) say(`AZUREML_MODEL_DIR=${staged.modelDir}`);
      if (staged.appDir) say(`AML_APP_ROOT=${staged.appDir} AZUREML_ENTRY_SCRIPT=${t.code?.scoringScript ?? ''}`);
    } catch (e) {
      return fail('InstanceFailed', `Staging the model and code failed: ${(e as Error).message}`);
    }
    let interpreter: string | undefined;
    if (kind === 'python') {
      const verdict = await checkPythonEnvironment(t.environment, this.o.python, say);
      if (!verdict.ok) return fail('EnvironmentUnsatisfied', verdict.message);
      interpreter = verdict.interpreter;
    } else if (kind === 'node') {
      if (t.environment.conda_file) say('The conda file is not checked: the scoring module runs on Node.');
      say(`Node host: ${process.execPath} (${process.version}).`);
    } else {
      say(`Custom server: ${t.environment.command!.join(' ')}`);
    }
    return { ok: true, plan: buildLaunchPlan(t, staged, kind, interpreter) };
  }

  private startInstance(dep: DeploymentRuntime, t: DeploymentTemplate, plan: LaunchPlan): Instance {
    const used = new Set(dep.instances.map((i) => i.name));
    let n = 0;
    while (used.has(`${t.deployment}-${n}`)) n++;
    const name = `${t.deployment}-${n}`;
    let log = dep.logs.get(name);
    if (!log) {
      log = new RotatingLog(logPathOf(this.logDir(t.endpoint, t.deployment), safeSegment(name)), this.logLimits);
      dep.logs.set(name, log);
    }
    const instance = new Instance({
      name, endpoint: t.endpoint, deployment: t.deployment, revision: t.revision, plan, sandbox: dep.sandbox,
      liveness: t.liveness, readiness: t.readiness, log, pidRecords: this.pidRecords,
      backoff: this.o.backoff ?? DEFAULT_BACKOFF,
      maxCrashes: this.o.maxCrashes ?? 5,
      stableMs: this.o.stableMs ?? 30_000,
      startPollMs: this.o.startPollMs ?? 50,
      onChange: () => this.notify(dep),
      logger: this.o.logger,
      zygotes: this.zygotes,
    });
    dep.instances.push(instance);
    this.notify(dep);
    instance.start();
    return instance;
  }

  /** Out of traffic (Stopping), drained by the gateway, stopped, forgotten. */
  private async retire(dep: DeploymentRuntime, instances: Instance[], drainTimeoutMs: number): Promise<void> {
    if (!instances.length) return;
    for (const i of instances) i.markStopping();
    const urls = instances.map((i) => i.url).filter((u): u is string => !!u);
    if (urls.length && drainTimeoutMs > 0 && !this.closed) {
      try {
        await this.o.drain(urls, drainTimeoutMs);
      } catch (e) {
        this.o.logger.warn({ err: e, urls }, 'drain failed; stopping the instances anyway');
      }
    }
    await Promise.all(instances.map((i) => i.stop(this.o.stopGraceMs ?? 10_000)));
    dep.instances = dep.instances.filter((i) => !instances.includes(i));
    this.notify(dep);
  }

  private runtimeOf(endpoint: string, deployment: string): DeploymentRuntime {
    const key = keyOf(endpoint, deployment);
    let dep = this.deployments.get(key);
    if (!dep) {
      const user = this.o.instanceUser;
      const identity = user && this.groups ? { user, gid: this.groups.gidFor(key) } : null;
      dep = {
        endpoint, deployment, instances: [], logs: new Map(), plans: new Map(), requestTimeoutMs: 5000, removing: false,
        sandbox: new DeploymentSandbox(deploymentStagingDir(this.instanceDir, endpoint, deployment), identity),
        initLog: new RotatingLog(logPathOf(this.logDir(endpoint, deployment), STORAGE_INITIALIZER), this.logLimits),
      };
      this.deployments.set(key, dep);
    }
    return dep;
  }

  /**
   * Once per server: the instance folder becomes reachable for the instance user, while the server's
   * own folders (logs, pid records) stay private to it whatever the umask was.
   */
  private openOnce(): Promise<void> {
    this.opened ??= (async () => {
      for (const name of ['logs', 'run']) {
        await mkdir(join(this.o.dataDir, name), { recursive: true, mode: 0o700 });
        await chmod(join(this.o.dataDir, name), 0o700);
      }
      await openInstanceRoot(this.instanceDir, this.o.dataDir);
    })();
    this.opened.catch(() => { this.opened = null; });
    return this.opened;
  }

  private logDir(endpoint: string, deployment: string): string {
    return join(this.o.dataDir, 'logs', safeSegment(endpoint), safeSegment(deployment));
  }

  private notify(dep: DeploymentRuntime): void {
    try {
      this.o.events.onInstancesChanged(dep.endpoint, dep.deployment);
    } catch (e) {
      this.o.logger.error({ err: e }, 'onInstancesChanged failed');
    }
  }
}

const keyOf = (endpoint: string, deployment: string): string => `${endpoint}\u0000${deployment}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Scale-down victims: instances not serving first, then the highest numbered. */
function retireOrder(a: Instance, b: Instance): number {
  const serving = (i: Instance) => (i.state === 'Ready' ? 1 : 0);
  if (serving(a) !== serving(b)) return serving(a) - serving(b);
  const num = (i: Instance) => Number(/-(\d+)$/.exec(i.name)?.[1] ?? 0);
  return num(b) - num(a);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
