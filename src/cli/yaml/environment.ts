// Environment YAML (SPEC §1.3) and inline environments of deployments: `conda_file` given as a path is
// read and parsed here (the server never reads the user's files); `build.path` and a relative
// `interpreter` path resolve against the YAML file's folder.
import { isAbsolute, resolve } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import type { EnvironmentCreateInput, InlineEnvironmentInput } from '../../sdk/types.js';
import { ENVIRONMENT_KEYS, checkKeys } from './keys.js';
import { readYamlFile, where, type YamlMap, type YamlSource } from './read.js';
import {
  invalidValue, isMapping, localPath, missingField, optString, optStringMap, withoutSchemaKey,
  type KeyPath, type LoadedResource,
} from './values.js';

const REF = /^azureml:(?:\/\/[^\s]+|[A-Za-z0-9][A-Za-z0-9._-]*(?::[^\s:@]+|@latest))$/;

/** Checks an `azureml:name:version` / `azureml:name@latest` reference. */
export function checkReference(ref: string, source: YamlSource, path: KeyPath, what: string): string {
  if (!REF.test(ref)) {
    throw new SwitchyardError(
      'InvalidReference',
      `${path.join('.')} in ${where(source, path)}: '${ref}' is not a valid ${what} reference; use azureml:<name>:<version> or azureml:<name>@latest`,
    );
  }
  return ref;
}

function condaFile(value: unknown, source: YamlSource, path: KeyPath): Record<string, unknown> {
  if (isMapping(value)) return value;
  if (typeof value !== 'string') throw invalidValue(source, path, 'a path to a conda YAML file, or an inline map', value);
  const file = localPath(value, source, path, 'file');
  const loaded = readYamlFile(file);
  return loaded.doc;
}

/** The environment keys shared by an environment asset and an inline environment. */
function environmentFields(doc: YamlMap, source: YamlSource, prefix: KeyPath): InlineEnvironmentInput {
  const out: InlineEnvironmentInput = {};
  const image = optString(doc, 'image', source, prefix);
  if (image !== undefined) out.image = image;
  if (doc.conda_file !== undefined && doc.conda_file !== null) out.conda_file = condaFile(doc.conda_file, source, [...prefix, 'conda_file']);
  if (doc.build !== undefined && doc.build !== null) {
    if (!isMapping(doc.build)) throw invalidValue(source, [...prefix, 'build'], 'a map {path, dockerfile_path}', doc.build);
    const buildPath = optString(doc.build, 'path', source, [...prefix, 'build']);
    const dockerfile = optString(doc.build, 'dockerfile_path', source, [...prefix, 'build']);
    out.build = {};
    // A build context is only recorded by the local runtime; URLs pass through untouched.
    if (buildPath !== undefined) out.build.path = buildPath.includes('://') ? buildPath : localPath(buildPath, source, [...prefix, 'build', 'path'], 'dir');
    if (dockerfile !== undefined) out.build.dockerfile_path = dockerfile;
  }
  if (doc.inference_config !== undefined && doc.inference_config !== null) {
    if (!isMapping(doc.inference_config)) throw invalidValue(source, [...prefix, 'inference_config'], 'a map of routes', doc.inference_config);
    out.inference_config = doc.inference_config as InlineEnvironmentInput['inference_config'];
  }
  const os = optString(doc, 'os_type', source, prefix);
  if (os !== undefined) out.os_type = os;
  const interpreter = optString(doc, 'interpreter', source, prefix);
  if (interpreter !== undefined) {
    // A bare command name (python3) is looked up on PATH; a relative path is relative to the file.
    out.interpreter = interpreter.includes('/') && !isAbsolute(interpreter) ? resolve(source.baseDir, interpreter) : interpreter;
  }
  if (doc.command !== undefined && doc.command !== null) {
    const cmd = doc.command;
    if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((c) => typeof c === 'string' || typeof c === 'number')) {
      throw invalidValue(source, [...prefix, 'command'], 'a non-empty list of strings (program and arguments)', cmd);
    }
    out.command = cmd.map(String);
  }
  return out;
}

/** A deployment's `environment`: an azureml reference, or an inline map. */
export function loadInlineEnvironment(value: unknown, source: YamlSource): string | InlineEnvironmentInput {
  if (typeof value === 'string') return checkReference(value, source, ['environment'], 'environment');
  if (!isMapping(value)) throw invalidValue(source, ['environment'], 'azureml:<name>:<version> or a map {image, conda_file, ...}', value);
  return environmentFields(value, source, ['environment']);
}

/** An environment asset file (`switchyard environment create -f`). */
export function loadEnvironmentDoc(raw: YamlMap, source: YamlSource): LoadedResource<EnvironmentCreateInput> {
  checkKeys(raw, ENVIRONMENT_KEYS, source, 'environment');
  const doc = withoutSchemaKey(raw);
  const name = optString(doc, 'name', source);
  if (!name) throw missingField(source, ['name'], 'give the environment a name (name: in the file or --name)');
  const body: EnvironmentCreateInput = { name, ...environmentFields(doc, source, []) };
  const version = optString(doc, 'version', source);
  if (version !== undefined) body.version = version;
  const description = optString(doc, 'description', source);
  if (description !== undefined) body.description = description;
  const tags = optStringMap(doc, 'tags', source);
  if (tags) body.tags = tags;
  return { body, uploads: [], source };
}
