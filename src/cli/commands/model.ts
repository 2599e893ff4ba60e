// `switchyard model create|show|list`: registered model assets (docs/compatibility.md, "Models and environments").
import { resolve } from 'node:path';
import { composeDocument } from '../yaml/compose.js';
// The YAML schema (TypeBox + Ajv) loads only when a command reads a file: other commands start faster (issue 16).
const modelDoc = () => import('../yaml/model.js');
import type { SwitchyardClient } from '../../sdk/client.js';
import { FLAG, defineCommand } from '../command.js';
import { assetList, assetShow } from './asset-read.js';
import { list, str } from '../flags.js';
import { uploadPending } from '../uploads.js';

const GROUP = 'model';

interface CreateOptions {
  file?: string; name?: string; version?: string; path?: string; type?: string; description?: string; sets: string[];
}

export const modelCreate = defineCommand<CreateOptions>({
  group: GROUP,
  name: 'create',
  summary: 'Register a model (a file or folder) as a versioned asset.',
  flags: [
    FLAG.file,
    { name: 'name', short: 'n', kind: 'string', value: 'NAME', help: 'Name of the model.' },
    { name: 'version', short: 'v', kind: 'string', value: 'VERSION', help: 'Version of the model (default: the next number).' },
    { name: 'path', short: 'p', kind: 'string', value: 'PATH', help: 'Local file or folder of the model (relative to the working directory).' },
    { name: 'type', short: 't', kind: 'string', value: 'TYPE', choices: ['custom_model', 'mlflow_model', 'triton_model'], help: 'Type of the model. Default: custom_model.' },
    { name: 'description', short: 'd', kind: 'string', value: 'TEXT', help: 'Description of the model.' },
    FLAG.set,
  ],
  examples: ['switchyard model create --name sklearn-model --version 1 --path ./model'],
  options: (v) => ({
    file: str(v, 'file'), name: str(v, 'name'), version: str(v, 'version'), path: str(v, 'path'),
    type: str(v, 'type'), description: str(v, 'description'), sets: list(v, 'set'),
  }),
  async run(o, ctx) {
    const loaded = composeDocument({
      file: o.file,
      sets: o.sets,
      // A --path on the command line is relative to the working directory, not to the file.
      overrides: { name: o.name, version: o.version, path: o.path && resolve(ctx.cwd, o.path), type: o.type, description: o.description },
      cwd: ctx.cwd,
    });
    const { body, uploads } = (await modelDoc()).loadModelDoc(loaded.doc, loaded.source);
    const client = ctx.client();
    await uploadPending(client, body, uploads, ctx.io);
    return client.createModel(body);
  },
});

const reads = {
  group: GROUP,
  get: (c: SwitchyardClient, name: string, version: string) => c.getModel(name, version),
  list: (c: SwitchyardClient) => c.listModels(),
  versions: (c: SwitchyardClient, name: string) => c.listModelVersions(name),
} as const;

export const modelShow = assetShow(reads);
export const modelList = assetList(reads);

export const modelCommands = [modelCreate, modelShow, modelList];
