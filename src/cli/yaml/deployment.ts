// Deployment YAML (docs/compatibility.md, "Deployments"). Keys are checked against the deployment
// schema; `model`, `environment` and `code_configuration` are resolved (local paths against the YAML
// file's folder, queued for upload; a conda file read); then the whole body is checked as the REST API
// checks it, with the file and line of the first bad value, before anything is uploaded.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import type { DeploymentInput } from '../../sdk/types.js';
import { DeploymentInput as DeploymentInputSchema, DeploymentPatch as DeploymentPatchSchema } from '../../spec/schema/deployment.js';
import { checkKeys } from './keys.js';
import { loadInlineEnvironment } from './environment.js';
import { loadDeploymentModel } from './model.js';
import { where, type YamlMap, type YamlSource } from './read.js';
import {
  checkLoaded, isDigest, isMapping, localPath, missingField, withoutSchemaKey, yamlScalars,
  type LoadedResource, type PendingUpload,
} from './values.js';

export interface DeploymentLoadOptions {
  /** create (default): checked as POST checks it, endpoint_name required. update: checked as PATCH checks it. */
  requireNames?: boolean;
  /** `--skip-script-validation`: do not check that the scoring script exists in the code folder. */
  skipScriptValidation?: boolean;
}

/** A local code folder is queued for upload once the scoring script is found in it. */
function codeConfiguration(value: YamlMap, source: YamlSource, uploads: PendingUpload[], skipScript: boolean): void {
  const at = ['code_configuration'];
  const { code, scoring_script: script } = value;
  if (typeof code !== 'string' || isDigest(code)) return;
  const dir = localPath(code, source, [...at, 'code'], 'dir');
  value.code = dir;
  if (!skipScript && typeof script === 'string' && !existsSync(join(dir, script))) {
    throw new SwitchyardError(
      'InvalidValue',
      `code_configuration.scoring_script in ${where(source, [...at, 'scoring_script'])}: ${script} was not found in the code folder ${dir}`,
    );
  }
  uploads.push({ at: [...at, 'code'], localPath: dir });
}

export function loadDeploymentDoc(raw: YamlMap, source: YamlSource, options: DeploymentLoadOptions = {}): LoadedResource<DeploymentInput> {
  const create = options.requireNames !== false;
  const schema = create ? DeploymentInputSchema : DeploymentPatchSchema;
  checkKeys(raw, schema, source);
  const body = yamlScalars(withoutSchemaKey(raw), schema) as YamlMap;
  const uploads: PendingUpload[] = [];
  // The CLI needs the endpoint to address the request (the REST body does not).
  if (create && typeof body.endpoint_name !== 'string') {
    throw missingField(source, ['endpoint_name'], 'name its endpoint (endpoint_name: in the file or --endpoint-name)');
  }
  if (body.model !== undefined) body.model = loadDeploymentModel(body.model, source, uploads);
  if (isMapping(body.code_configuration)) codeConfiguration(body.code_configuration, source, uploads, options.skipScriptValidation === true);
  if (body.environment !== undefined) body.environment = loadInlineEnvironment(body.environment, source);
  checkLoaded(schema, body, uploads, source);
  return { body: body as DeploymentInput, uploads, source };
}
