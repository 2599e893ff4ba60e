// The gateway's protective limits that `serve` reads from SWITCHYARD_GATEWAY_* variables
// (docs/server-settings.md): the connection cap of its listener and the failed-authentication rate
// limit. The cap's default is sized from the process's open-file limit, leaving room for the control
// plane's listener, upstream connections and files; tests pass limits directly.
import { availableParallelism } from 'node:os';
import { SwitchyardError } from '../errors.js';
import type { GatewayLimits } from './server.js';

/** Never more client connections than this by default, however high the open-file limit. */
export const DEFAULT_MAX_CONNECTIONS_CEILING = 10_000;
/** File descriptors kept aside for the process itself (store, logs, pipes to instances...). */
const RESERVED_FDS = 128;

/**
 * The default cap: half of what the open-file limit leaves after the control plane's cap and a reserve
 * (each admitted client connection may hold an upstream connection too), between 64 and 10,000.
 */
export function defaultMaxConnections(openFileLimit: number, controlConnections: number): number {
  if (!Number.isFinite(openFileLimit) || openFileLimit <= 0) return DEFAULT_MAX_CONNECTIONS_CEILING;
  return Math.max(64, Math.min(DEFAULT_MAX_CONNECTIONS_CEILING, Math.floor((openFileLimit - controlConnections - RESERVED_FDS) / 2)));
}

const VARIABLES = {
  maxConnections: { name: 'SWITCHYARD_GATEWAY_MAX_CONNECTIONS', min: 1, scale: 1 },
  authFailureLimit: { name: 'SWITCHYARD_GATEWAY_AUTH_FAILURE_LIMIT', min: 0, scale: 1 },
  authFailureWindowMs: { name: 'SWITCHYARD_GATEWAY_AUTH_FAILURE_WINDOW_SECONDS', min: 1, scale: 1000 },
  authFailureSources: { name: 'SWITCHYARD_GATEWAY_AUTH_FAILURE_SOURCES', min: 100, scale: 1 },
} as const;

/** Overrides from the environment; an invalid value stops the start with the variable's name. */
export function gatewayLimitsFromEnv(
  env: NodeJS.ProcessEnv,
  sizing: { openFileLimit: number; controlConnections: number },
): Partial<GatewayLimits> {
  const out: Partial<GatewayLimits> = { maxConnections: defaultMaxConnections(sizing.openFileLimit, sizing.controlConnections) };
  for (const [key, { name, min, scale }] of Object.entries(VARIABLES)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new SwitchyardError('InvalidValue', `${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
    }
    (out as Record<string, number>)[key] = n * scale;
  }
  return out;
}

/** Most gateway workers a setting may ask for (gateway-workers.ts keeps the same bound). */
const MAX_WORKERS = 64;

/**
 * The gateway worker count of `--gateway-workers` or SWITCHYARD_GATEWAY_WORKERS (extension,
 * docs/gateway.md, "Gateway workers"): a whole number from 1 to 64, or `auto` for one per CPU the process
 * may use. `source` names the flag or variable in the error.
 */
export function parseGatewayWorkers(raw: string, source: string): number {
  const v = raw.trim().toLowerCase();
  if (v === 'auto') return Math.min(MAX_WORKERS, Math.max(1, availableParallelism()));
  const n = Number(v);
  if (v === '' || !Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new SwitchyardError('InvalidValue', `${source} must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per CPU), got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `--gateway-workers` of `serve` and `gateway`: undefined when absent; a bad value is a usage error (exit 2). */
export function gatewayWorkersFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseGatewayWorkers(raw, 'argument --gateway-workers');
  } catch (e) {
    throw new SwitchyardError('UsageError', (e as Error).message);
  }
}

/** SWITCHYARD_GATEWAY_WORKERS, or 1 when unset. */
export function gatewayWorkersFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHYARD_GATEWAY_WORKERS;
  return raw === undefined || raw.trim() === '' ? 1 : parseGatewayWorkers(raw, 'SWITCHYARD_GATEWAY_WORKERS');
}
