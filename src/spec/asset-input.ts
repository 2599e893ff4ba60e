// ModelInput / EnvironmentInput (REST bodies, after the CLI uploaded local paths) → the content of a
// model or environment asset, without name/version bookkeeping (the store assigns versions).
import { SwitchyardError } from '../errors.js';
import type { EnvironmentAsset, ModelAsset } from './types.js';
import {
  expectChoice, expectObject, expectStringMap, optionalString, refuseUnknownKeys,
} from './input-fields.js';
import { expectDigest } from './references.js';
import { ENVIRONMENT_FIELD_KEYS, readEnvironmentFields } from './environment-fields.js';

export type ModelContent = Omit<ModelAsset, 'version' | 'created_at'> & { version?: string };
export type EnvironmentContent = Omit<EnvironmentAsset, 'version' | 'created_at'> & { version?: string };

export const MODEL_TYPES = ['custom_model', 'mlflow_model', 'triton_model'] as const;

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const ASSET_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function validateAssetName(kind: 'model' | 'environment', value: unknown): string {
  if (value === undefined || value === null) throw new SwitchyardError('MissingField', `The ${kind} needs a name.`);
  if (typeof value !== 'string' || !ASSET_NAME.test(value)) {
    throw new SwitchyardError('InvalidName',
      `Invalid ${kind} name ${JSON.stringify(value)}: it must start with a letter or digit and contain only letters, digits, '.', '_' and '-' (at most 255 characters).`);
  }
  return value;
}

/** A version as users write it: YAML `version: 1` is the number 1, which means "1". */
export function validateAssetVersion(kind: 'model' | 'environment', value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !ASSET_VERSION.test(text) || text === 'latest') {
    throw new SwitchyardError('InvalidValue',
      `Invalid ${kind} version ${JSON.stringify(value)}: use letters, digits, '.', '_' and '-' ("latest" is reserved).`);
  }
  return text;
}

export function readModelType(field: string, value: unknown): ModelAsset['type'] {
  if (value === undefined || value === null) return 'custom_model';
  return expectChoice(field, value, MODEL_TYPES);
}

const MODEL_KEYS = new Set(['$schema', 'name', 'version', 'path', 'type', 'description', 'tags']);

export function normaliseModelInput(input: unknown): ModelContent {
  const body = expectObject('model', input);
  refuseUnknownKeys(body, MODEL_KEYS, '', 'model');
  const out: ModelContent = {
    name: validateAssetName('model', body.name),
    type: readModelType('type', body.type),
    path: body.path === undefined ? missing('model', 'path') : expectDigest('path', body.path),
    tags: expectStringMap('tags', body.tags),
  };
  const version = validateAssetVersion('model', body.version);
  if (version !== undefined) out.version = version;
  const description = optionalString('description', body.description);
  if (description !== undefined) out.description = description;
  return out;
}

const ENVIRONMENT_KEYS = new Set(['$schema', 'name', 'version', 'description', 'tags', ...ENVIRONMENT_FIELD_KEYS]);

export function normaliseEnvironmentInput(input: unknown): EnvironmentContent {
  const body = expectObject('environment', input);
  refuseUnknownKeys(body, ENVIRONMENT_KEYS, '', 'environment');
  const out: EnvironmentContent = {
    name: validateAssetName('environment', body.name),
    ...readEnvironmentFields(body, ''),
    tags: expectStringMap('tags', body.tags),
  };
  const version = validateAssetVersion('environment', body.version);
  if (version !== undefined) out.version = version;
  const description = optionalString('description', body.description);
  if (description !== undefined) out.description = description;
  return out;
}

function missing(kind: string, field: string): never {
  throw new SwitchyardError('MissingField', `The ${kind} needs ${field}.`);
}
