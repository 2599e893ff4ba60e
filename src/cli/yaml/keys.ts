// The key check of a YAML file, walking the resource schema (src/spec/schema/): any key the schema does
// not list is refused before anything is read or uploaded, naming the key, the file and the line, in
// the words the REST API uses for the same key.
import type { TSchema } from '@sinclair/typebox';
import { SwitchyardError } from '../../errors.js';
import { unknownKey } from '../../spec/schema/check.js';
import { where, type YamlMap, type YamlSource } from './read.js';

type Json = Record<string, unknown>;

/** The object schema a mapping is checked against: the schema itself or the object branch of a union; none for free-form maps. */
function objectSchema(schema: TSchema): Json | undefined {
  const object = Array.isArray(schema.anyOf) ? (schema.anyOf as Json[]).find((b) => b.type === 'object') : schema as Json;
  return object && object.type === 'object' && object.properties && object.additionalProperties === false ? object : undefined;
}

const isMapping = (v: unknown): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Refuses the first key that `schema` does not list, naming the key, the file and its line. */
export function checkKeys(doc: YamlMap, schema: TSchema, source: YamlSource, prefix: string[] = []): void {
  const object = objectSchema(schema);
  if (!object) return;
  const properties = object.properties as Record<string, TSchema>;
  const what = typeof schema.title === 'string' ? schema.title : String(prefix[0] ?? 'file');
  for (const [key, value] of Object.entries(doc)) {
    const path = [...prefix, key];
    const sub = properties[key];
    // What `show` prints is not part of a file (Azure's CLI refuses it too); the REST API ignores it so
    // that a `show` answer can be sent back.
    if (sub !== undefined && (sub as Json).readOnly === true) {
      throw new SwitchyardError('UnknownKey',
        `${path.join('.')}${source.file ? ` in ${where(source, path)}` : ''} is read-only (show prints it); remove it from the ${what}.`,
        { key: path.join('.'), file: source.file });
    }
    if (sub === undefined) {
      const error = unknownKey(what, path, Object.keys(properties), source.file ? ` in ${where(source, path)}` : '', object);
      throw new SwitchyardError(error.code, error.message, { key: path.join('.'), file: source.file });
    }
    if (isMapping(value)) checkKeys(value, { ...sub, title: what } as TSchema, source, path);
  }
}
