// The runner: finds the command named by argv, parses its flags, runs it, prints its result with
// --output/--query, and turns every error into one `ERROR: <message>` line and an exit code
// (0 ok, 1 error, 2 usage).
import { SwitchyardError, exitCodeFor, isSwitchyardError } from '../errors.js';
import { SwitchyardClient } from '../sdk/client.js';
import { GLOBAL_FLAGS, WithExitCode, type Command, type Context, type Io } from './command.js';
import { resolveConnection } from './connection.js';
import { httpFetch } from './http-fetch.js';
import { checkRequired, parseFlags, str, type FlagValues } from './flags.js';
import { commandHelp, groupHelp, topHelp } from './help.js';
import { render, type OutputFormat } from './output.js';
import { GROUPS, TOP_COMMANDS, findGroup, findTop } from './registry.js';

export interface RunDeps {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  /** Makes the client (tests may pass a fake); default: the real one for the resolved connection. */
  makeClient?: (ctx: { env: RunDeps['env']; home: string }) => SwitchyardClient;
  version?: string;
}

const usage = (message: string): SwitchyardError => new SwitchyardError('UsageError', message);

const isHelp = (w: string | undefined): boolean => w === '--help' || w === '-h';

interface Resolved {
  command?: Command;
  /** Help text to print instead of running anything. */
  help?: string;
  rest: string[];
}

/** Finds the command (or help) argv names. */
export async function resolveCommand(argv: readonly string[]): Promise<Resolved> {
  const [first, second, ...rest] = argv;
  if (first === undefined || isHelp(first)) return { help: topHelp(), rest: [] };
  const top = findTop(first);
  // `gateway` is both a command (with flags) and a group (`gateway list`): a word after it names the group's command.
  if (top && !(second !== undefined && !second.startsWith('-') && findGroup(first))) return { command: top, rest: argv.slice(1) };
  const group = findGroup(first);
  if (!group) {
    const known = [...GROUPS.map((g) => g.name), ...TOP_COMMANDS.map((c) => c.name)];
    throw usage(`'${first}' is misspelled or not recognized by the system. Commands: ${known.join(', ')}. See 'switchyard --help'.`);
  }
  const commands = await group.load();
  if (second === undefined || isHelp(second)) return { help: groupHelp(group, commands), rest: [] };
  const command = commands.find((c) => c.name === second);
  if (!command) {
    throw usage(`'${second}' is misspelled or not recognized by the system. Commands of ${group.name}: ${commands.map((c) => c.name).join(', ')}.`);
  }
  return { command, rest };
}

function writeResult(io: Io, result: unknown, values: FlagValues): void {
  const format = (str(values, 'output') ?? 'json') as OutputFormat;
  const text = render(result, { format, query: str(values, 'query'), color: io.stdoutIsTTY });
  if (text) io.out(text);
}

export async function runCli(argv: readonly string[], deps: RunDeps): Promise<number> {
  const { io } = deps;
  let verbose = argv.includes('--debug') || argv.includes('--verbose');
  try {
    if (argv[0] === '--version' || argv[0] === 'version') {
      io.out(`${deps.version ?? 'unknown'}\n`);
      return 0;
    }
    // `switchyard ml online-endpoint ...` also works, for scripts that replaced only `az` by `switchyard`.
    const resolved = await resolveCommand(argv[0] === 'ml' ? argv.slice(1) : argv);
    if (resolved.help) {
      io.out(resolved.help);
      return 0;
    }
    const command = resolved.command!;
    const flags = [...command.flags, ...GLOBAL_FLAGS];
    const { values, positionals } = parseFlags(resolved.rest, flags);
    if (values.help === true) {
      io.out(commandHelp(command));
      return 0;
    }
    if (positionals.length) throw usage(`unrecognized arguments: ${positionals.join(' ')}`);
    checkRequired(values, flags);
    verbose = values.debug === true || values.verbose === true;
    const options = command.options(values);

    let client: SwitchyardClient | undefined;
    const ctx: Context = {
      io,
      env: deps.env,
      cwd: deps.cwd,
      home: deps.home,
      verbose,
      client: () => {
        client ??= deps.makeClient
          ? deps.makeClient({ env: deps.env, home: deps.home })
          : new SwitchyardClient({ ...resolveConnection(deps.env, deps.home), userAgent: `switchyard-cli/${deps.version ?? 'dev'}`, fetch: httpFetch });
        return client;
      },
    };
    const result = await command.run(options, ctx);
    if (result instanceof WithExitCode) {
      writeResult(io, result.value, values);
      return result.exitCode;
    }
    const tabular = command.tableRows !== undefined && str(values, 'output') === 'table' && str(values, 'query') === undefined;
    writeResult(io, tabular ? command.tableRows!(result) : result, values);
    return 0;
  } catch (e) {
    if (isSwitchyardError(e)) {
      io.err(`ERROR: ${e.message}\n`);
      if (verbose && e.details !== undefined) io.err(`details: ${JSON.stringify(e.details)}\n`);
      return exitCodeFor(e.code);
    }
    // Not a user error: a bug. Say so, with the detail needed to report it.
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`ERROR: ${err.message}\n`);
    if (verbose && err.stack) io.err(err.stack + '\n');
    else io.err('(unexpected error: run again with --debug for the stack trace, and please report it)\n');
    return 1;
  }
}
