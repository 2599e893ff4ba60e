// The document a command works on: the YAML file (if any), then each `--set` in order, then the
// `--name`-style flags, which win over both (as `az ml` applies them).
import { SwitchyardError } from '../errors.js';
import { applySets } from './set.js';
import { noFileSource, readYamlFile, where, type LoadedYaml, type YamlMap } from './yaml-read.js';

export interface ComposeOptions {
  file?: string;
  sets?: readonly string[];
  /** Top-level keys set from flags (`name`, `endpoint_name`, `version`...); undefined entries are skipped. */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export function composeDocument(options: ComposeOptions): LoadedYaml {
  const cwd = options.cwd ?? process.cwd();
  const loaded: LoadedYaml = options.file ? readYamlFile(options.file, cwd) : { doc: {}, source: noFileSource(cwd) };
  const doc: YamlMap = loaded.doc;
  try {
    applySets(doc, options.sets ?? []);
  } catch (e) {
    if (e instanceof SwitchyardError && loaded.source.file) {
      throw new SwitchyardError(e.code, `${e.message} (applied to ${where(loaded.source)})`, e.details);
    }
    throw e;
  }
  for (const [k, v] of Object.entries(options.overrides ?? {})) if (v !== undefined) doc[k] = v;
  return loaded;
}
