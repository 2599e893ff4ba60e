// The flag parser: a declarative table of flags per command, and one function that turns argv into
// values. It knows nothing about what commands do (gh's NewCmdX/xRun split), so it is tested alone.
//
// Rules, as argparse (under `az`) applies them:
// - `--name value` and `--name=value`; `-n value` and `-n=value`.
// - An unambiguous prefix of a long flag is that flag (`--endpoint` → `--endpoint-name`); an exact
//   name always wins over prefixes; two or more candidates are a usage error naming them.
// - A flag that takes a value refuses a next word that looks like a flag (not a negative number).
// - `multi` flags consume every following word that is not a flag (`--set a=1 b=2`) and may repeat.
import { SwitchyardError } from '../errors.js';

export type FlagKind = 'string' | 'boolean' | 'number' | 'list';

export interface FlagDef {
  /** Long name without dashes, e.g. `endpoint-name`. Also the key of the parsed value. */
  name: string;
  /** One-letter alias without the dash, e.g. `e`. */
  short?: string;
  kind: FlagKind;
  help: string;
  /** Word shown in usage for the value, e.g. `NAME`. */
  value?: string;
  choices?: readonly string[];
  required?: boolean;
  /** `list` only: consume every following non-flag word, as argparse's nargs='+'. */
  multi?: boolean;
  /** Global flags are listed apart in help. */
  global?: boolean;
  /** Accepted but not listed in help. */
  hidden?: boolean;
}

export type FlagValue = string | boolean | number | string[];
export type FlagValues = Record<string, FlagValue | undefined>;

export interface ParsedArgs {
  values: FlagValues;
  positionals: string[];
}

const usage = (message: string): SwitchyardError => new SwitchyardError('UsageError', message);

const looksLikeFlag = (word: string): boolean => word.startsWith('-') && word.length > 1 && !/^-\d/.test(word);

/** Finds the flag a long name (without `--`) designates: exact name first, then unique prefix. */
export function resolveLong(name: string, defs: readonly FlagDef[]): FlagDef {
  const exact = defs.find((d) => d.name === name);
  if (exact) return exact;
  const candidates = defs.filter((d) => d.name.startsWith(name));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    const names = candidates.map((d) => '--' + d.name).join(', ');
    throw usage(`ambiguous option: --${name} could match ${names}`);
  }
  throw usage(`unrecognized arguments: --${name}`);
}

function resolveShort(letter: string, defs: readonly FlagDef[]): FlagDef {
  const def = defs.find((d) => d.short === letter);
  if (!def) throw usage(`unrecognized arguments: -${letter}`);
  return def;
}

function convert(def: FlagDef, raw: string, shown: string): string | number {
  if (def.kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw usage(`argument ${shown}: invalid number value: '${raw}'`);
    return n;
  }
  if (def.choices && !def.choices.includes(raw)) {
    const lower = raw.toLowerCase();
    const match = def.choices.find((c) => c.toLowerCase() === lower);
    if (match) return match;
    throw usage(`argument ${shown}: invalid choice: '${raw}' (choose from ${def.choices.map((c) => `'${c}'`).join(', ')})`);
  }
  return raw;
}

function parseBoolean(raw: string, shown: string): boolean {
  const v = raw.toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw usage(`argument ${shown}: expected true or false, got '${raw}'`);
}

export function parseFlags(argv: readonly string[], defs: readonly FlagDef[]): ParsedArgs {
  const values: FlagValues = {};
  const positionals: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    i += 1;
    if (word === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    if (!looksLikeFlag(word)) {
      positionals.push(word);
      continue;
    }
    let def: FlagDef;
    let inline: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
      inline = eq >= 0 ? word.slice(eq + 1) : undefined;
      def = resolveLong(name, defs);
    } else {
      const letter = word[1]!;
      def = resolveShort(letter, defs);
      const rest = word.slice(2);
      if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
    }
    const shown = def.short ? `--${def.name}/-${def.short}` : `--${def.name}`;

    if (def.kind === 'boolean') {
      values[def.name] = inline === undefined ? true : parseBoolean(inline, shown);
      continue;
    }

    let raw: string;
    if (inline !== undefined) raw = inline;
    else {
      const next = argv[i];
      if (next === undefined || looksLikeFlag(next)) throw usage(`argument ${shown}: expected one argument`);
      raw = next;
      i += 1;
    }

    if (def.kind === 'list') {
      const list = (values[def.name] as string[] | undefined) ?? [];
      list.push(raw);
      if (def.multi) {
        while (i < argv.length && !looksLikeFlag(argv[i]!) && argv[i] !== '--') {
          list.push(argv[i]!);
          i += 1;
        }
      }
      values[def.name] = list;
    } else {
      values[def.name] = convert(def, raw, shown);
    }
  }
  return { values, positionals };
}

/** Refuses missing required flags, naming them all (apart from parsing, so --help needs none). */
export function checkRequired(values: FlagValues, defs: readonly FlagDef[]): void {
  const missing = defs
    .filter((d) => d.required && values[d.name] === undefined)
    .map((d) => (d.short ? `--${d.name}/-${d.short}` : `--${d.name}`));
  if (missing.length) throw usage(`the following arguments are required: ${missing.join(', ')}`);
}

/** Typed accessors for handlers: the parser already checked kinds, these only narrow. */
export const str = (v: FlagValues, name: string): string | undefined => {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
};
export const num = (v: FlagValues, name: string): number | undefined => {
  const x = v[name];
  return typeof x === 'number' ? x : undefined;
};
export const bool = (v: FlagValues, name: string): boolean => v[name] === true;
export const list = (v: FlagValues, name: string): string[] => {
  const x = v[name];
  return Array.isArray(x) ? x : [];
};

/** A port flag's value: absent, or a whole number from 0 (any free port) to 65535; else a usage error. */
export function port(v: number | undefined, flag: string): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) {
    throw new SwitchyardError('UsageError', `argument --${flag}: expected a port number from 0 to 65535, got ${v}`);
  }
  return v;
}
