// The named string rules of the resource schemas (JSON Schema `format`): each has a test and the
// catalogue error it refuses with, so a bad name is `InvalidName` and a bad digest `InvalidReference`
// whichever door (REST, YAML, a direct call) the value came through.
import { SwitchyardError } from '../../errors.js';
import { nameRuleBroken } from '../names.js';
import { isDigest, parseAssetRef } from '../references.js';
import { curatedFamily, isRegistryReference, parseRegistryEnvironmentRef } from '../curated-environments.js';

export interface FormatRule {
  test(value: string): boolean;
  /** The refusal of `value` at `field`; `at` is where it came from (' in file.yml (line 3)') or ''. */
  refuse(field: string, value: unknown, at: string): SwitchyardError;
}

const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : `${value === null ? 'null' : typeof value} ${JSON.stringify(value)}`);

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const ASSET_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function resourceName(kind: 'endpoint' | 'deployment'): FormatRule {
  return {
    test: (v) => nameRuleBroken(v) === null,
    refuse: (_field, value, at) => {
      if (typeof value !== 'string') return new SwitchyardError('InvalidName', `The ${kind} name${at} must be a string, got ${shown(value)}.`);
      return new SwitchyardError('InvalidName', `Invalid ${kind} name ${JSON.stringify(value)}${at}: it ${nameRuleBroken(value) ?? 'is invalid'}.`);
    },
  };
}

/** An `azureml:` reference that parses; a digest too when `digestToo` (a model can be an uploaded artifact). */
function reference(kind: 'model' | 'environment', digestToo: boolean): FormatRule {
  const curated = (v: string) => {
    const ref = kind === 'environment' ? parseRegistryEnvironmentRef(v) : null;
    if (!ref) return false;
    try { curatedFamily(ref); return true; } catch { return false; }
  };
  const parses = (v: string) => {
    if (isRegistryReference(v)) return curated(v);
    try { return parseAssetRef(kind, v) !== null; } catch { return false; }
  };
  const forms = `azureml:<name>:<version> or azureml:<name>@latest${digestToo ? ', or an uploaded artifact digest' : ', or a curated azureml://registries/azureml/environments/<name>/labels/latest'}`;
  return {
    test: (v) => parses(v) || (digestToo && isDigest(v)),
    refuse: (field, value, at) => {
      // A curated environment of Azure's registry that has no local equivalent says so.
      const ref = kind === 'environment' && typeof value === 'string' ? parseRegistryEnvironmentRef(value) : null;
      if (ref) {
        try { curatedFamily(ref); } catch (e) { return e as SwitchyardError; }
      }
      const what = kind === 'model' ? 'A local path must be uploaded by the CLI first.' : 'Or write the environment inline ({image, conda_file, ...}).';
      return new SwitchyardError('InvalidReference', `${field}${at} ${shown(value)} is not a valid ${kind} reference: use ${forms}. ${what}`);
    },
  };
}

export const FORMATS: Readonly<Record<string, FormatRule>> = {
  'endpoint-name': resourceName('endpoint'),
  'deployment-name': resourceName('deployment'),
  'asset-name': {
    test: (v) => ASSET_NAME.test(v),
    refuse: (field, value, at) => new SwitchyardError('InvalidName',
      `Invalid name ${shown(value)} for ${field}${at}: it must start with a letter or digit and contain only letters, digits, '.', '_' and '-' (at most 255 characters).`),
  },
  'asset-version': {
    test: (v) => ASSET_VERSION.test(v) && v !== 'latest',
    refuse: (field, value, at) => new SwitchyardError('InvalidValue',
      `Invalid version ${shown(value)} for ${field}${at}: use letters, digits, '.', '_' and '-' (at most 128 characters; "latest" is reserved).`),
  },
  'model-reference': reference('model', true),
  'environment-reference': reference('environment', false),
  'artifact-digest': {
    test: (v) => DIGEST.test(v),
    refuse: (field, value, at) => new SwitchyardError('InvalidReference',
      `${field}${at} must be the digest of an uploaded artifact (sha256:<64 hex digits>), got ${shown(value)}. The CLI uploads local paths and sends their digest.`),
  },
  'principal-name': {
    test: (v) => PRINCIPAL.test(v),
    refuse: (field, value, at) => new SwitchyardError('InvalidName',
      `Token ${field}${at} must be 1-64 characters: letters, digits, '.', '_', '@' or '-', starting with a letter or digit; got ${shown(value)}.`),
  },
  'auth-mode': {
    test: (v) => ['key', 'aml_token'].includes(v.toLowerCase()),
    refuse: (field, value, at) => (typeof value === 'string' && value.toLowerCase() === 'aad_token'
      ? new SwitchyardError('AuthModeUnsupported',
        `${field} aad_token${at} (Microsoft Entra ID tokens) is cloud-only and not available in Switchyard. Use auth_mode key or aml_token.`)
      : new SwitchyardError('InvalidValue', `${field}${at} must be one of key, aml_token, got ${shown(value)}.`)),
  },
};
