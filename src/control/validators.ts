// Request validation for the control API. Bodies are checked by the resource schemas' own checker
// (spec/schema/check.ts), so a REST refusal has the same code and message as the same value refused by
// the YAML loader or the normalisers; JSON bodies must carry the declared types exactly
// (`"instance_count": "1"` is refused rather than turned into 1). Query strings and path parameters are
// text by nature, so there numbers and booleans are coerced from their text.
import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { schemaAjv, schemaRefusal } from '../spec/schema/check.js';

export function controlValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = schemaAjv(false);
  const coercing = schemaAjv('array');
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema as object);
    const validate = strict.compile(schema as object);
    // Fastify takes `{ error }` from a validator: the catalogue error is answered as it is.
    return (data: unknown) => (validate(data) ? true : { error: schemaRefusal(schema as TSchema, validate.errors ?? []) });
  };
}
