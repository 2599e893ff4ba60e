// `switchyard online-endpoint ...`: create, show, list, update, delete, invoke, get-credentials,
// regenerate-keys (docs/compatibility.md, "Command line").
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SwitchyardError } from '../../errors.js';
import { score, scoringError } from '../../sdk/scoring.js';
import type { EndpointComparison, EndpointPatch, EndpointView, KeyType } from '../../sdk/types.js';
import { applyOverrides, composeDocument, loadBaseDocument } from '../yaml/compose.js';
// The YAML schema (TypeBox + Ajv) loads only when a command reads a file: other commands start faster (issue 16).
const endpointDoc = () => import('../yaml/endpoint.js');
import { FLAG, defineCommand, type Context } from '../command.js';
import { confirmOrRefuse } from '../confirm.js';
import { httpFetch } from '../http-fetch.js';
import { bool, list, str, type FlagDef } from '../flags.js';
import { parseTrafficFlag } from '../traffic.js';
import { keysToSeed, seedFrom } from '../update-seed.js';
import { awaitOperation } from '../wait.js';

const GROUP = 'online-endpoint';
const nameFlag = (required: boolean): FlagDef => ({ name: 'name', short: 'n', kind: 'string', value: 'NAME', required, help: 'Name of the endpoint.' });

const stateOf = (ctx: Context, name: string) => async (): Promise<string | undefined> =>
  (await ctx.client().getEndpoint(name)).provisioning_state;

async function credentialFor(ctx: Context, endpoint: EndpointView): Promise<string> {
  if (endpoint.auth_mode === 'aml_token') return (await ctx.client().getToken(endpoint.name)).accessToken;
  return (await ctx.client().listKeys(endpoint.name)).primaryKey;
}

// --- create ---------------------------------------------------------------------------------------
interface CreateOptions { name?: string; file?: string; authMode?: string; sets: string[]; noWait: boolean }

export const endpointCreate = defineCommand<CreateOptions>({
  group: GROUP,
  name: 'create',
  summary: 'Create an endpoint. Fails if it already exists.',
  flags: [
    nameFlag(false),
    FLAG.file,
    { name: 'auth-mode', kind: 'string', value: 'MODE', help: 'Authentication mode: key or aml_token. Default: key.' },
    FLAG.set,
    FLAG.noWait,
  ],
  examples: ['switchyard online-endpoint create --name my-endpoint -f endpoint.yml'],
  options: (v) => ({ name: str(v, 'name'), file: str(v, 'file'), authMode: str(v, 'auth-mode'), sets: list(v, 'set'), noWait: bool(v, 'no-wait') }),
  async run(o, ctx) {
    const loaded = composeDocument({ file: o.file, sets: o.sets, overrides: { name: o.name, auth_mode: o.authMode }, cwd: ctx.cwd });
    const { body } = (await endpointDoc()).loadEndpointDoc(loaded.doc, loaded.source);
    const client = ctx.client();
    const accepted = await client.createEndpoint(body);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, { label: `Creating endpoint ${body.name}`, describe: stateOf(ctx, body.name) });
    return client.getEndpoint(body.name);
  },
});

// --- show / list ----------------------------------------------------------------------------------
export const endpointShow = defineCommand<{ name: string }>({
  group: GROUP,
  name: 'show',
  summary: 'Show the details of an endpoint.',
  flags: [nameFlag(true)],
  examples: ['switchyard online-endpoint show -n my-endpoint --query traffic'],
  options: (v) => ({ name: str(v, 'name')! }),
  run: (o, ctx) => ctx.client().getEndpoint(o.name),
});

export const endpointList = defineCommand<Record<string, never>>({
  group: GROUP,
  name: 'list',
  summary: 'List endpoints.',
  flags: [],
  options: () => ({}),
  run: (_o, ctx) => ctx.client().listEndpoints(),
});

// --- update ---------------------------------------------------------------------------------------
interface UpdateOptions {
  name?: string; file?: string; sets: string[]; noWait: boolean;
  traffic?: Record<string, number>; mirror?: Record<string, number>;
  shadow?: Record<string, number>; sticky?: string;
}

