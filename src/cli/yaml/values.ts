// Values of a loaded YAML document: local paths resolved against the file's folder, scalars typed as the
// schema wants them, and the check of a whole body against its resource schema, naming file and line.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import { checkInput } from '../../spec/schema/check.js';
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

export { isDigest } from '../../spec/references.js';

export const isMapping = (v: unknown): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function missingField(source: YamlSource, path: KeyPath, hint: string): SwitchyardError {
  return new SwitchyardError('MissingField', `${path.join('.')} is required${source.file ? ` in ${source.file}` : ''}: ${hint}`);
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

type Json = Record<string, unknown>;

/**
 * YAML types scalars by their look: `version: 1` is a number, `WORKER_COUNT: 2` too. Where the schema
 * wants text, a number or boolean means its text (as Azure reads these files); everything else is left
 * for the schema check to judge.
 */
export function yamlScalars(value: unknown, schema: TSchema | undefined): unknown {
  if (!schema) return value;
  const s = schema as Json;
  if (typeof value === 'number' || typeof value === 'boolean') {
    // `version: 1` means "1": where text is one of the accepted forms, a scalar is its text.
    const branches = Array.isArray(s.anyOf) ? (s.anyOf as Json[]) : [s];
    return branches.some((b) => b.type === 'string') ? String(value) : value;
  }
  if (Array.isArray(value)) return s.type === 'array' ? value.map((v) => yamlScalars(v, s.items as TSchema)) : value;
  if (isMapping(value)) {
    const object = Array.isArray(s.anyOf) ? (s.anyOf as Json[]).find((b) => b.type === 'object') : s;
    if (!object || object.type !== 'object') return value;
    const properties = (object.properties ?? {}) as Record<string, TSchema>;
    const pattern = Object.values((object.patternProperties ?? {}) as Record<string, TSchema>)[0];
    const out: YamlMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = yamlScalars(v, properties[k] ?? pattern);
    return out;
  }
  return value;
}

const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * Checks a loaded body against its resource schema before anything is uploaded: local paths stand in
 * for digests (a placeholder takes their place), and a refusal names the file and the line.
 */
export function checkLoaded(schema: TSchema, body: unknown, uploads: readonly PendingUpload[], source: YamlSource): void {
  const probe = structuredClone(body) as YamlMap;
  for (const { at } of uploads) {
    let cur: YamlMap = probe;
    for (const key of at.slice(0, -1)) cur = cur[key] as YamlMap;
    cur[at[at.length - 1]!] = PLACEHOLDER_DIGEST;
  }
  checkInput(schema, probe, source.file ? (path) => ` in ${where(source, path.length ? path : undefined)}` : undefined);
}
