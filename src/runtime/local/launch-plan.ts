// How to start one instance of a deployment: which host (chosen by the scoring script's extension, or
// the environment's own command for a custom container), its arguments, folder and environment.
import { extname } from 'node:path';
import type { DeploymentTemplate } from '../backend.js';
import { nodeHostArgs, pythonHostScript } from './host-locations.js';
import type { RunSandbox } from './instance-sandbox.js';
import type { StagedRevision } from './staging.js';
import { zygoteDecision, type ZygoteDecision } from './zygote-plan.js';

export type HostKind = 'python' | 'node' | 'custom';

export interface LaunchPlan {
  kind: HostKind;
  command: string;
  /** For a custom container, `$PORT` and `${PORT}` are replaced by the instance's port. */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** 'announce': the host reports readiness on its control pipe; 'poll': GET readinessPath until it answers 2xx. */
  readiness: 'announce' | 'poll';
  readinessPath: string;
  livenessPath: string;
  /** Python: whether instances may be forked from a zygote, and what it preloads (zygote-plan.ts). */
  zygote?: ZygoteDecision;
}

const NODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

export function hostKindOf(t: Pick<DeploymentTemplate, 'code' | 'environment'>): HostKind | null {
  if (t.environment.command?.length) return 'custom';
  if (!t.code) return null;
  const ext = extname(t.code.scoringScript).toLowerCase();
  if (ext === '.py') return 'python';
  if (NODE_EXTENSIONS.has(ext)) return 'node';
  return null;
}

/**
 * What an instance gets of the server's environment: PATH, the locale and the time zone, nothing else.
 * Everything the server was started with (tokens, cloud credentials, SWITCHYARD_* settings, proxies)
 * stays with the server; a deployment that needs a variable sets it in `environment_variables`.
 */
export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key === 'PATH' || key === 'LANG' || key === 'LANGUAGE' || key === 'TZ' || key.startsWith('LC_')) out[key] = value;
  }
  return out;
}

function routePath(route: { path: string } | undefined, fallback: string): string {
  const p = route?.path?.trim();
  return p ? (p.startsWith('/') ? p : `/${p}`) : fallback;
}

export function buildLaunchPlan(t: DeploymentTemplate, staged: StagedRevision, kind: HostKind, interpreter?: string): LaunchPlan {
  const env: Record<string, string> = { ...inheritedEnv(), WORKER_COUNT: '1' };
  if (staged.modelDir) env.AZUREML_MODEL_DIR = staged.modelDir;
  if (t.code && staged.appDir) {
    env.AML_APP_ROOT = staged.appDir;
    env.AZUREML_ENTRY_SCRIPT = t.code.scoringScript;
  }
  Object.assign(env, t.env);
  const cwd = staged.appDir ?? staged.root;
  if (kind === 'custom') {
    const [command, ...args] = t.environment.command!;
    const ic = t.environment.inference_config;
    const liveness = routePath(ic?.liveness_route, '/');
    return {
      kind, command: command!, args, cwd, env,
      readiness: 'poll',
      livenessPath: liveness,
      readinessPath: routePath(ic?.readiness_route, liveness),
    };
  }
  // Our hosts bind any free port (PORT=0) and announce it with their readiness on fd 3.
  Object.assign(env, { PORT: '0', SWITCHYARD_CONTROL_FD: '3' });
  if (kind === 'python') {
    env.PYTHONUNBUFFERED = '1';
    // The host applies it with resource.setrlimit(RLIMIT_AS) before loading the scoring script.
    if (t.memoryLimitBytes) env.SWITCHYARD_MEMORY_LIMIT_BYTES = String(t.memoryLimitBytes);
    return {
      kind, command: interpreter ?? 'python3', args: ['-u', pythonHostScript], cwd, env, readiness: 'announce', livenessPath: '/', readinessPath: '/ready',
      zygote: zygoteDecision(t.environment.conda_file, t.env),
    };
  }
  const heap = t.memoryLimitBytes ? [`--max-old-space-size=${Math.max(16, Math.floor(t.memoryLimitBytes / 2 ** 20))}`] : [];
  return { kind, command: process.execPath, args: [...heap, ...nodeHostArgs()], cwd, env, readiness: 'announce', livenessPath: '/', readinessPath: '/ready' };
}

// For a custom server: exit when stdin (held by the server) closes, taking the process group with it.
const CUSTOM_WATCHDOG = 'exec 4<&0; ( cat <&4 >/dev/null; kill -TERM 0 ) & exec "$@" 4<&- </dev/null';

/** Everything `spawn` needs to start one run of an instance. */
export interface ChildSpec {
  command: string;
  args: string[];
  /** What the run's log says was started (the plan's command, not the watchdog around it). */
  display: string;
  cwd: string;
  env: Record<string, string>;
  /** Absent: the server's own user. */
  uid?: number;
  gid?: number;
}

/**
 * The one place that decides how an instance's process starts: its command line, folder, environment
 * and the user and group it runs as (spawn drops supplementary groups when it switches).
 * `port`: a custom server's port (0 for our hosts, which pick one and announce it).
 */
export function childSpec(plan: LaunchPlan, port: number, sandbox: RunSandbox): ChildSpec {
  const custom = plan.kind === 'custom';
  const args = plan.args.map((a) => a.replace(/\$\{PORT\}|\$PORT\b/g, String(port)));
  const env = { ...plan.env, ...sandbox.env, ...(custom ? { PORT: String(port) } : {}) };
  return {
    command: custom ? '/bin/sh' : plan.command,
    args: custom ? ['-c', CUSTOM_WATCHDOG, 'switchyard-instance', plan.command, ...args] : args,
    display: [plan.command, ...args].join(' '),
    cwd: plan.cwd,
    env,
    ...(sandbox.uid !== undefined ? { uid: sandbox.uid } : {}),
    ...(sandbox.gid !== undefined ? { gid: sandbox.gid } : {}),
  };
}
