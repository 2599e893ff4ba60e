// Model YAML (SPEC §1.3) and the `model` of a deployment: `azureml:name:version`, `azureml:name@latest`,
// an inline map `{path, name?, version?, type?}`, or a bare local path. Local paths (file or folder)
// resolve against the YAML file's folder and are queued for upload; the body gets their digest.
import type { ModelCreateInput, ModelInput } from '../../sdk/types.js';
import { MODEL_KEYS, checkKeys } from './keys.js';
import type { YamlMap, YamlSource } from './read.js';
import { checkReference } from './environment.js';
import {
  invalidValue, isDigest, isMapping, localPath, missingField, optString, optStringMap, withoutSchemaKey,
  type LoadedResource, type PendingUpload,
} from './values.js';

export const MODEL_TYPES = ['custom_model', 'mlflow_model', 'triton_model'] as const;

function modelType(doc: YamlMap, source: YamlSource, prefix: string[]): string | undefined {
  const type = optString(doc, 'type', source, prefix);
  if (type !== undefined && !(MODEL_TYPES as readonly string[]).includes(type)) {
    throw invalidValue(source, [...prefix, 'type'], `one of ${MODEL_TYPES.join(', ')}`, type);
  }
  return type;
}

/** A path value: an uploaded digest stays; a local path is resolved and queued for upload at `at`. */
function pathValue(value: string, source: YamlSource, at: string[], uploads: PendingUpload[]): string {
  if (isDigest(value)) return value;
  const abs = localPath(value, source, at);
  uploads.push({ at, localPath: abs });
  return abs;
}

/** A deployment's `model`. */
export function loadDeploymentModel(value: unknown, source: YamlSource, uploads: PendingUpload[]): ModelInput {
  if (typeof value === 'string') {
    if (value.startsWith('azureml:')) return checkReference(value, source, ['model'], 'model');
    // A bare string that is not a reference is a local path (the form older samples use).
    return { path: pathValue(value, source, ['model', 'path'], uploads) };
  }
  if (!isMapping(value)) throw invalidValue(source, ['model'], 'azureml:<name>:<version>, a local path, or a map {path, name, version, type}', value);
  const path = optString(value, 'path', source, ['model']);
  if (!path) throw missingField(source, ['model', 'path'], 'an inline model needs the path of its file or folder');
  const out: Exclude<ModelInput, string> = { path: pathValue(path, source, ['model', 'path'], uploads) };
  const name = optString(value, 'name', source, ['model']);
  if (name !== undefined) out.name = name;
  const version = optString(value, 'version', source, ['model']);
  if (version !== undefined) out.version = version;
  const type = modelType(value, source, ['model']);
  if (type !== undefined) out.type = type;
  // Azure accepts description and tags on an inline model; the REST contract has no place for them
  // (the anonymous asset is named after the deployment), so they are checked and not sent.
  optString(value, 'description', source, ['model']);
  optStringMap(value, 'tags', source, ['model']);
  return out;
}

/** A model asset file (`switchyard model create -f`). */
export function loadModelDoc(raw: YamlMap, source: YamlSource): LoadedResource<ModelCreateInput> {
  checkKeys(raw, MODEL_KEYS, source, 'model');
  const doc = withoutSchemaKey(raw);
  const uploads: PendingUpload[] = [];
  const name = optString(doc, 'name', source);
  if (!name) throw missingField(source, ['name'], 'give the model a name (name: in the file or --name)');
  const path = optString(doc, 'path', source);
  if (!path) throw missingField(source, ['path'], 'the model file or folder to register (path: in the file or --path)');
  const body: ModelCreateInput = { name, path: pathValue(path, source, ['path'], uploads) };
  const version = optString(doc, 'version', source);
  if (version !== undefined) body.version = version;
  const type = modelType(doc, source, []);
  if (type !== undefined) body.type = type;
  const description = optString(doc, 'description', source);
  if (description !== undefined) body.description = description;
  const tags = optStringMap(doc, 'tags', source);
  if (tags) body.tags = tags;
  return { body, uploads, source };
}
