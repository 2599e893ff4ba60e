// Help text, laid out like az's: the command, its arguments, the global arguments, examples.
import { GLOBAL_FLAGS, type Command } from './command.js';
import type { FlagDef } from './flags.js';
import { GROUPS, TOP_COMMANDS, type Group } from './registry.js';

const flagLabel = (f: FlagDef): string => {
  const names = [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])].join(' ');
  return f.kind === 'boolean' ? names : `${names} ${f.value ?? 'VALUE'}`;
};

function flagLines(flags: readonly FlagDef[]): string[] {
  const shown = flags.filter((f) => !f.hidden);
  const width = Math.max(0, ...shown.map((f) => flagLabel(f).length + (f.required ? 11 : 0)));
  return shown.map((f) => {
    const label = flagLabel(f) + (f.required ? ' [Required]' : '');
    return `    ${label.padEnd(width)} : ${f.help}`;
  });
}

function entries(items: Array<{ name: string; summary: string }>): string[] {
  const width = Math.max(0, ...items.map((i) => i.name.length));
  return items.map((i) => `    ${i.name.padEnd(width)} : ${i.summary}`);
}

export function commandHelp(command: Command): string {
  const path = ['switchyard', command.group, command.name].filter(Boolean).join(' ');
  const lines = ['', 'Command', `    ${path} : ${command.summary}`, ''];
  if (command.flags.some((f) => !f.hidden)) lines.push('Arguments', ...flagLines(command.flags), '');
  lines.push('Global Arguments', ...flagLines(GLOBAL_FLAGS), '');
  if (command.examples?.length) lines.push('Examples', ...command.examples.map((e) => `    ${e}`), '');
  return lines.join('\n') + '\n';
}

export function groupHelp(group: Group, commands: Command[]): string {
  return [
    '',
    'Group',
    `    switchyard ${group.name} : ${group.summary}`,
    '',
    'Commands:',
    ...entries(commands),
    '',
    `Run \`switchyard ${group.name} COMMAND --help\` for the arguments of a command.`,
    '',
  ].join('\n') + '\n';
}

export function topHelp(): string {
  return [
    '',
    'switchyard: serve ML models behind online endpoints and roll new versions out safely.',
    'Same commands and YAML files as `az ml` (online endpoints, deployments, models, environments).',
    '',
    'Usage: switchyard GROUP COMMAND [ARGS]',
    '',
    'Groups:',
    ...entries(GROUPS),
    '',
    'Commands:',
    ...entries(TOP_COMMANDS),
    '',
    'Connection: SWITCHYARD_URL (default http://127.0.0.1:7070), SWITCHYARD_TOKEN (default: the admin',
    'token of a local server, or `switchyard configure`).',
    'Exit codes: 0 success, 1 error, 2 usage error.',
    '',
  ].join('\n') + '\n';
}
