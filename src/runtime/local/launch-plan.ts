// How to start one instance of a deployment: which host (chosen by the scoring script's extension, or
// the environment's own command for a custom container), its arguments, folder and environment.
import { extname } from 'node:path';
import type { DeploymentTemplate } from '../backend.js';
import { nodeHostArgs, pythonHostScript } from './host-locations.js';
import type { StagedRevision } from './staging.js';

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

/** The server's environment minus Switchyard's own settings and what the runtime sets itself. */
export function inheritedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key.startsWith('SWITCHYARD_') || key.startsWith('AZUREML_') || key === 'AML_APP_ROOT') continue;
    if (key === 'PORT' || key === 'WORKER_COUNT' || key === 'NODE_TEST_CONTEXT' || key === 'NODE_OPTIONS') continue;
    out[key] = value;
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
    return { kind, command: interpreter ?? 'python3', args: ['-u', pythonHostScript], cwd, env, readiness: 'announce', livenessPath: '/', readinessPath: '/ready' };
  }
  const heap = t.memoryLimitBytes ? [`--max-old-space-size=${Math.max(16, Math.floor(t.memoryLimitBytes / 2 ** 20))}`] : [];
  return { kind, command: process.execPath, args: [...heap, ...nodeHostArgs()], cwd, env, readiness: 'announce', livenessPath: '/', readinessPath: '/ready' };
}
