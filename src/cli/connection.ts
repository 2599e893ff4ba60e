// Where the CLI finds its server and credential:
// - URL: SWITCHYARD_URL, else the url saved by `switchyard configure`, else http://127.0.0.1:7070.
// - Token: SWITCHYARD_TOKEN; else the token saved by `configure` when the URL in use is the one saved
//   with it (that pair was configured on purpose); else `<SWITCHYARD_DATA_DIR or ~/.switchyard>/admin-token`
//   (written by a local `switchyard serve`); else any saved token.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SwitchyardError } from '../errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:7070';

export interface CliConfig {
  url?: string;
  token?: string;
}

export interface Connection {
  url: string;
  token?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export const configFile = (home: string): string => join(home, '.switchyard', 'cli.json');
export const dataDirOf = (env: Env, home: string): string => env.SWITCHYARD_DATA_DIR || join(home, '.switchyard');

export function readConfig(home: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(configFile(home), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as CliConfig;
    return {
      url: typeof parsed.url === 'string' ? parsed.url : undefined,
      token: typeof parsed.token === 'string' ? parsed.token : undefined,
    };
  } catch {
    throw new SwitchyardError('InvalidValue', `${configFile(home)} is not valid JSON; fix it or run \`switchyard configure --url URL --token TOKEN\``);
  }
}

export function writeConfig(home: string, config: CliConfig): string {
  const file = configFile(home);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

function readAdminToken(env: Env, home: string): string | undefined {
  try {
    const t = readFileSync(join(dataDirOf(env, home), 'admin-token'), 'utf8').trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}

/** The server address must be an http(s) URL; anything else is a usage error, not a crash. */
function checkServerUrl(url: string, from: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new SwitchyardError('UsageError', `${from} is ${JSON.stringify(url)}, which is not an http(s) URL; use e.g. http://127.0.0.1:7070`);
  }
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export function resolveConnection(env: Env, home: string): Connection {
  const config = readConfig(home);
  const url = env.SWITCHYARD_URL || config.url || DEFAULT_URL;
  checkServerUrl(url, env.SWITCHYARD_URL ? 'SWITCHYARD_URL' : config.url ? 'the url saved by `switchyard configure`' : 'the default url');
  if (env.SWITCHYARD_TOKEN) return { url, token: env.SWITCHYARD_TOKEN };
  if (config.token && config.url && sameUrl(config.url, url)) return { url, token: config.token };
  const token = readAdminToken(env, home) ?? config.token;
  return token ? { url, token } : { url };
}
