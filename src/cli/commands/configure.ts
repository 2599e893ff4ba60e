// `switchyard configure --url URL --token TOKEN`: saves the server address and credential to
// ~/.switchyard/cli.json (mode 0600), read back as defaults (see connection.ts). Without flags it shows
// the configuration in use, the token masked.
import { DEFAULT_URL, configFile, readConfig, resolveConnection, writeConfig } from '../connection.js';
import { defineCommand } from '../command.js';
import { str } from '../flags.js';

const mask = (t: string | undefined): string | null => (t ? `${t.slice(0, 4)}…${t.length > 8 ? t.slice(-2) : ''}` : null);

export const configure = defineCommand<{ url?: string; token?: string }>({
  name: 'configure',
  summary: 'Save the server URL and token the CLI uses by default.',
  flags: [
    { name: 'url', kind: 'string', value: 'URL', help: `Control plane URL. Default: ${DEFAULT_URL}.` },
    { name: 'token', kind: 'string', value: 'TOKEN', help: 'Bearer token for the control plane (the admin token or one made for you).' },
  ],
  examples: ['switchyard configure --url http://10.0.0.5:7070 --token "$(cat admin-token)"'],
  options: (v) => ({ url: str(v, 'url'), token: str(v, 'token') }),
  async run(o, ctx) {
    if (o.url !== undefined || o.token !== undefined) {
      const current = readConfig(ctx.home);
      const next = { ...current, ...(o.url !== undefined ? { url: o.url } : {}), ...(o.token !== undefined ? { token: o.token } : {}) };
      writeConfig(ctx.home, next);
    }
    const saved = readConfig(ctx.home);
    const inUse = resolveConnection(ctx.env, ctx.home);
    return {
      file: configFile(ctx.home),
      saved: { url: saved.url ?? null, token: mask(saved.token) },
      inUse: { url: inUse.url, token: mask(inUse.token) },
    };
  },
});