export const endpointUpdate = defineCommand<UpdateOptions>({
  group: GROUP,
  name: 'update',
  summary: 'Update an endpoint: its traffic, mirror traffic, description, tags or auth mode.',
  flags: [
    nameFlag(false),
    FLAG.file,
    { name: 'traffic', short: 'r', kind: 'list', multi: true, value: 'TRAFFIC', help: 'Traffic split, e.g. "blue=90 green=10". Replaces the whole split.' },
    { name: 'mirror-traffic', kind: 'list', multi: true, value: 'TRAFFIC', help: 'Mirror traffic, e.g. "green=10" (one deployment, at most 50); "green=0" stops mirroring.' },
    { name: 'shadow-traffic', kind: 'list', multi: true, value: 'TRAFFIC', help: 'Switchyard extension: shadows, e.g. "green=50 purple=20" (any number, 0-100 each, live deployments allowed); answers are compared (online-endpoint compare). Replaces the whole map.' },
    { name: 'sticky-header', kind: 'string', value: 'HEADER', help: 'Switchyard extension: requests carrying this header (e.g. x-user-id) always reach the same deployment while the weights stay; "" turns it off.' },
    FLAG.set,
    FLAG.noWait,
  ],
  examples: [
    'switchyard online-endpoint update -n my-endpoint --traffic "blue=90 green=10"',
    'switchyard online-endpoint update -n my-endpoint --mirror-traffic "green=10"',
    'switchyard online-endpoint update -n my-endpoint --shadow-traffic "green=50 purple=20" --sticky-header x-user-id',
  ],
  options: (v) => {
    const traffic = list(v, 'traffic');
    const mirror = list(v, 'mirror-traffic');
    const shadow = list(v, 'shadow-traffic');
    return {
      shadow: shadow.length ? parseTrafficFlag(shadow, 'shadow-traffic') : undefined,
      sticky: str(v, 'sticky-header'),
      name: str(v, 'name'), file: str(v, 'file'), sets: list(v, 'set'), noWait: bool(v, 'no-wait'),
      traffic: traffic.length ? parseTrafficFlag(traffic, 'traffic') : undefined,
      mirror: mirror.length ? parseTrafficFlag(mirror, 'mirror-traffic') : undefined,
    };
  },
  async run(o, ctx) {
    const client = ctx.client();
    const loaded = loadBaseDocument(o.file, ctx.cwd);
    const name = o.name ?? (typeof loaded.doc.name === 'string' ? loaded.doc.name : undefined);
    if (!name) throw new SwitchyardError('UsageError', 'the following arguments are required: --name/-n (or name: in the --file)');
    const seed = keysToSeed(loaded.doc, o.sets);
    if (seed.length) seedFrom(loaded.doc, seed, (await client.getEndpoint(name)) as unknown as Record<string, unknown>);
    applyOverrides(loaded, o.sets, { name });
    const { loadEndpointDoc, toEndpointPatch } = await endpointDoc();
    const patch: EndpointPatch = toEndpointPatch(loadEndpointDoc(loaded.doc, loaded.source, { update: true }).body);
    if (o.traffic) patch.traffic = o.traffic;
    if (o.mirror) patch.mirror_traffic = o.mirror;
    if (o.shadow) patch.shadow_traffic = o.shadow;
    if (o.sticky !== undefined) patch.sticky_header = o.sticky;
    if (!Object.keys(patch).length) {
      throw new SwitchyardError('UsageError', 'nothing to update: pass --traffic, --mirror-traffic, --shadow-traffic, --sticky-header, --set or a --file with the fields to change');
    }
    const accepted = await client.updateEndpoint(name, patch);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, { label: `Updating endpoint ${name}`, describe: stateOf(ctx, name) });
    return client.getEndpoint(name);
  },
});

// --- delete ---------------------------------------------------------------------------------------
export const endpointDelete = defineCommand<{ name: string; yes: boolean; noWait: boolean }>({
  group: GROUP,
  name: 'delete',
  summary: 'Delete an endpoint and all its deployments.',
  flags: [nameFlag(true), FLAG.yes, FLAG.noWait],
  options: (v) => ({ name: str(v, 'name')!, yes: bool(v, 'yes'), noWait: bool(v, 'no-wait') }),
  async run(o, ctx) {
    await confirmOrRefuse(ctx.io, o.yes, `Endpoint ${o.name} and all its deployments will be deleted.`);
    const accepted = await ctx.client().deleteEndpoint(o.name);
    if (o.noWait) return undefined;
    await awaitOperation(ctx, accepted.operation, { label: `Deleting endpoint ${o.name}` });
    return undefined;
  },
});

