// Request validation for the control API. Bodies are JSON and must carry the declared types exactly:
// `"instance_count": "1"` is refused (InvalidValue) rather than silently turned into 1. Query strings
// and path parameters are text by nature, so there numbers and booleans are coerced from their text.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module namespace.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const common: Options = {
  // Unknown keys must reach the normalisers (which refuse them by name) instead of being stripped;
  // defaults are applied by the normalisers too, so the stored spec records them.
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  verbose: true,
  // TypeBox adds keywords of its own to the schemas it builds.
  strict: false,
};

function make(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats(ajv);
  return ajv;
}

export function controlValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = make(false);
  const coercing = make('array');
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
