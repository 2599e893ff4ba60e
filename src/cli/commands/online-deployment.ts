// `switchyard online-deployment ...`: create, update, show, list, delete, get-logs, metrics (docs/compatibility.md, "Command line"),
// and the extension `manifests` (docs/kubernetes.md).
import { SwitchyardError } from '../../errors.js';
import type { DeploymentPatch, DeploymentView, LogContainer } from '../../sdk/types.js';
import type { EnvironmentBinding } from '../../spec/types.js';
import { applyOverrides, composeDocument, loadBaseDocument } from '../yaml/compose.js';
// The YAML schema (TypeBox + Ajv) loads only when a command reads a file: other commands start faster (issue 16).
const deploymentDoc = () => import('../yaml/deployment.js');
import { FLAG, defineCommand, type Context } from '../command.js';
import { confirmOrRefuse } from '../confirm.js';
import { bool, list, num, str, type FlagDef } from '../flags.js';
import { RawText } from '../output.js';
import { keysToSeed, seedFrom } from '../update-seed.js';
import { uploadPending } from '../uploads.js';
import { awaitOperation } from '../wait.js';

const GROUP = 'online-deployment';
const nameFlag = (required: boolean): FlagDef => ({ name: 'name', short: 'n', kind: 'string', value: 'NAME', required, help: 'Name of the deployment.' });
const endpointFlag = (required: boolean): FlagDef => ({ name: 'endpoint-name', short: 'e', kind: 'string', value: 'NAME', required, help: 'Name of the endpoint.' });

/** "Creating, 1/2 instances ready" for the spinner. */
const stateOf = (ctx: Context, endpoint: string, name: string) => async (): Promise<string | undefined> => {
  const d = await ctx.client().getDeployment(endpoint, name);
  const ready = (d.instances ?? []).filter((i) => i.state === 'Ready').length;
  return `${d.provisioning_state}, ${ready}/${d.instance_count} instances ready`;
};

const logsHint = (endpoint: string, name: string): string =>
  `See the logs: switchyard online-deployment get-logs -n ${name} -e ${endpoint} (add --container storage-initializer for the staging of model and code)`;

/** The current deployment in input form, to seed `--set` paths into (see update-seed.ts). */
function viewAsInput(view: DeploymentView): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...(view.extra ?? {}), ...view };
  // The view shows a registered environment as its reference, an inline one as its fields.
  const env = view.environment as EnvironmentBinding | string | undefined;
  if (env && typeof env === 'object') {
    if (env.registered && env.name && env.version) doc.environment = `azureml:${env.name}:${env.version}`;
    else {
      const { name: _n, version: _v, registered: _r, ...inline } = env;
      doc.environment = inline;
    }
  }
  return doc;
}

// --- create ---------------------------------------------------------------------------------------
interface CreateOptions {
  name?: string; endpoint?: string; file?: string; sets: string[]; noWait: boolean; allTraffic: boolean; skipScriptValidation: boolean;
}

export const deploymentCreate = defineCommand<CreateOptions>({
  group: GROUP,
  name: 'create',
  summary: 'Create a deployment. Waits until it is Succeeded or Failed unless --no-wait.',
  flags: [
    nameFlag(false),
    endpointFlag(false),
    FLAG.file,
    { name: 'all-traffic', kind: 'boolean', help: 'Once the deployment succeeds, send 100% of the endpoint\'s traffic to it. Not with --no-wait.' },
    FLAG.set,
    FLAG.noWait,
    { name: 'skip-script-validation', kind: 'boolean', help: 'Do not check that the scoring script exists in the code folder.' },
    { name: 'local', kind: 'boolean', hidden: true, help: 'Accepted for az ml compatibility (every deployment here is local).' },
  ],
  examples: ['switchyard online-deployment create --name blue --endpoint-name my-endpoint -f blue-deployment.yml --all-traffic'],
  options: (v) => {
    const o: CreateOptions = {
      name: str(v, 'name'), endpoint: str(v, 'endpoint-name'), file: str(v, 'file'), sets: list(v, 'set'),
      noWait: bool(v, 'no-wait'), allTraffic: bool(v, 'all-traffic'), skipScriptValidation: bool(v, 'skip-script-validation'),
    };
    if (o.allTraffic && o.noWait) {
      throw new SwitchyardError('UsageError', '--all-traffic needs the deployment to succeed first, so it does not work with --no-wait; drop one of them');
    }
    return o;
  },
  async run(o, ctx) {
    const loaded = composeDocument({ file: o.file, sets: o.sets, overrides: { name: o.name, endpoint_name: o.endpoint }, cwd: ctx.cwd });
    const { body, uploads } = (await deploymentDoc()).loadDeploymentDoc(loaded.doc, loaded.source, { skipScriptValidation: o.skipScriptValidation });
    const client = ctx.client();
    const endpoint = body.endpoint_name!;
    await uploadPending(client, body, uploads, ctx.io);
    const accepted = await client.createDeployment(endpoint, body);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, {
      label: `Creating deployment ${body.name} of ${endpoint}`,
      describe: stateOf(ctx, endpoint, body.name),
      hint: logsHint(endpoint, body.name),
    });
    if (o.allTraffic) {
      const traffic = await client.updateEndpoint(endpoint, { traffic: { [body.name]: 100 } });
      await awaitOperation(ctx, traffic.operation, { label: `Sending all traffic of ${endpoint} to ${body.name}` });
    }
    return client.getDeployment(endpoint, body.name);
  },
});

