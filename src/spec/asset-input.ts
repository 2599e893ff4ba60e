// ModelInput / EnvironmentInput (REST bodies, after the CLI uploaded local paths) → the content of a
// model or environment asset, without name/version bookkeeping (the store assigns versions). The shape,
// types and rules are schema/model.ts and schema/environment.ts; here are the defaults applied.
import type { EnvironmentAsset, ModelAsset } from './types.js';
import { checkInput } from './schema/check.js';
import { canonicalChoice } from './schema/fields.js';
import { MODEL_TYPES, ModelInput } from './schema/model.js';
import { ENVIRONMENT_FIELD_KEYS, EnvironmentInput } from './schema/environment.js';

export type ModelContent = Omit<ModelAsset, 'version' | 'created_at'> & { version?: string };
export type EnvironmentContent = Omit<EnvironmentAsset, 'version' | 'created_at'> & { version?: string };

export function normaliseModelInput(input: unknown): ModelContent {
  checkInput(ModelInput, input);
  const out: ModelContent = {
    name: input.name,
    type: canonicalChoice(MODEL_TYPES, input.type ?? 'custom_model'),
    path: input.path,
    tags: { ...input.tags },
  };
  if (input.version !== undefined) out.version = String(input.version);
  if (input.description !== undefined) out.description = input.description;
  return out;
}

export function normaliseEnvironmentInput(input: unknown): EnvironmentContent {
  checkInput(EnvironmentInput, input);
  const out: EnvironmentContent = { name: input.name, tags: { ...input.tags } };
  for (const key of ENVIRONMENT_FIELD_KEYS) {
    if (input[key] !== undefined) (out as Record<string, unknown>)[key] = input[key];
  }
  if (input.version !== undefined) out.version = String(input.version);
  if (input.description !== undefined) out.description = input.description;
  return out;
}
