// `update --set a.b=c` changes one field and keeps its siblings: az gets the resource, applies the sets
// and sends it back whole. Our PATCH replaces each named top-level key whole, so before the sets are
// applied, every top-level key a set reaches into (and the file does not give) is copied from the
// current resource.
import { parseSet } from './set.js';
import type { YamlMap } from './yaml/read.js';

/** Top-level keys that nested sets reach into and `doc` lacks. */
export function keysToSeed(doc: YamlMap, sets: readonly string[]): string[] {
  const keys: string[] = [];
  for (const s of sets) {
    const { path } = parseSet(s);
    const top = path[0];
    if (path.length > 1 && typeof top === 'string' && doc[top] === undefined && !keys.includes(top)) keys.push(top);
  }
  return keys;
}

/** Copies `keys` from the current resource into `doc` (deep copies; absent keys stay absent). */
export function seedFrom(doc: YamlMap, keys: readonly string[], current: YamlMap): void {
  for (const k of keys) {
    const v = current[k];
    if (v !== undefined && v !== null) doc[k] = structuredClone(v);
  }
}
