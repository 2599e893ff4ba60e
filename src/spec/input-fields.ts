// Readers for the fields of a JSON input, used by the rollout policy and durations until the rollout
// resource is a schema of src/spec/schema/ like the others (then this file goes). Each one either returns
// the typed value or throws a catalogue error naming the field by its dotted path and showing the value.
import { SwitchyardError } from '../errors.js';

export type InputObject = Record<string, unknown>;

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

export function isPlainObject(value: unknown): value is InputObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalid(field: string, expected: string, value: unknown): SwitchyardError {
  return new SwitchyardError('InvalidValue', `${field} must be ${expected}, got ${show(value)}.`);
}

export function expectObject(field: string, value: unknown): InputObject {
  if (!isPlainObject(value)) throw invalid(field, 'an object', value);
  // Copying a map with a "__proto__" key by assignment would change the copy's prototype.
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) {
    throw new SwitchyardError('InvalidValue', `${field} must not have a key named "__proto__".`);
  }
  return value;
}

/** Refuses keys outside `allowed`; `prefix` is the dotted path of the object ('' at the top). */
export function refuseUnknownKeys(object: InputObject, allowed: ReadonlySet<string>, prefix: string, what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const known = [...allowed].filter((k) => !k.startsWith('$')).sort().join(', ');
      throw new SwitchyardError('UnknownKey', `Unknown key ${JSON.stringify(path)} in the ${what}. Known keys: ${known}.`);
    }
  }
}

export function expectString(field: string, value: unknown, options: { nonEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw invalid(field, 'a string', value);
  if (options.nonEmpty && value.trim() === '') throw invalid(field, 'a non-empty string', value);
  return value;
}

export function optionalString(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : expectString(field, value);
}

export function expectBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(field, 'true or false', value);
  return value;
}

/** Integers only (YAML `2.0` parses to 2 and is fine; `2.5` is not). Bounds are inclusive. */
export function expectInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(field, `an integer from ${min} to ${max}`, value);
  }
  if (value < min || value > max) throw invalid(field, `an integer from ${min} to ${max}`, value);
  return value;
}

/**
 * A map of string values. Numbers and booleans are turned into strings, as YAML users write
 * `WORKER_COUNT: 2` and mean the text "2"; nested objects and lists are refused.
 */
export function expectStringMap(field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const object = expectObject(field, value);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(object)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw invalid(`${field}.${k}`, 'a string', v);
  }
  return out;
}

/** Case-insensitive choice among `choices`; returns the canonical spelling. */
export function expectChoice<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string') {
    const hit = choices.find((c) => c.toLowerCase() === value.toLowerCase());
    if (hit) return hit;
  }
  throw invalid(field, `one of ${choices.join(', ')}`, value);
}
