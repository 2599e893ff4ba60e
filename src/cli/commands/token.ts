// `switchyard token create|list|revoke`: control-plane bearer tokens (Owner only). A token is bound to a
// principal name and a role (Owner, Contributor, Reader); create prints it once, list never does.
import { SwitchyardError } from '../../errors.js';
import type { AccessRole } from '../../sdk/types.js';
import { defineCommand } from '../command.js';
import { str } from '../flags.js';

const GROUP = 'token';
const ROLES = ['Owner', 'Contributor', 'Reader', 'Switchyard Gateway'];

/** `30d`, `12h`, `90m`, `3600s` or a bare number of seconds → seconds. */
export function parseDuration(raw: string, flag: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/i.exec(raw.trim());
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[(m?.[2] ?? '').toLowerCase() as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  const n = m ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new SwitchyardError('UsageError', `argument --${flag}: expected a duration such as 30d, 12h, 90m or 3600s, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export const tokenCreate = defineCommand<{ name: string; role: AccessRole; expiresIn?: number }>({
  group: GROUP,
  name: 'create',
  summary: 'Create a bearer token for a principal with a role. The token is shown only this once.',
  flags: [
    { name: 'name', short: 'n', kind: 'string', value: 'PRINCIPAL', required: true, help: "Who the token is for (1-64 characters: letters, digits, '.', '_', '@', '-')." },
    { name: 'role', short: 'r', kind: 'string', value: 'ROLE', required: true, choices: ROLES, help: 'Owner (everything, tokens and audit too), Contributor (every resource, keys included), Reader (read only, no keys), or Switchyard Gateway (a standalone gateway: routing snapshots only, docs/gateway.md).' },
    { name: 'expires-in', kind: 'string', value: 'DURATION', help: 'Lifetime, e.g. 30d, 12h, 90m (1 minute to 10 years). Default: until revoked.' },
  ],
  examples: [
    'export SWITCHYARD_TOKEN=$(switchyard token create --name ci --role Reader -o tsv --query token)',
    'switchyard token create --name contractor --role Contributor --expires-in 30d',
    'export SWITCHYARD_TOKEN=$(switchyard token create --name edge-1 --role "Switchyard Gateway" -o tsv --query token)',
  ],
  options: (v) => {
    const expires = str(v, 'expires-in');
    return { name: str(v, 'name')!, role: str(v, 'role') as AccessRole, ...(expires === undefined ? {} : { expiresIn: parseDuration(expires, 'expires-in') }) };
  },
  async run(o, ctx) {
    const t = await ctx.client().createAccessToken(o.name, o.role, o.expiresIn);
    return { name: t.name, role: t.role, token: t.token, created_at: t.created_at, ...(t.expires_at ? { expires_at: t.expires_at } : {}), id: t.id };
  },
});

export const tokenList = defineCommand<Record<string, never>>({
  group: GROUP,
  name: 'list',
  summary: 'List the tokens not revoked (never the tokens themselves).',
  flags: [],
  options: () => ({}),
  run: (_o, ctx) => ctx.client().listAccessTokens(),
});

export const tokenRevoke = defineCommand<{ name?: string; id?: string }>({
  group: GROUP,
  name: 'revoke',
  summary: 'Revoke a token by --id, or every token of a principal by --name. They fail from the next request on.',
  flags: [
    { name: 'name', short: 'n', kind: 'string', value: 'PRINCIPAL', help: 'Revoke every token of this principal.' },
    { name: 'id', kind: 'string', value: 'ID', help: 'Revoke the token with this id (see `token list`).' },
  ],
  examples: ['switchyard token revoke --name ci', 'switchyard token revoke --id 3f0c...'],
  options: (v) => {
    const name = str(v, 'name');
    const id = str(v, 'id');
    if ((name === undefined) === (id === undefined)) throw new SwitchyardError('UsageError', 'give either --name or --id');
    return { name, id };
  },
  async run(o, ctx) {
    const client = ctx.client();
    if (o.id !== undefined) return [await client.revokeAccessToken(o.id)];
    const ids = (await client.listAccessTokens()).filter((t) => t.name === o.name).map((t) => t.id);
    if (!ids.length) throw new SwitchyardError('TokenNotFound', `No token of principal ${JSON.stringify(o.name)} is active. See \`switchyard token list\`.`);
    const revoked = [];
    for (const id of ids) revoked.push(await client.revokeAccessToken(id));
    return revoked;
  },
});

export const tokenCommands = [tokenCreate, tokenList, tokenRevoke];
