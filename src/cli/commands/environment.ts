// `switchyard environment create|show|list`: registered environment assets (docs/compatibility.md, "Models and environments").
import { resolve } from 'node:path';
import { composeDocument } from '../yaml/compose.js';
// The YAML schema (TypeBox + Ajv) loads only when a command reads a file: other commands start faster (issue 16).
const environmentDoc = () => import('../yaml/environment.js');
import type { SwitchyardClient } from '../../sdk/client.js';
import { FLAG, defineCommand } from '../command.js';
import { assetList, assetShow } from './asset-read.js';
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
    const { body } = (await environmentDoc()).loadEnvironmentDoc(loaded.doc, loaded.source);
    return ctx.client().createEnvironment(body);
  },
});

const reads = {
  group: GROUP,
  get: (c: SwitchyardClient, name: string, version: string) => c.getEnvironment(name, version),
  list: (c: SwitchyardClient) => c.listEnvironments(),
  versions: (c: SwitchyardClient, name: string) => c.listEnvironmentVersions(name),
} as const;

export const environmentShow = assetShow(reads);
export const environmentList = assetList(reads);

export const environmentCommands = [environmentCreate, environmentShow, environmentList];
