// Typed reads of values in a loaded YAML document. Every failure names the key, the file and the line,
// and says what was expected.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import { where, type YamlMap, type YamlSource } from './read.js';

export type KeyPath = readonly (string | number)[];

/** A local path queued for upload; `at` is where its digest goes in the request body. */
export interface PendingUpload {
  at: string[];
  localPath: string;
}

/** What a loader produces: the request body (local paths in place of digests) and what to upload. */
export interface LoadedResource<T> {
  body: T;
  uploads: PendingUpload[];
  source: YamlSource;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
export const isDigest = (s: string): boolean => DIGEST.test(s);

export const isMapping = (v: unknown): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function invalidValue(source: YamlSource, path: KeyPath, expected: string, got: unknown): SwitchyardError {
  const shown = typeof got === 'string' ? `'${got}'` : JSON.stringify(got);
  return new SwitchyardError('InvalidValue', `${path.join('.')} in ${where(source, path)} must be ${expected}, got ${shown}`);
}

export function missingField(source: YamlSource, path: KeyPath, hint: string): SwitchyardError {
  return new SwitchyardError('MissingField', `${path.join('.')} is required${source.file ? ` in ${source.file}` : ''}: ${hint}`);
}

export function optString(doc: YamlMap, key: string, source: YamlSource, prefix: KeyPath = []): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw invalidValue(source, [...prefix, key], 'a string', v);
  return v;
}

export function optInteger(doc: YamlMap, key: string, source: YamlSource, prefix: KeyPath = []): number | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidValue(source, [...prefix, key], 'a whole number', v);
  return v;
}

/** Maps of strings (tags, environment_variables): scalar values become strings, as Azure does. */
export function optStringMap(doc: YamlMap, key: string, source: YamlSource, prefix: KeyPath = []): Record<string, string> | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (!isMapping(v)) throw invalidValue(source, [...prefix, key], 'a map of names to values', v);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined) out[k] = '';
    else if (typeof x === 'object') throw invalidValue(source, [...prefix, key, k], 'a string', x);
    else out[k] = String(x);
  }
  return out;
}

/** Traffic maps: deployment name → whole percent. */
export function optPercentMap(doc: YamlMap, key: string, source: YamlSource): Record<string, number> | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (!isMapping(v)) throw invalidValue(source, [key], 'a map of deployment names to percentages', v);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidValue(source, [key, k], 'a whole percentage', x);
    out[k] = n;
  }
  return out;
}

/** Resolves a local path against the YAML file's folder (not the working directory) and checks it exists. */
export function localPath(value: string, source: YamlSource, path: KeyPath, want?: 'file' | 'dir'): string {
  const abs = isAbsolute(value) ? value : resolve(source.baseDir, value);
  if (!existsSync(abs)) {
    const rel = isAbsolute(value) ? '' : ` (relative paths resolve against ${source.file ? 'the folder of the YAML file' : 'the working directory'}: ${source.baseDir})`;
    throw new SwitchyardError('InvalidValue', `${path.join('.')} in ${where(source, path)}: ${abs} does not exist${rel}`);
  }
  if (want) {
    const isDir = statSync(abs).isDirectory();
    if (want === 'dir' && !isDir) throw new SwitchyardError('InvalidValue', `${path.join('.')} in ${where(source, path)}: ${abs} is a file; expected a folder`);
    if (want === 'file' && isDir) throw new SwitchyardError('InvalidValue', `${path.join('.')} in ${where(source, path)}: ${abs} is a folder; expected a file`);
  }
  return abs;
}

/** Drops the editor hint and undefined values, keeping the rest in file order. */
export function withoutSchemaKey(doc: YamlMap): YamlMap {
  const out: YamlMap = {};
  for (const [k, v] of Object.entries(doc)) if (k !== '$schema' && v !== undefined) out[k] = v;
  return out;
}
