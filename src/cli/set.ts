// `--set a.b=c` overrides, applied to a loaded YAML document after the file (as `az ml ... --set`).
// Paths are dot-separated keys with optional `[n]` list indexes (`a.b[0].c`). Values are typed the way
// az does it: JSON when the text parses as JSON (numbers, true/false, null, objects, arrays, quoted
// strings), the plain text otherwise.
import { SwitchyardError } from '../errors.js';

export type PathPart = string | number;

export interface SetOverride {
  path: PathPart[];
  value: unknown;
  /** The original `k=v` text, for messages. */
  text: string;
}

const invalid = (text: string, why: string): SwitchyardError =>
  new SwitchyardError('InvalidSet', `invalid --set '${text}': ${why}. Expected --set key.path=value, e.g. --set instance_count=2`);

/** Parses `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function parseSetPath(key: string, text: string): PathPart[] {
  const parts: PathPart[] = [];
  for (const segment of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!m) throw invalid(text, `bad key segment '${segment}'`);
    const [, name, indexes] = m;
    if (name === '' && (indexes === '' || parts.length === 0)) throw invalid(text, 'empty key');
    if (name !== '') parts.push(name!);
    for (const idx of indexes!.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** Types a value as az does: JSON if it parses, else the text itself. */
export function typeSetValue(raw: string): unknown {
  const t = raw.trim();
  if (t === '') return raw;
  try {
    return JSON.parse(t);
  } catch {
    return raw;
  }
}

export function parseSet(text: string): SetOverride {
  const eq = text.indexOf('=');
  if (eq < 0) throw invalid(text, "missing '='");
  const key = text.slice(0, eq).trim();
  if (key === '') throw invalid(text, 'empty key');
  return { path: parseSetPath(key, text), value: typeSetValue(text.slice(eq + 1)), text };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies one override in place, creating missing maps along the path. */
export function applySet(doc: Record<string, unknown>, override: SetOverride): void {
  let cur: unknown = doc;
  const { path, text } = override;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const last = i === path.length - 1;
    if (typeof part === 'number') {
      if (!Array.isArray(cur)) throw invalid(text, `'${path.slice(0, i).join('.')}' is not a list`);
      if (part > cur.length) throw invalid(text, `index ${part} is past the end of a list of ${cur.length}`);
      if (last) cur[part] = override.value;
      else {
        if (cur[part] === undefined || cur[part] === null) cur[part] = typeof path[i + 1] === 'number' ? [] : {};
        cur = cur[part];
      }
      continue;
    }
    if (!isPlainObject(cur)) throw invalid(text, `'${path.slice(0, i).join('.')}' is not a map`);
    if (last) cur[part] = override.value;
    else {
      if (cur[part] === undefined || cur[part] === null) cur[part] = typeof path[i + 1] === 'number' ? [] : {};
      cur = cur[part];
    }
  }
}

/** Parses and applies every `--set` in order; later ones win. */
export function applySets(doc: Record<string, unknown>, sets: readonly string[]): Record<string, unknown> {
  for (const s of sets) applySet(doc, parseSet(s));
  return doc;
}
