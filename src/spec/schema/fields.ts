// Building blocks of the resource schemas (src/spec/schema/*.ts). A schema written with these carries
// its real rules (bounds, choices, patterns, formats), so the REST validation, the OpenAPI document, the
// YAML check and the input normalisers all enforce the same thing. How to add a field or a resource:
// docs/compatibility.md, "Adding a field or a resource".
import { Type, type SchemaOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A whole number in [min, max] (inclusive); `default` is documented and applied by the normaliser. */
export const Int = (minimum: number, maximum: number, options: SchemaOptions = {}) =>
  Type.Integer({ minimum, maximum, ...options });

/** Case-insensitive pattern that matches exactly one of `values` (JSON Schema has no `enum` that ignores case). */
function anyCase(values: readonly string[]): string {
  const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const letters = (v: string) => Array.from(v).map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : escape(c))).join('');
  return `^(?:${values.map(letters).join('|')})$`;
}

/**
 * One of `values`, case-insensitive as Azure's CLI takes them; the normaliser stores the canonical
 * spelling. `x-choices` lists them for messages and readers of the OpenAPI document.
 */
export const Choice = <T extends string>(values: readonly T[], options: SchemaOptions = {}): TUnsafe<T> =>
  Type.Unsafe<T>(Type.String({ pattern: anyCase(values), 'x-choices': [...values], ...options }));

/** The canonical spelling of a value a Choice accepted. */
export function canonicalChoice<T extends string>(values: readonly T[], value: string): T {
  return values.find((v) => v.toLowerCase() === value.toLowerCase()) ?? (value as T);
}

export const StringMap = (options: SchemaOptions = {}) =>
  Type.Record(Type.String(), Type.String(), { 'x-expected': 'a map of names to strings', ...options });

export const PercentMap = (options: SchemaOptions = {}) =>
  Type.Record(Type.String(), Int(0, 100), { 'x-expected': 'a map of deployment names to whole percentages', description: '{deployment: integer percent 0..100}', ...options });

/** A free-form map (identity, data_collector, resources, conda_file): any keys, checked where used. */
export const AnyMap = (options: SchemaOptions = {}) =>
  Type.Record(Type.String(), Type.Unknown(), { 'x-expected': 'a map', ...options });

/** sha256:<64 hex> of an artifact uploaded with POST /api/v1/artifacts (the CLI uploads local paths). */
export const Digest = (options: SchemaOptions = {}) =>
  Type.String({ format: 'artifact-digest', pattern: '^sha256:[0-9a-f]{64}$', ...options });

/** Endpoint and deployment names: the rule is spec/names.ts (format endpoint-name / deployment-name). */
export const ResourceName = (kind: 'endpoint' | 'deployment', options: SchemaOptions = {}) =>
  Type.String({
    format: `${kind}-name`, minLength: 3, maxLength: 32, pattern: '^[A-Za-z][A-Za-z0-9-]*$',
    description: "3-32 characters: letters, digits and '-', starting with a letter, not ending with '-'",
    ...options,
  });

/** Model and environment names (format asset-name). */
export const AssetName = (options: SchemaOptions = {}) =>
  Type.String({ format: 'asset-name', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$', description: "Letters, digits, '.', '_', '-'", ...options });

/** An asset version as users write it: YAML `version: 1` is the number 1 and means "1". */
export const AssetVersion = (options: SchemaOptions = {}) => Type.Union([
  Type.String({ format: 'asset-version', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
  Type.Integer({ minimum: 0 }),
], { description: "Letters, digits, '.', '_', '-' ('latest' is reserved); omitted: one above the highest integer version", ...options });

/** A field `show` prints: accepted and ignored on input, so `show` output can be fed back. */
export const ReadOnly = () => Type.Optional(Type.Unknown({ readOnly: true, description: 'Printed by show; ignored on input' }));

/** The editor hint of Azure's YAML files; ignored. */
export const SchemaHint = () => Type.Optional(Type.String({ description: 'The YAML schema URL (editor hint); ignored' }));

/** The `default` each property of an object schema declares: the normalisers' defaults, from the schema. */
export function defaultsOf<T>(schema: TSchema): T {
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries((schema as { properties?: Record<string, TSchema> }).properties ?? {})) {
    if (sub.default !== undefined) out[key] = sub.default;
  }
  return out as T;
}

/** Exactly one of `values` (views and stored forms, which always hold the canonical spelling). */
export const Literals = <T extends string>(values: readonly T[], options: SchemaOptions = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options) as unknown as TUnsafe<T>;

export const PROVISIONING_STATES = ['Creating', 'Updating', 'Deleting', 'Succeeded', 'Failed'] as const;
