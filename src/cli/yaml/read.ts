// Reading one YAML file into a plain mapping, with errors that name the file and the line, and a way
// to find the line of any key later (for unknown-key and bad-value messages).
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Document, LineCounter } from 'yaml';

// yaml is loaded on first use, so CLI commands that read no YAML file do not pay for it at start-up.
const require = createRequire(import.meta.url);
const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');
import { SwitchyardError } from '../../errors.js';

export type YamlMap = Record<string, unknown>;

/** Largest YAML file read (a spec is a few KiB; an inline conda file a few more). */
export const MAX_YAML_BYTES = 4 * 1024 * 1024;

export interface YamlSource {
  /** Absolute path of the file, or undefined for documents built from flags only. */
  file?: string;
  /** Folder against which relative paths resolve: the file's folder, or the working directory. */
  baseDir: string;
  /** Line (1-based) of a key path in the file, when it came from the file. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export interface LoadedYaml {
  doc: YamlMap;
  source: YamlSource;
}

/** `file` for messages: "endpoint.yml (line 4)" or "endpoint.yml". */
export function where(source: YamlSource, path?: readonly (string | number)[]): string {
  if (!source.file) return 'the command line';
  const line = path ? source.lineOf(path) : undefined;
  return line ? `${source.file} (line ${line})` : source.file;
}

/** A source for documents that come from flags only (no file). */
export function noFileSource(cwd: string): YamlSource {
  return { baseDir: cwd, lineOf: () => undefined };
}

function lineFinder(document: Document, counter: LineCounter): YamlSource['lineOf'] {
  return (path) => {
    // The key's own node gives the best line; fall back to the value node.
    const parentPath = path.slice(0, -1);
    const parent = parentPath.length ? document.getIn(parentPath, true) : document.contents;
    const last = path[path.length - 1];
    if (yaml().isMap(parent)) {
      const pair = parent.items.find((p) => yaml().isScalar(p.key) && String(p.key.value) === String(last));
      const range = pair && yaml().isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return counter.linePos(range[0]).line;
    }
    const node = document.getIn(path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : undefined;
  };
}

/** Parses YAML text (the file name is only for messages). */
export function parseYamlText(text: string, file: string): LoadedYaml {
  const counter = new (yaml().LineCounter)();
  const document = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    const reason = first.message.split('\n')[0];
    throw new SwitchyardError('InvalidYaml', `${file}${line ? ` (line ${line})` : ''}: invalid YAML: ${reason}`);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // The yaml package refuses documents whose aliases expand without bound ("billion laughs").
    throw new SwitchyardError('InvalidYaml', `${file}: invalid YAML: ${(e as Error).message.split('\n')[0]} (too many aliases expanded; write the values out)`);
  }
  if (value === null || value === undefined) {
    throw new SwitchyardError('InvalidYaml', `${file}: the file is empty; expected a YAML mapping of keys such as name:`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SwitchyardError('InvalidYaml', `${file} (line 1): expected a YAML mapping (key: value lines), got ${Array.isArray(value) ? 'a list' : 'a ' + typeof value}`);
  }
  return {
    doc: value as YamlMap,
    source: { file, baseDir: dirname(file), lineOf: lineFinder(document, counter) },
  };
}

/** Reads and parses a YAML file; `path` resolves against `cwd`. */
export function readYamlFile(path: string, cwd: string = process.cwd()): LoadedYaml {
  const file = resolve(cwd, path);
  let text: string;
  try {
    // Only regular files of a sane size: a FIFO or /dev/zero would block or never end.
    const st = statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    if (!st.isFile()) throw new SwitchyardError('InvalidYaml', `cannot read ${file}: it is not a regular file (a device, FIFO or socket)`);
    if (st.size > MAX_YAML_BYTES) {
      throw new SwitchyardError('InvalidYaml', `cannot read ${file}: it has ${st.size} bytes; a YAML file may have at most ${MAX_YAML_BYTES}`);
    }
    const bytes = readFileSync(file);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new SwitchyardError('InvalidYaml', `${file}: the file is not valid UTF-8 text; save it as UTF-8`);
    }
  } catch (e) {
    if (e instanceof SwitchyardError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : (e as Error).message;
    throw new SwitchyardError('InvalidYaml', `cannot read ${file}: ${why}`);
  }
  return parseYamlText(text, file);
}
