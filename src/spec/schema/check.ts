// Checking a value against a resource schema, and the one wording of every refusal. The REST routes
// (control/validators.ts), the normalisers (spec/*-input.ts) and the YAML loader (cli/yaml/) all call
// this, so a bad value is refused with the same code and the same message through each door; the YAML
// door adds where the value is (" in endpoint.yml (line 4)").
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import { FORMATS } from './formats.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module namespace.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** Where a key path is, for messages: ' in deployment.yml (line 7)', or '' when the input is not a file. */
export type Locate = (path: readonly string[]) => string;

type Json = Record<string, unknown>;

/** An Ajv instance that knows the resource formats. Bodies are never coerced: `"instance_count": "1"` is refused. */
export function schemaAjv(coerceTypes: Options['coerceTypes'] = false): Ajv {
  const ajv = new Ajv({
    // Unknown keys are refused by `additionalProperties: false` in the schemas, by name; nothing is
    // stripped or defaulted behind the user's back (the normalisers apply and store the defaults).
    removeAdditional: false, useDefaults: false, allErrors: false, verbose: true, coerceTypes,
    // TypeBox and the schemas add annotations of their own (x-choices, x-expected).
    strict: false,
  });
  addFormats(ajv);
  for (const [name, rule] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: rule.test });
  return ajv;
}

const ajv = schemaAjv();
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Throws the catalogue error for the first thing in `value` that `schema` refuses. */
export function checkInput<T extends TSchema>(schema: T, value: unknown, locate?: Locate): asserts value is Static<T> {
  const validate = validatorOf(schema);
  if (!validate(value)) throw schemaRefusal(schema, validate.errors ?? [], locate);
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** What a schema accepts, in words ("an integer from 1 to 50"). */
export function expected(schema: Json): string {
  if (typeof schema['x-expected'] === 'string') return schema['x-expected'];
  if (Array.isArray(schema['x-choices'])) return `one of ${(schema['x-choices'] as string[]).join(', ')}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(expected).join(' or ');
  const { minimum: min, maximum: max } = schema as { minimum?: number; maximum?: number };
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const what = schema.type === 'integer' ? 'an integer' : 'a number';
      if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`;
      if (min !== undefined) return `${what} of at least ${min}`;
      if (max !== undefined) return `${what} of at most ${max}`;
      return what;
    }
    case 'string':
      if (typeof schema.pattern === 'string' && !schema.format) return `a string matching ${schema.pattern}`;
      return (schema.minLength as number) >= 1 ? 'a non-empty string' : 'a string';
    case 'boolean': return 'true or false';
    case 'array': {
      const items = schema.items as Json | undefined;
      const of = items?.type === 'string' ? ' of strings' : '';
      return (schema.minItems as number) >= 1 ? `a non-empty list${of}` : `a list${of}`;
    }
    case 'object': return 'an object';
    default: return 'valid';
  }
}

/** The refusal of an unknown key at `path`; read-only keys (accepted, ignored) are not offered. */
export function unknownKey(what: string, path: readonly string[], keys: readonly string[], at: string, schema?: Json): SwitchyardError {
  const props = (schema?.properties ?? {}) as Record<string, Json>;
  const known = keys.filter((k) => !k.startsWith('$') && props[k]?.readOnly !== true).sort().join(', ');
  const under = path.length > 1 ? ` under ${path.slice(0, -1).join('.')}` : '';
  return new SwitchyardError('UnknownKey',
    `Unknown key ${JSON.stringify(path.join('.'))} in the ${what}${at}. Known keys${under}: ${known}.`, { key: path.join('.') });
}

const pathOf = (instancePath: string): string[] =>
  instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

/** The catalogue error for the first Ajv error of `root` (the top-level schema, whose title names the resource). */
export function schemaRefusal(root: TSchema, errors: readonly ErrorObject[], locate?: Locate, prefix: readonly string[] = []): SwitchyardError {
  const what = typeof root.title === 'string' ? root.title : 'request body';
  const at = (path: readonly string[]) => (locate ? locate(path) : '');
  // For a union Ajv lists each branch's failure, then the union's own; the union's is the last.
  const union = [...errors].reverse().find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const error = union ?? errors[0];
  if (!error) return new SwitchyardError('InvalidValue', `The ${what} is invalid.`);
  const path = [...prefix, ...pathOf(error.instancePath)];
  const field = path.join('.');
  const schema = (error.parentSchema ?? {}) as Json;

  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty?: string }).missingProperty ?? '');
    const sub = (schema.properties as Record<string, Json> | undefined)?.[missing];
    const example = Array.isArray(sub?.examples) && sub.examples.length
      ? ` (for example ${missing}: ${typeof sub.examples[0] === 'string' ? sub.examples[0] : JSON.stringify(sub.examples[0])})` : '';
    return new SwitchyardError('MissingField', `The ${what}${at(path)} needs ${[...path, missing].join('.')}${example}.`);
  }
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty?: string }).additionalProperty ?? '');
    const full = [...path, key];
    return unknownKey(what, full, Object.keys((schema.properties ?? {}) as Record<string, Json>), at(full), schema);
  }
  if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
    // The branch of the value's own JSON type says best what is wrong inside it.
    const branches = (schema[error.keyword] ?? []) as Json[];
    const t = jsonType(error.data);
    const fits = branches.filter((b) => b.type === t || (b.type === 'number' && t === 'integer') || (b.type === 'integer' && t === 'number'));
    if (fits.length === 1) {
      const validate = validatorOf(fits[0] as TSchema);
      if (!validate(error.data)) return schemaRefusal(root, validate.errors ?? [], locate, path);
    }
  }
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format.refuse(field || what, error.data, at(path));
  const subject = field || `The ${what}`;
  return new SwitchyardError('InvalidValue', `${subject}${at(path)} must be ${expected(schema)}, got ${show(error.data)}.`);
}
