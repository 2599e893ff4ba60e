// Model YAML (docs/compatibility.md, "Models and environments") and the `model` of a deployment:
// `azureml:name:version`, `azureml:name@latest`, an inline map `{path, name?, version?, type?}`, or a
// bare local path. Local paths (file or folder) resolve against the YAML file's folder and are queued
// for upload; the body gets their digest. Keys and values are checked against the model schema.
import type { ModelCreateInput } from '../../sdk/types.js';
import { ModelInput } from '../../spec/schema/model.js';
import { checkKeys } from './keys.js';
import type { YamlMap, YamlSource } from './read.js';
import {
  checkLoaded, isDigest, isMapping, localPath, withoutSchemaKey, yamlScalars, type LoadedResource, type PendingUpload,
} from './values.js';

/** A path value: an uploaded digest stays; a local path is resolved and queued for upload at `at`. */
function pathValue(value: string, source: YamlSource, at: string[], uploads: PendingUpload[]): string {
  if (isDigest(value)) return value;
  const abs = localPath(value, source, at);
  uploads.push({ at, localPath: abs });
  return abs;
}

/** A deployment's `model` (already key-checked and scalar-typed); the deployment's schema check follows. */
export function loadDeploymentModel(value: unknown, source: YamlSource, uploads: PendingUpload[]): unknown {
  // A string that is not a reference or a digest is a local path (the form older samples use).
  if (typeof value === 'string' && !value.startsWith('azureml:')) return { path: pathValue(value, source, ['model', 'path'], uploads) };
  if (isMapping(value) && typeof value.path === 'string') {
    return { ...value, path: pathValue(value.path, source, ['model', 'path'], uploads) };
  }
  return value;
}

/** A model asset file (`switchyard model create -f`). */
export function loadModelDoc(raw: YamlMap, source: YamlSource): LoadedResource<ModelCreateInput> {
  checkKeys(raw, ModelInput, source);
  const body = yamlScalars(withoutSchemaKey(raw), ModelInput) as YamlMap;
  const uploads: PendingUpload[] = [];
  if (typeof body.path === 'string') body.path = pathValue(body.path, source, ['path'], uploads);
  checkLoaded(ModelInput, body, uploads, source);
  return { body: body as ModelCreateInput, uploads, source };
}
