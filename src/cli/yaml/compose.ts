// The document a command works on: the YAML file (if any), then each `--set` in order, then the
// `--name`-style flags, which win over both (as `az ml` applies them).
import { SwitchyardError } from '../../errors.js';
import { applySets } from '../set.js';
import { noFileSource, readYamlFile, where, type LoadedYaml, type YamlMap } from './read.js';

export interface ComposeOptions {
  file?: string;
  sets?: readonly string[];
  /** Top-level keys set from flags (`name`, `endpoint_name`, `version`...); undefined entries are skipped. */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

/** The file's document, or an empty one (relative paths then resolve against `cwd`). */
export function loadBaseDocument(file: string | undefined, cwd: string = process.cwd()): LoadedYaml {
  return file ? readYamlFile(file, cwd) : { doc: {}, source: noFileSource(cwd) };
}

/** Applies the sets, then the flag overrides, in place. */
export function applyOverrides(loaded: LoadedYaml, sets: readonly string[], overrides: Record<string, unknown> = {}): LoadedYaml {
  const doc: YamlMap = loaded.doc;
  try {
    applySets(doc, sets);
  } catch (e) {
    if (e instanceof SwitchyardError && loaded.source.file) {
      throw new SwitchyardError(e.code, `${e.message} (applied to ${where(loaded.source)})`, e.details);
    }
    throw e;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) doc[k] = v;
  return loaded;
}

export function composeDocument(options: ComposeOptions): LoadedYaml {
  return applyOverrides(loadBaseDocument(options.file, options.cwd), options.sets ?? [], options.overrides);
}
