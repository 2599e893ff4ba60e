// Environment YAML (docs/compatibility.md, "Models and environments") and inline environments of
// deployments: `conda_file` given as a path is read and parsed here (the server never reads the user's
// files); `build.path` and a relative `interpreter` path resolve against the YAML file's folder. Keys
// and values are checked against the environment schema.
import { isAbsolute, resolve } from 'node:path';
import type { EnvironmentCreateInput } from '../../sdk/types.js';
import { EnvironmentInput } from '../../spec/schema/environment.js';
import { checkKeys } from './keys.js';
import { readYamlFile, type YamlMap, type YamlSource } from './read.js';
import { checkLoaded, isMapping, localPath, withoutSchemaKey, yamlScalars, type KeyPath, type LoadedResource } from './values.js';

/** Reads local files an environment names, in place: conda_file, build.path, interpreter. */
function resolveLocalFields(doc: YamlMap, source: YamlSource, prefix: KeyPath): YamlMap {
  const out: YamlMap = { ...doc };
  if (typeof out.conda_file === 'string') {
    out.conda_file = readYamlFile(localPath(out.conda_file, source, [...prefix, 'conda_file'], 'file')).doc;
  }
  if (isMapping(out.build) && typeof out.build.path === 'string' && !out.build.path.includes('://')) {
    // A build context is only recorded by the local runtime; URLs pass through untouched.
    out.build = { ...out.build, path: localPath(out.build.path, source, [...prefix, 'build', 'path'], 'dir') };
  }
  const interpreter = out.interpreter;
  if (typeof interpreter === 'string' && interpreter.includes('/') && !isAbsolute(interpreter)) {
    // A bare command name (python3) is looked up on PATH; a relative path is relative to the file.
    out.interpreter = resolve(source.baseDir, interpreter);
  }
  return out;
}

/** A deployment's `environment`: an azureml reference, or an inline map (the deployment's schema check follows). */
export function loadInlineEnvironment(value: unknown, source: YamlSource): unknown {
  return isMapping(value) ? resolveLocalFields(value, source, ['environment']) : value;
}

/** An environment asset file (`switchyard environment create -f`). */
export function loadEnvironmentDoc(raw: YamlMap, source: YamlSource): LoadedResource<EnvironmentCreateInput> {
  checkKeys(raw, EnvironmentInput, source);
  const doc = yamlScalars(withoutSchemaKey(raw), EnvironmentInput) as YamlMap;
  const body = resolveLocalFields(doc, source, []);
  checkLoaded(EnvironmentInput, body, [], source);
  return { body: body as EnvironmentCreateInput, uploads: [], source };
}
