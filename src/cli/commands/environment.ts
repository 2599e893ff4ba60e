// `switchyard environment create|show|list`: registered environment assets (SPEC §1.3).
import { resolve } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import { composeDocument } from '../../spec/yaml-compose.js';
import { loadEnvironmentDoc } from '../../spec/yaml-environment.js';
import { FLAG, defineCommand } from '../command.js';
import { list, str } from '../flags.js';

const GROUP = 'environment';

interface CreateOptions {
  file?: string; name?: string; version?: string; image?: string; condaFile?: string; description?: string; sets: string[];
}

export const environmentCreate = defineCommand<CreateOptions>({
  group: GROUP,
  name: 'create',
  summary: 'Register an environment (image, conda file, interpreter or command) as a versioned asset.',
  flags: [
    FLAG.file,
    { name: 'name', short: 'n', kind: 'string', value: 'NAME', help: 'Name of the environment.' },
    { name: 'version', short: 'v', kind: 'string', value: 'VERSION', help: 'Version of the environment (default: the next number).' },
    { name: 'image', short: 'i', kind: 'string', value: 'IMAGE', help: 'Docker image (recorded; the local runtime runs the scoring host itself).' },
    { name: 'conda-file', short: 'c', kind: 'string', value: 'PATH', help: 'Local conda YAML file (relative to the working directory).' },
    { name: 'description', short: 'd', kind: 'string', value: 'TEXT', help: 'Description of the environment.' },
    FLAG.set,
  ],
  examples: ['switchyard environment create --name sklearn-env --version 1 --image python:3.11 --conda-file conda.yaml'],
  options: (v) => ({
    file: str(v, 'file'), name: str(v, 'name'), version: str(v, 'version'), image: str(v, 'image'),
    condaFile: str(v, 'conda-file'), description: str(v, 'description'), sets: list(v, 'set'),
  }),
  async run(o, ctx) {
    const loaded = composeDocument({
      file: o.file,
      sets: o.sets,
      overrides: {
        name: o.name, version: o.version, image: o.image, description: o.description,
        conda_file: o.condaFile && resolve(ctx.cwd, o.condaFile),
      },
      cwd: ctx.cwd,
    });
    const { body } = loadEnvironmentDoc(loaded.doc, loaded.source);
    return ctx.client().createEnvironment(body);
  },
});

export const environmentShow = defineCommand<{ name: string; version: string }>({
  group: GROUP,
  name: 'show',
  summary: 'Show an environment version (--version, or --label latest).',
  flags: [
    { name: 'name', short: 'n', kind: 'string', value: 'NAME', required: true, help: 'Name of the environment.' },
    { name: 'version', short: 'v', kind: 'string', value: 'VERSION', help: 'Version of the environment.' },
    { name: 'label', short: 'l', kind: 'string', value: 'LABEL', help: 'Label of the version: latest.' },
  ],
  options: (v) => {
    const version = str(v, 'version');
    const label = str(v, 'label');
    if (version && label) throw new SwitchyardError('UsageError', 'give --version or --label, not both');
    if (label && label !== 'latest') throw new SwitchyardError('UsageError', `argument --label/-l: the only label is 'latest', got '${label}'`);
    return { name: str(v, 'name')!, version: version ?? 'latest' };
  },
  run: (o, ctx) => ctx.client().getEnvironment(o.name, o.version),
});

export const environmentList = defineCommand<{ name?: string }>({
  group: GROUP,
  name: 'list',
  summary: 'List environments (the latest version of each), or every version of one with --name.',
  flags: [{ name: 'name', short: 'n', kind: 'string', value: 'NAME', help: 'List the versions of this environment.' }],
  options: (v) => ({ name: str(v, 'name') }),
  run: (o, ctx) => (o.name ? ctx.client().listEnvironmentVersions(o.name) : ctx.client().listEnvironments()),
});

export const environmentCommands = [environmentCreate, environmentShow, environmentList];
