// What a command is: a flag table, a function from parsed flags to typed options (validation only),
// and a handler that does the work with an SDK client and an output sink. The runner (main.ts) glues
// them; tests call each part alone.
import type { SwitchyardClient } from '../sdk/client.js';
import type { FlagDef, FlagValues } from './flags.js';
import { OUTPUT_FORMATS } from './output.js';

/** Where a command writes, and what it knows of the terminal. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Asks a question on the terminal and answers the line typed. */
  prompt(question: string): Promise<string>;
}

export interface Context {
  io: Io;
  /** The client for the configured server (created on first use). */
  client(): SwitchyardClient;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  /** `--debug` / `--verbose` were given. */
  verbose: boolean;
}

export interface Command<O = unknown> {
  /** `online-endpoint`; undefined for top-level commands (`serve`, `configure`). */
  group?: string;
  name: string;
  summary: string;
  flags: FlagDef[];
  examples?: string[];
  /** Turns parsed flags into typed options; throws UsageError for combinations the table can't express. */
  options(values: FlagValues): O;
  /** Does the work; the value returned is printed with --output/--query (undefined: nothing). */
  run(options: O, ctx: Context): Promise<unknown>;
  /** For `-o table` without --query: the rows to print instead of the result (a nested result's list). */
  tableRows?(result: unknown): unknown;
}

/** A result printed as usual, after which the command exits with `exitCode` (e.g. `rollout start --wait`). */
export class WithExitCode {
  constructor(readonly value: unknown, readonly exitCode: number) {}
}

/** Erases a command's option type for the registry (each command is checked where it is defined). */
export const defineCommand = <O>(command: Command<O>): Command<unknown> => command as unknown as Command<unknown>;

export const GLOBAL_FLAGS: FlagDef[] = [
  { name: 'output', short: 'o', kind: 'string', value: 'FORMAT', choices: OUTPUT_FORMATS, global: true, help: 'Output format. Allowed values: json, jsonc, yaml, yamlc, tsv, table, none. Default: json.' },
  { name: 'query', kind: 'string', value: 'JMESPATH', global: true, help: 'JMESPath query string. See http://jmespath.org/ for more information and examples.' },
  { name: 'help', short: 'h', kind: 'boolean', global: true, help: 'Show this help message and exit.' },
  { name: 'debug', kind: 'boolean', global: true, help: 'Increase logging verbosity to show all debug logs.' },
  { name: 'verbose', kind: 'boolean', global: true, help: 'Increase logging verbosity.' },
  { name: 'only-show-errors', kind: 'boolean', global: true, help: 'Only show errors, suppressing warnings.' },
  { name: 'resource-group', short: 'g', kind: 'string', value: 'NAME', global: true, help: 'Accepted for az ml compatibility and ignored.' },
  { name: 'workspace-name', short: 'w', kind: 'string', value: 'NAME', global: true, help: 'Accepted for az ml compatibility and ignored.' },
  { name: 'subscription', kind: 'string', value: 'ID', global: true, help: 'Accepted for az ml compatibility and ignored.' },
];

/** Flags several commands share, written once. */
export const FLAG = {
  file: { name: 'file', short: 'f', kind: 'string', value: 'PATH', help: 'Local path to the YAML file with the configuration. Relative paths inside it resolve against its folder.' },
  set: { name: 'set', kind: 'list', multi: true, value: 'KEY=VALUE', help: 'Update an object by specifying a property path and value to set, e.g. --set instance_count=2. Repeatable.' },
  noWait: { name: 'no-wait', kind: 'boolean', help: 'Do not wait for the long-running operation to finish.' },
  yes: { name: 'yes', short: 'y', kind: 'boolean', help: 'Do not prompt for confirmation.' },
} satisfies Record<string, FlagDef>;
