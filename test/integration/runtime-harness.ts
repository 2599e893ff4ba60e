// Shared pieces of the runtime integration tests: a LocalBackend on a temporary data folder with a
// recording drain function, templates for the fixtures under test/fixtures/runtime, the tutorial's
// sklearn model trained on the spot with /usr/bin/python3, and small HTTP helpers.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import type { DeploymentTemplate } from '../../src/runtime/backend.js';
import { LocalBackend, type LocalBackendOptions } from '../../src/runtime/local/backend.js';
import { resolveInstanceIsolation } from '../../src/runtime/local/instance-user.js';
import { INSTANCE_SECRET_HEADER } from '../../src/gateway/upstream.js';
import type { ProbeSettings } from '../../src/spec/types.js';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'runtime');

export const PROBES: ProbeSettings = { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 };

export interface Harness {
  backend: LocalBackend;
  dataDir: string;
  changes: string[];
  drains: string[][];
  pids: Set<number>;
  /** Called on every onInstancesChanged, after the bookkeeping above. */
  observers: Array<(endpoint: string, deployment: string) => void>;
  close(): Promise<void>;
}

/**
 * As root, instances run as the unprivileged instance user (scripts/instance-user.sh makes it), as a
 * root server runs them; otherwise as this process's user.
 */
const isolation = resolveInstanceIsolation(undefined);
export const testInstanceUser = isolation.isolated ? isolation.user : null;

const liveBackends = new Set<LocalBackend>();

/** The secret an instance wants (x-switchyard-instance-secret), looked up in the live test backends. */
export function secretOf(url: string): string | undefined {
  for (const b of liveBackends) {
    const secret = b.secretOf(url);
    if (secret) return secret;
  }
  return undefined;
}

/** fetch() to an instance as the gateway calls it: with the instance's secret. */
export function instanceFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const base = new URL(url).origin;
  const secret = secretOf(base);
  const headers = new Headers(init.headers);
  if (secret) headers.set(INSTANCE_SECRET_HEADER, secret);
  return fetch(url, { ...init, headers });
}

export function makeBackend(extra: Partial<LocalBackendOptions> = {}): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-runtime-'));
  const changes: string[] = [];
  const drains: string[][] = [];
  const pids = new Set<number>();
  const observers: Harness['observers'] = [];
  let backend!: LocalBackend;
  backend = new LocalBackend({
    dataDir,
    events: {
      onInstancesChanged: (e, d) => {
        changes.push(`${e}/${d}`);
        for (const i of backend.instances(e, d)) {
          if (i.pid) for (const p of groupMembers(i.pid)) pids.add(p);
        }
        for (const o of observers) o(e, d);
      },
    },
    drain: async (urls) => {
      drains.push(urls);
    },
    logger: silentLogger(),
    stopGraceMs: 3000,
    instanceUser: testInstanceUser,
    ...extra,
  });
  liveBackends.add(backend);
  return {
    backend, dataDir, changes, drains, pids, observers,
    async close() {
      await backend.shutdown();
      liveBackends.delete(backend);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone, as it should be */
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let trained: string | undefined;

/** A model folder named `model` holding sklearn_regression_model.pkl (y = 2*x0 + 3*x1 + 1). */
export function sklearnModel(): string {
  if (trained) return trained;
  const root = mkdtempSync(join(tmpdir(), 'switchyard-model-'));
  const dir = join(root, 'model');
  execFileSync('/usr/bin/python3', [join(fixtures, 'sklearn', 'train.py'), dir], { stdio: 'pipe' });
  trained = dir;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  return dir;
}

/** A model folder with weights.json for the JS fixture (same function as the sklearn model). */
export function jsModel(): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-jsmodel-'));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'weights.json'), JSON.stringify({ w: [2, 3], b: 1 }));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function template(over: Partial<DeploymentTemplate> & { fixture?: string; script?: string } = {}): DeploymentTemplate {
  const { fixture = 'sklearn', script = 'score.py', ...rest } = over;
  return {
    endpoint: 'ep1',
    deployment: 'blue',
    revision: 'rev1',
    instanceCount: 1,
    model: { dir: sklearnModel(), kind: 'dir', name: 'model', assetName: 'sklearn-model', assetVersion: '1' },
    code: { dir: join(fixtures, fixture), scoringScript: script },
    environment: {
      registered: false,
      image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest',
      conda_file: { name: 'model-env', dependencies: ['python=3.10', 'numpy=1.23.5', 'scikit-learn=1.7.0', { pip: ['azureml-defaults', 'joblib', 'inference-schema[numpy-support]==1.3.0'] }] },
    },
    env: {},
    liveness: PROBES,
    readiness: PROBES,
    requestTimeoutMs: 5000,
    maxConcurrentPerInstance: 1,
    ...rest,
  };
}

export async function score(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await instanceFetch(`${url}/score`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Is the process running (a zombie waiting to be reaped counts as gone)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Every live process whose process group is `pgid` (an instance and the workers it forked). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}
