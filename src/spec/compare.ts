// JSON-aware comparison of two answers to the same request (a live deployment's and a shadow's). Pure.
// Numbers are equal within a tolerance (as Python's math.isclose: |a − b| ≤ max(abs, rel × max(|a|, |b|))),
// arrays element by element (a length difference is a difference), objects key by key (a missing or
// extra key is a difference), strings, booleans and null exactly. An answer that is not JSON is
// compared as text, exactly. Numeric leaves are collected (bounded) for the difference statistics and
// the distribution test of control/comparer.ts.
import { SwitchyardError } from '../errors.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Tolerance {
  /** Absolute tolerance for numbers. */
  abs: number;
  /** Relative tolerance for numbers (a fraction: 1e-6 = one part in a million). */
  rel: number;
}

/** Defaults: tight enough to catch a different model, loose enough for float printing and BLAS order. */
export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ abs: 1e-6, rel: 1e-6 });

/** Numeric leaves looked at per answer; the rest of a huge array is compared for equality only. */
export const MAX_NUMERIC_LEAVES = 1000;
/** Nesting depth walked; deeper values are compared as canonical JSON text. */
const MAX_DEPTH = 64;

export interface Difference {
  /** JSONPath-like location: `$`, `$.scores[3]`, `$["a b"]`. */
  path: string;
  live: unknown;
  shadow: unknown;
}

export interface AnswerComparison {
  /** Whole answers equal within tolerance. */
  equal: boolean;
  /** Differing leaves (a missing key or an array tail counts once). */
  differences: number;
  /** The first difference met (depth first, keys in live's order). */
  first: Difference | null;
  /** Where the differences are, array indices as [*] (`$.scores[*]`), at most MAX_PATHS; for noise calibration. */
  paths: string[];
  /** |live − shadow| and its relative form for each pair of numeric leaves at the same place. */
  absDiffs: number[];
  relDiffs: number[];
  /** Numeric leaves of each answer, in document order (for the distribution test). */
  liveNumbers: number[];
  shadowNumbers: number[];
}

export function numbersClose(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const d = Math.abs(a - b);
  return d <= tol.abs || d <= tol.rel * Math.max(Math.abs(a), Math.abs(b));
}

export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/** Text of an answer as JSON when it parses, else as text. Null (no body) is the empty text. */
export function parseAnswer(bytes: Uint8Array | null): { json: true; value: unknown } | { json: false; text: string } {
  const text = bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return { json: true, value: JSON.parse(text) as unknown };
  } catch {
    return { json: false, text };
  }
}

export function compareAnswers(live: Uint8Array | null, shadow: Uint8Array | null, tol: Tolerance = DEFAULT_TOLERANCE): AnswerComparison {
  const a = parseAnswer(live);
  const b = parseAnswer(shadow);
  if (a.json && b.json) return compareValues(a.value, b.value, tol);
  const out = empty();
  const at = a.json ? JSON.stringify(a.value) : a.text;
  const bt = b.json ? JSON.stringify(b.value) : b.text;
  if (at !== bt || a.json !== b.json) {
    out.equal = false;
    out.differences = 1;
    out.first = { path: '$', live: excerpt(at), shadow: excerpt(bt) };
  }
  return out;
}

export function compareValues(live: unknown, shadow: unknown, tol: Tolerance = DEFAULT_TOLERANCE): AnswerComparison {
  const out = empty();
  walk(live, shadow, '$', 0, tol, out);
  return out;
}

function empty(): AnswerComparison {
  return { equal: true, differences: 0, first: null, paths: [], absDiffs: [], relDiffs: [], liveNumbers: [], shadowNumbers: [] };
}

export const MAX_PATHS = 64;

function differ(out: AnswerComparison, path: string, live: unknown, shadow: unknown): void {
  out.equal = false;
  out.differences++;
  out.first ??= { path, live: summarise(live), shadow: summarise(shadow) };
  if (out.paths.length < MAX_PATHS) {
    const general = path.replace(/\[\d+\]/g, '[*]');
    if (!out.paths.includes(general)) out.paths.push(general);
  }
}

function collect(out: number[], v: unknown): void {
  if (typeof v === 'number' && out.length < MAX_NUMERIC_LEAVES) out.push(v);
}

function walk(a: unknown, b: unknown, path: string, depth: number, tol: Tolerance, out: AnswerComparison): void {
  if (typeof a === 'number' && typeof b === 'number') {
    collect(out.liveNumbers, a);
    collect(out.shadowNumbers, b);
    if (out.absDiffs.length < MAX_NUMERIC_LEAVES && Number.isFinite(a) && Number.isFinite(b)) {
      out.absDiffs.push(Math.abs(a - b));
      out.relDiffs.push(relativeDifference(a, b));
    }
    if (!numbersClose(a, b, tol)) differ(out, path, a, b);
    return;
  }
  if (depth >= MAX_DEPTH) {
    if (JSON.stringify(a) !== JSON.stringify(b)) differ(out, path, a, b);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], `${path}[${i}]`, depth + 1, tol, out);
    if (a.length !== b.length) differ(out, `${path}.length`, a.length, b.length);
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) {
      const p = childPath(path, k);
      if (!Object.prototype.hasOwnProperty.call(b, k)) differ(out, p, a[k], undefined);
      else walk(a[k], b[k], p, depth + 1, tol, out);
    }
    for (const k of Object.keys(b)) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) differ(out, childPath(path, k), undefined, b[k]);
    }
    return;
  }
  // Leaves and mismatched kinds: strings, booleans, null exactly; number vs string etc. differ.
  collect(out.liveNumbers, a);
  collect(out.shadowNumbers, b);
  if (a !== b) differ(out, path, a, b);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const childPath = (path: string, key: string): string => (IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** A difference's values, shortened: samples stay small whatever the answers hold. */
function summarise(v: unknown): unknown {
  if (v === undefined) return '(missing)';
  if (typeof v === 'string') return excerpt(v);
  if (v !== null && typeof v === 'object') {
    const text = JSON.stringify(v);
    return text.length <= 200 ? v : excerpt(text);
  }
  return v;
}

function excerpt(s: string): string {
  return s.length <= 200 ? s : `${s.slice(0, 200)}… (${s.length} chars)`;
}

/**
 * The comparison settings of an endpoint (`shadow_compare` in YAML/REST, an extension):
 * `{abs_tolerance, rel_tolerance}`, both non-negative numbers; missing fields take the defaults.
 */
export function readTolerance(value: unknown): Tolerance {
  if (value === undefined || value === null) return { ...DEFAULT_TOLERANCE };
  if (!isPlainObject(value)) throw new SwitchyardError('InvalidValue', `shadow_compare must be an object {abs_tolerance, rel_tolerance} (got ${JSON.stringify(value)}).`);
  const o = value;
  for (const k of Object.keys(o)) {
    if (k !== 'abs_tolerance' && k !== 'rel_tolerance' && k !== 'calibrate_percent') {
      throw new SwitchyardError('InvalidValue', `shadow_compare has no field '${k}'; it takes abs_tolerance, rel_tolerance and calibrate_percent.`);
    }
  }
  const read = (k: 'abs_tolerance' | 'rel_tolerance', dflt: number): number => {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new SwitchyardError('InvalidValue', `shadow_compare.${k} must be a number ≥ 0 (got ${JSON.stringify(v)}).`);
    }
    return v;
  };
  return { abs: read('abs_tolerance', DEFAULT_TOLERANCE.abs), rel: read('rel_tolerance', DEFAULT_TOLERANCE.rel) };
}
