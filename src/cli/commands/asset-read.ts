// `show` and `list` of the registered assets (`model`, `environment`): the same grammar for both, as
// in `az ml model show|list` and `az ml environment show|list`.
import { SwitchyardError } from '../../errors.js';
import type { SwitchyardClient } from '../../sdk/client.js';
import { defineCommand } from '../command.js';
import { str } from '../flags.js';

interface AssetReads {
  /** The command group and the noun in help texts: 'model' or 'environment'. */
  group: 'model' | 'environment';
  get(client: SwitchyardClient, name: string, version: string): Promise<unknown>;
  list(client: SwitchyardClient): Promise<unknown>;
  versions(client: SwitchyardClient, name: string): Promise<unknown>;
}

export function assetShow(a: AssetReads) {
  return defineCommand<{ name: string; version: string }>({
    group: a.group,
    name: 'show',
    summary: `Show ${a.group === 'model' ? 'a model' : 'an environment'} version (--version, or --label latest).`,
    flags: [
      { name: 'name', short: 'n', kind: 'string', value: 'NAME', required: true, help: `Name of the ${a.group}.` },
      { name: 'version', short: 'v', kind: 'string', value: 'VERSION', help: `Version of the ${a.group}.` },
      { name: 'label', short: 'l', kind: 'string', value: 'LABEL', help: 'Label of the version: latest.' },
    ],
    options: (v) => {
      const version = str(v, 'version');
      const label = str(v, 'label');
      if (version && label) throw new SwitchyardError('UsageError', 'give --version or --label, not both');
      if (label && label !== 'latest') throw new SwitchyardError('UsageError', `argument --label/-l: the only label is 'latest', got '${label}'`);
      return { name: str(v, 'name')!, version: version ?? 'latest' };
    },
    run: (o, ctx) => a.get(ctx.client(), o.name, o.version),
  });
}

export function assetList(a: AssetReads) {
  return defineCommand<{ name?: string }>({
    group: a.group,
    name: 'list',
    summary: `List ${a.group}s (the latest version of each), or every version of one with --name.`,
    flags: [{ name: 'name', short: 'n', kind: 'string', value: 'NAME', help: `List the versions of this ${a.group}.` }],
    options: (v) => ({ name: str(v, 'name') }),
    run: (o, ctx) => (o.name ? a.versions(ctx.client(), o.name) : a.list(ctx.client())),
  });
}
