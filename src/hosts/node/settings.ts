// The Node host's settings, read once from the environment (the variables the azureml server reads).
import { isAbsolute, join, resolve } from 'node:path';
import { readSecret } from './gateway-secret.js';

export interface HostSettings {
  appRoot: string;
  entryScript: string;
  entryPath: string;
  workers: number;
  bindHost: string;
  port: number;
  maxBodyBytes: number;
  drainSeconds: number;
  /** The gateway's secret (gateway-secret.ts), or null when the host runs by hand. */
  secret: Buffer | null;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, allowZero = false): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): HostSettings {
  const appRoot = resolve(env.AML_APP_ROOT || process.cwd());
  const entryScript = env.AZUREML_ENTRY_SCRIPT || 'score.js';
  return {
    appRoot,
    entryScript,
    entryPath: isAbsolute(entryScript) ? entryScript : join(appRoot, entryScript),
    workers: int(env, 'WORKER_COUNT', 1),
    bindHost: env.SWITCHYARD_BIND_HOST || '127.0.0.1',
    port: int(env, 'PORT', 5001, true),
    maxBodyBytes: int(env, 'SWITCHYARD_MAX_BODY_BYTES', 256 * 1024 * 1024),
    drainSeconds: int(env, 'SWITCHYARD_DRAIN_SECONDS', 30, true),
    secret: readSecret(env),
  };
}
