// Output of command results, in the shapes `az` (knack) prints, so scripts written for it keep working:
// - json: 2-space indent, keys sorted, non-ASCII kept; jsonc: the same, coloured on a terminal.
// - yaml: block style, keys sorted, lists not indented under their key (PyYAML's safe_dump).
// - tsv: one line per list item; an object's values tab-separated in key order (sorted, or the
//   --query's order for a multiselect such as `{n:name, s:provisioning_state}`); nested lists print
//   their length, nested objects print nothing; a bare string prints as is (so `-o tsv --query
//   primaryKey` prints just the key).
// - table: scalar fields only (not id/type/etag), headers with a capital first letter, dashes below.
// - none: nothing.
// `--query` (JMESPath) applies before formatting. A null/undefined result prints nothing (as az).
import { createRequire } from 'node:module';

// jmespath and yaml are loaded on first use: most commands need neither, and every CLI call pays for
// what it imports at start-up.
const require = createRequire(import.meta.url);
const jmespath = (): typeof import('jmespath') => require('jmespath') as typeof import('jmespath');
type YamlOptions = import('yaml').DocumentOptions & import('yaml').SchemaOptions & import('yaml').ToStringOptions;
const yamlStringify = (value: unknown, options: YamlOptions): string =>
  (require('yaml') as typeof import('yaml')).stringify(value, options);
import { SwitchyardError } from '../errors.js';

export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'tsv', 'table', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Text to print exactly as is (logs); formats other than json/yaml/tsv print it raw too. */
export class RawText {
  constructor(readonly text: string) {}
}

export function applyQuery(value: unknown, query: string | undefined): unknown {
  if (!query) return value;
  try {
    return jmespath().search(value, query) as unknown;
  } catch (e) {
    throw new SwitchyardError('UsageError', `argument --query: invalid jmespath query supplied for '--query': ${query} (${(e as Error).message})`);
  }
}

/** Recursively sorts object keys (json and yaml output sort them, as az does). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function formatJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

const COLOR = { key: '\x1b[94m', string: '\x1b[32m', number: '\x1b[36m', literal: '\x1b[35m', reset: '\x1b[0m' };

/** JSON with ANSI colours (keys, strings, numbers, literals). */
export function formatJsonColor(value: unknown): string {
  const text = formatJson(value);
  return text.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (m, str: string | undefined, colon: string | undefined, lit: string | undefined, num: string | undefined) => {
      if (str !== undefined) return colon ? `${COLOR.key}${str}${COLOR.reset}${colon}` : `${COLOR.string}${str}${COLOR.reset}`;
      if (lit !== undefined) return `${COLOR.literal}${lit}${COLOR.reset}`;
      if (num !== undefined) return `${COLOR.number}${num}${COLOR.reset}`;
      return m;
    },
  );
}

export function formatYaml(value: unknown): string {
  return yamlStringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

/** A nested value in a tsv cell, as knack writes it (Python's str() of scalars). */
function tsvCell(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (value && typeof value === 'object') return '';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function tsvRow(value: unknown, sortKeysToo: boolean): string {
  if (Array.isArray(value)) return value.map(tsvCell).join('\t');
  if (value && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    const keys = sortKeysToo ? Object.keys(rec).sort() : Object.keys(rec);
    return keys.map((k) => tsvCell(rec[k])).join('\t');
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return tsvCell(value);
}

/** knack sorts a plain result's keys; a --query result (an ordered map) keeps the query's order. */
export function formatTsv(value: unknown, queryActive = false): string {
  const rows = Array.isArray(value) ? value : [value];
  return rows.map((r) => tsvRow(r, !queryActive) + '\n').join('');
}

const TABLE_SKIP = new Set(['id', 'type', 'etag']);
const capitalize = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

function tableRow(item: unknown, sortKeysToo: boolean): Map<string, string> {
  const row = new Map<string, string>();
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const keys = sortKeysToo ? Object.keys(item).sort() : Object.keys(item);
    for (const k of keys) {
      const v = (item as Record<string, unknown>)[k];
      if (TABLE_SKIP.has(k) || v === null || v === undefined || typeof v === 'object') continue;
      row.set(capitalize(k), typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
    }
  } else if (Array.isArray(item)) {
    item.forEach((v, i) => row.set(`Column${i + 1}`, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)));
  } else {
    row.set('Result', typeof item === 'boolean' ? (item ? 'True' : 'False') : String(item));
  }
  return row;
}

/** az's `-o table` (tabulate "simple"): without --query the keys are sorted; with it, query order. */
export function formatTable(value: unknown, queryActive: boolean): string {
  const items = Array.isArray(value) ? value : [value];
  const rows = items.map((i) => tableRow(i, !queryActive));
  const headers: string[] = [];
  for (const r of rows) for (const k of r.keys()) if (!headers.includes(k)) headers.push(k);
  if (!headers.length) {
    if (!rows.length) return '\n';
    throw new SwitchyardError('UsageError', 'Table output unavailable. Use the --query option to specify an appropriate query.');
  }
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => (r.get(h) ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((h) => r.get(h) ?? '')))];
  return out.join('\n') + '\n';
}

export interface RenderOptions {
  format: OutputFormat;
  query?: string;
  /** Colour for jsonc/yamlc only when stdout is a terminal (as az). */
  color?: boolean;
}

/** The text to print for a command result ('' for nothing). */
export function render(result: unknown, options: RenderOptions): string {
  if (result instanceof RawText && !options.query) {
    if (options.format === 'none') return '';
    return result.text.endsWith('\n') || result.text === '' ? result.text : result.text + '\n';
  }
  const base = result instanceof RawText ? result.text : result;
  const value = applyQuery(base, options.query);
  if (value === undefined || value === null || options.format === 'none') return '';
  switch (options.format) {
    case 'json': return formatJson(value);
    case 'jsonc': return options.color ? formatJsonColor(value) : formatJson(value);
    case 'yaml':
    case 'yamlc': return formatYaml(value);
    case 'tsv': return formatTsv(value, Boolean(options.query));
    case 'table': return formatTable(value, Boolean(options.query));
  }
}
