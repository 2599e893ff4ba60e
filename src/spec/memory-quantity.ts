// Memory quantities as Kubernetes writes them (`resources.limits.memory: 512Mi`): a number of bytes
// with an optional suffix, binary (Ki, Mi, Gi, Ti) or decimal (k/K, M, G, T).
import { SwitchyardError } from '../errors.js';
import { instanceType, memoryBytesOf, memoryQuantityOf } from './instance-types.js';

const UNITS: Record<string, number> = {
  '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

/** The smallest memory limit accepted: a scoring host needs more than this to start at all. */
export const MIN_MEMORY_LIMIT_BYTES = 32 * 2 ** 20;

/** Bytes of a quantity (`512Mi`, `1.5Gi`, `1G`, `268435456`), or an InvalidValue naming `field`. */
export function parseMemoryQuantity(field: string, value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  const m = typeof text === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|K|M|G|T)?\s*$/.exec(text) : null;
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2] ?? '']!) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new SwitchyardError('InvalidValue', `${field} must be a memory quantity such as 512Mi, 2Gi or 1G, got ${JSON.stringify(value)}.`);
  }
  if (bytes < MIN_MEMORY_LIMIT_BYTES) {
    throw new SwitchyardError('InvalidValue', `${field} is ${JSON.stringify(value)}; a scoring host needs at least 32Mi.`);
  }
  return bytes;
}

/** The per-process memory limit a deployment asks for (`resources.limits.memory`), if any. */
export function memoryLimitOf(extra: Record<string, unknown>): number | undefined {
  const resources = extra.resources as { limits?: { memory?: unknown } } | undefined;
  const memory = resources?.limits?.memory;
  return memory === undefined || memory === null ? undefined : parseMemoryQuantity('resources.limits.memory', memory);
}

/**
 * The per-instance memory limit in force: `resources.limits.memory` when the deployment says, else the
 * memory of its instance type (docs/compatibility.md, "Instance types"); `quantity` as `show` reports it.
 */
export function deploymentMemoryLimit(spec: { extra: Record<string, unknown>; instance_type?: string }): { bytes: number; quantity: string } | undefined {
  const bytes = memoryLimitOf(spec.extra);
  if (bytes !== undefined) {
    const written = (spec.extra.resources as { limits: { memory: unknown } }).limits.memory;
    return { bytes, quantity: String(written) };
  }
  const size = spec.instance_type ? instanceType(spec.instance_type) : undefined;
  return size ? { bytes: memoryBytesOf(size), quantity: memoryQuantityOf(size) } : undefined;
}