// --- update ---------------------------------------------------------------------------------------
interface UpdateOptions { name?: string; endpoint?: string; file?: string; sets: string[]; noWait: boolean; skipScriptValidation: boolean }

export const deploymentUpdate = defineCommand<UpdateOptions>({
  group: GROUP,
  name: 'update',
  summary: 'Update a deployment. Fields not named are kept; instance_count alone scales, other changes roll instances over.',
  flags: [
    nameFlag(false),
    endpointFlag(false),
    FLAG.file,
    FLAG.set,
    FLAG.noWait,
    { name: 'skip-script-validation', kind: 'boolean', help: 'Do not check that the scoring script exists in the code folder.' },
    { name: 'local', kind: 'boolean', hidden: true, help: 'Accepted for az ml compatibility.' },
  ],
  examples: [
    'switchyard online-deployment update -n blue -e my-endpoint --set instance_count=2',
    'switchyard online-deployment update -n blue -e my-endpoint --set environment_variables.LOG_LEVEL=debug',
  ],
  options: (v) => ({
    name: str(v, 'name'), endpoint: str(v, 'endpoint-name'), file: str(v, 'file'), sets: list(v, 'set'),
    noWait: bool(v, 'no-wait'), skipScriptValidation: bool(v, 'skip-script-validation'),
  }),
  async run(o, ctx) {
    const client = ctx.client();
    const loaded = loadBaseDocument(o.file, ctx.cwd);
    const fileStr = (k: string): string | undefined => (typeof loaded.doc[k] === 'string' ? (loaded.doc[k] as string) : undefined);
    const name = o.name ?? fileStr('name');
    const endpoint = o.endpoint ?? fileStr('endpoint_name');
    if (!name || !endpoint) {
      throw new SwitchyardError('UsageError', 'the following arguments are required: --name/-n and --endpoint-name/-e (or name: and endpoint_name: in the --file)');
    }
    const seed = keysToSeed(loaded.doc, o.sets);
    if (seed.length) seedFrom(loaded.doc, seed, viewAsInput(await client.getDeployment(endpoint, name)));
    applyOverrides(loaded, o.sets, { name, endpoint_name: endpoint });
    const { body, uploads } = (await deploymentDoc()).loadDeploymentDoc(loaded.doc, loaded.source, { requireNames: false, skipScriptValidation: o.skipScriptValidation });
    await uploadPending(client, body, uploads, ctx.io);
    const { name: _n, endpoint_name: _e, ...patch } = body;
    if (!Object.keys(patch).length) {
      throw new SwitchyardError('UsageError', 'nothing to update: pass --set key=value or a --file with the fields to change');
    }
    const accepted = await client.updateDeployment(endpoint, name, patch as DeploymentPatch);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, {
      label: `Updating deployment ${name} of ${endpoint}`,
      describe: stateOf(ctx, endpoint, name),
      hint: logsHint(endpoint, name),
    });
    return client.getDeployment(endpoint, name);
  },
});

// --- show / list ----------------------------------------------------------------------------------
export const deploymentShow = defineCommand<{ name: string; endpoint: string }>({
  group: GROUP,
  name: 'show',
  summary: 'Show the details of a deployment.',
  flags: [nameFlag(true), endpointFlag(true)],
  options: (v) => ({ name: str(v, 'name')!, endpoint: str(v, 'endpoint-name')! }),
  run: (o, ctx) => ctx.client().getDeployment(o.endpoint, o.name),
});

