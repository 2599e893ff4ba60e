// Deployment YAML (SPEC §1.2). Keys are checked; `model`, `environment` and `code_configuration` are
// resolved (local paths against the YAML file's folder, queued for upload); typed fields are checked
// for type; every other key is passed as written (the server validates ranges and defaults).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import type { DeploymentInput } from '../../sdk/types.js';
import { DEPLOYMENT_KEYS, checkKeys } from './keys.js';
import { loadInlineEnvironment } from './environment.js';
import { loadDeploymentModel } from './model.js';
import { where, type YamlMap, type YamlSource } from './read.js';
import {
  invalidValue, isDigest, isMapping, localPath, missingField, optInteger, optString, optStringMap, withoutSchemaKey,
  type LoadedResource, type PendingUpload,
} from './values.js';

export interface DeploymentLoadOptions {
  /** create: name and endpoint_name are required. update: only what is named is sent. */
  requireNames?: boolean;
  /** `--skip-script-validation`: do not check that the scoring script exists in the code folder. */
  skipScriptValidation?: boolean;
}

function codeConfiguration(value: unknown, source: YamlSource, uploads: PendingUpload[], skipScript: boolean): DeploymentInput['code_configuration'] {
  const at = ['code_configuration'];
  if (!isMapping(value)) throw invalidValue(source, at, 'a map {code, scoring_script}', value);
  const code = optString(value, 'code', source, at);
  const script = optString(value, 'scoring_script', source, at);
  if (!code) throw missingField(source, [...at, 'code'], 'the folder that holds the scoring script');
  if (!script) throw missingField(source, [...at, 'scoring_script'], 'the scoring script, relative to the code folder (e.g. score.py)');
  if (isDigest(code)) return { code, scoring_script: script };
  const dir = localPath(code, source, [...at, 'code'], 'dir');
  if (!skipScript && !existsSync(join(dir, script))) {
    throw new SwitchyardError(
      'InvalidValue',
      `code_configuration.scoring_script in ${where(source, [...at, 'scoring_script'])}: ${script} was not found in the code folder ${dir}`,
    );
  }
  uploads.push({ at: [...at, 'code'], localPath: dir });
  return { code: dir, scoring_script: script };
}

export function loadDeploymentDoc(raw: YamlMap, source: YamlSource, options: DeploymentLoadOptions = {}): LoadedResource<DeploymentInput> {
  checkKeys(raw, DEPLOYMENT_KEYS, source, 'deployment');
  const doc = withoutSchemaKey(raw);
  const uploads: PendingUpload[] = [];

  const name = optString(doc, 'name', source);
  const endpoint = optString(doc, 'endpoint_name', source);
  if (options.requireNames !== false) {
    if (!name) throw missingField(source, ['name'], 'give the deployment a name (name: in the file or --name)');
    if (!endpoint) throw missingField(source, ['endpoint_name'], 'name its endpoint (endpoint_name: in the file or --endpoint-name)');
  }

  // Keys in file order; the resolved ones replace their raw values.
  const body: DeploymentInput = { ...doc, name: name ?? '' } as DeploymentInput;
  if (endpoint !== undefined) body.endpoint_name = endpoint;
  if (doc.model !== undefined && doc.model !== null) body.model = loadDeploymentModel(doc.model, source, uploads);
  if (doc.code_configuration !== undefined && doc.code_configuration !== null) {
    body.code_configuration = codeConfiguration(doc.code_configuration, source, uploads, options.skipScriptValidation === true);
  }
  if (doc.environment !== undefined && doc.environment !== null) body.environment = loadInlineEnvironment(doc.environment, source);
  const variables = optStringMap(doc, 'environment_variables', source);
  if (variables) body.environment_variables = variables;
  const tags = optStringMap(doc, 'tags', source);
  if (tags) body.tags = tags;
  const count = optInteger(doc, 'instance_count', source);
  if (count !== undefined) body.instance_count = count;
  const instanceType = optString(doc, 'instance_type', source);
  if (instanceType !== undefined) body.instance_type = instanceType;
  for (const key of ['request_settings', 'liveness_probe', 'readiness_probe', 'scale_settings'] as const) {
    const v = doc[key];
    if (v === undefined || v === null) continue;
    if (!isMapping(v)) throw invalidValue(source, [key], 'a map', v);
    for (const [k, x] of Object.entries(v)) {
      if (k === 'type') continue;
      if (typeof x !== 'number') throw invalidValue(source, [key, k], 'a number', x);
    }
  }
  if (doc.type !== undefined) {
    const t = optString(doc, 'type', source)?.toLowerCase();
    if (t !== 'managed' && t !== 'kubernetes') throw invalidValue(source, ['type'], 'managed or kubernetes', doc.type);
    body.type = t;
  }
  return { body, uploads, source };
}