// --- invoke ---------------------------------------------------------------------------------------
export const endpointInvoke = defineCommand<{ name: string; requestFile: string; deployment?: string }>({
  group: GROUP,
  name: 'invoke',
  summary: 'Invoke an endpoint with a request file; prints the response body.',
  flags: [
    nameFlag(true),
    { name: 'request-file', short: 'r', kind: 'string', value: 'PATH', required: true, help: 'File with the request body (JSON).' },
    { name: 'deployment-name', short: 'd', kind: 'string', value: 'NAME', help: 'Send the request to this deployment, whatever the traffic split.' },
  ],
  examples: ['switchyard online-endpoint invoke -n my-endpoint -r sample-request.json --deployment-name green'],
  options: (v) => ({ name: str(v, 'name')!, requestFile: str(v, 'request-file')!, deployment: str(v, 'deployment-name') }),
  async run(o, ctx) {
    const file = resolve(ctx.cwd, o.requestFile);
    let payload: Buffer;
    try {
      // A device or FIFO (e.g. /dev/zero) would be read without end.
      if (!(await stat(file)).isFile()) throw new SwitchyardError('UsageError', `argument --request-file/-r: ${file} is not a regular file`);
      payload = await readFile(file);
    } catch (e) {
      if (e instanceof SwitchyardError) throw e;
      throw new SwitchyardError('UsageError', `argument --request-file/-r: cannot read ${file}`);
    }
    const endpoint = await ctx.client().getEndpoint(o.name);
    const credential = await credentialFor(ctx, endpoint);
    const res = await score(endpoint.scoring_uri, payload, { credential, deployment: o.deployment, fetch: httpFetch });
    if (res.status < 200 || res.status >= 300) throw scoringError(res);
    // az prints the body as a JSON string.
    return res.body;
  },
});

// --- credentials ----------------------------------------------------------------------------------
export const endpointGetCredentials = defineCommand<{ name: string }>({
  group: GROUP,
  name: 'get-credentials',
  summary: 'Show the keys (key auth) or a token (aml_token auth) of an endpoint.',
  flags: [nameFlag(true)],
  examples: ['switchyard online-endpoint get-credentials -n my-endpoint -o tsv --query primaryKey'],
  options: (v) => ({ name: str(v, 'name')! }),
  async run(o, ctx) {
    const endpoint = await ctx.client().getEndpoint(o.name);
    return endpoint.auth_mode === 'aml_token' ? ctx.client().getToken(o.name) : ctx.client().listKeys(o.name);
  },
});

export const endpointRegenerateKeys = defineCommand<{ name: string; keyType: KeyType }>({
  group: GROUP,
  name: 'regenerate-keys',
  summary: 'Regenerate the primary or secondary key of an endpoint (the old one stops working at once). On an aml_token endpoint, rotate its token signing secret: every token issued so far stops working.',
  flags: [
    nameFlag(true),
    { name: 'key-type', kind: 'string', value: 'TYPE', choices: ['primary', 'secondary'], help: 'Which key to regenerate. Default: primary.' },
    FLAG.noWait,
  ],
  options: (v) => ({ name: str(v, 'name')!, keyType: (str(v, 'key-type') ?? 'primary') as KeyType }),
  async run(o, ctx) {
    await ctx.client().regenerateKeys(o.name, o.keyType);
    // As az: nothing printed; `get-credentials` shows the new keys.
    return undefined;
  },
});


// --- compare (extension) --------------------------------------------------------------------------
interface CompareOptions { name: string; deployment?: string; since?: string }

const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null): string => (v === null ? '-' : String(Number(v.toPrecision(4))));

export const endpointCompare = defineCommand<CompareOptions>({
  group: GROUP,
  name: 'compare',
  summary: 'Compare the answers of mirrored (shadow) deployments with the live answers (Switchyard extension).',
  flags: [
    nameFlag(true),
    { name: 'deployment', short: 'd', kind: 'string', value: 'NAME', help: 'Only this shadow deployment.' },
    { name: 'since', kind: 'string', value: 'TIME', help: 'Only pairs compared at or after this ISO 8601 time (default: the last hour).' },
  ],
  examples: [
    'switchyard online-endpoint compare --name my-endpoint',
    'switchyard online-endpoint compare --name my-endpoint --deployment green -o table',
  ],
  options: (v) => ({ name: str(v, 'name')!, deployment: str(v, 'deployment'), since: str(v, 'since') }),
  run: (o, ctx) => ctx.client().getComparison(o.name, { deployment: o.deployment, since: o.since }),
  tableRows: (result) => ((result as EndpointComparison).shadows ?? []).map((s) => ({
    deployment: s.deployment,
    kind: s.kind,
    pairs: s.pairs,
    agreement: pct(s.agreement),
    status_agreement: pct(s.status_agreement),
    abs_diff_p99: num(s.abs_diff.p99),
    live_p99_ms: num(s.latency_ms.live_p99),
    shadow_p99_ms: num(s.latency_ms.shadow_p99),
    shadow_errors: s.shadow_errors,
    dropped: s.dropped,
    shift: s.distribution === null ? '-' : s.distribution.shifted ? 'yes' : 'no',
  })),
});

export const onlineEndpointCommands = [
  endpointCreate, endpointShow, endpointList, endpointUpdate, endpointDelete, endpointInvoke,
  endpointGetCredentials, endpointRegenerateKeys, endpointCompare,
];