export const deploymentList = defineCommand<{ endpoint: string }>({
  group: GROUP,
  name: 'list',
  summary: 'List the deployments of an endpoint.',
  flags: [endpointFlag(true)],
  options: (v) => ({ endpoint: str(v, 'endpoint-name')! }),
  run: (o, ctx) => ctx.client().listDeployments(o.endpoint),
});

// --- delete ---------------------------------------------------------------------------------------
export const deploymentDelete = defineCommand<{ name: string; endpoint: string; yes: boolean; noWait: boolean }>({
  group: GROUP,
  name: 'delete',
  summary: 'Delete a deployment (set its traffic to 0 first).',
  flags: [nameFlag(true), endpointFlag(true), FLAG.yes, FLAG.noWait],
  examples: ['switchyard online-deployment delete --name blue --endpoint my-endpoint --yes --no-wait'],
  options: (v) => ({ name: str(v, 'name')!, endpoint: str(v, 'endpoint-name')!, yes: bool(v, 'yes'), noWait: bool(v, 'no-wait') }),
  async run(o, ctx) {
    await confirmOrRefuse(ctx.io, o.yes, `Deployment ${o.name} of endpoint ${o.endpoint} will be deleted.`);
    const accepted = await ctx.client().deleteDeployment(o.endpoint, o.name);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, { label: `Deleting deployment ${o.name} of ${o.endpoint}` });
    return undefined;
  },
});

// --- logs and metrics -----------------------------------------------------------------------------
export const deploymentGetLogs = defineCommand<{ name: string; endpoint: string; lines: number; container?: LogContainer }>({
  group: GROUP,
  name: 'get-logs',
  summary: 'Show the logs of a deployment\'s instances.',
  flags: [
    nameFlag(true),
    endpointFlag(true),
    { name: 'lines', short: 'l', kind: 'number', value: 'N', help: 'Maximum number of lines to show (the last ones). Default: 5000.' },
    { name: 'container', short: 'c', kind: 'string', value: 'NAME', choices: ['inference-server', 'storage-initializer'], help: 'inference-server (default) or storage-initializer.' },
  ],
  examples: ['switchyard online-deployment get-logs -n blue -e my-endpoint --lines 50'],
  options: (v) => {
    const lines = num(v, 'lines') ?? 5000;
    if (!Number.isInteger(lines) || lines < 1) throw new SwitchyardError('UsageError', `argument --lines/-l: expected a positive whole number, got ${lines}`);
    return { name: str(v, 'name')!, endpoint: str(v, 'endpoint-name')!, lines, container: str(v, 'container') as LogContainer | undefined };
  },
  async run(o, ctx) {
    return new RawText(await ctx.client().getLogs(o.endpoint, o.name, { lines: o.lines, container: o.container }));
  },
});

export const deploymentMetrics = defineCommand<{ name: string; endpoint: string }>({
  group: GROUP,
  name: 'metrics',
  summary: 'Show the gateway\'s counters for a deployment (requests, errors, latency, mirror copies).',
  flags: [nameFlag(true), endpointFlag(true)],
  options: (v) => ({ name: str(v, 'name')!, endpoint: str(v, 'endpoint-name')! }),
  run: (o, ctx) => ctx.client().getDeploymentMetrics(o.endpoint, o.name),
});

export const deploymentManifests = defineCommand<{ name: string; endpoint: string }>({
  group: GROUP,
  name: 'manifests',
  summary: 'Print, as YAML, the Kubernetes objects the Kubernetes backend applies for a deployment (Secret values left out). Extension.',
  flags: [nameFlag(true), endpointFlag(true)],
  examples: ['switchyard online-deployment manifests --name blue --endpoint my-endpoint > blue.yaml'],
  options: (v) => ({ name: str(v, 'name')!, endpoint: str(v, 'endpoint-name')! }),
  async run(o, ctx) {
    const list = await ctx.client().getDeploymentManifests(o.endpoint, o.name);
    const { stringify } = await import('yaml');
    // One YAML document per object, in the order they are applied; `kubectl apply -f` reads it as is.
    return new RawText(list.items.map((item) => stringify(item, { aliasDuplicateObjects: false, lineWidth: 0 })).join('---\n'));
  },
});

export const onlineDeploymentCommands = [
  deploymentCreate, deploymentUpdate, deploymentShow, deploymentList, deploymentDelete, deploymentGetLogs, deploymentMetrics, deploymentManifests,
];
