// Which store a server uses, from `--store` / SWITCHYARD_STORE: unset or `sqlite` is the embedded SQLite
// file `<data-dir>/switchyard.db` (the default, one server); a `postgres://` (or `postgresql://`) URL is
// a PostgreSQL database that several control-plane replicas share (docs/store.md).
import { join } from 'node:path';
import { SwitchyardError } from '../errors.js';
import type { Store } from './store.js';
import type { SecretCipher } from './secret-cipher.js';
import { SqliteStore } from './sqlite-store.js';
import { PgStore, redactUrl } from './pg-store.js';

export type StoreSetting = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export function parseStoreSetting(raw: string | undefined): StoreSetting {
  const value = raw?.trim();
  if (!value || value === 'sqlite') return { kind: 'sqlite' };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      if (!url.hostname && !url.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new SwitchyardError('InvalidValue', `--store (SWITCHYARD_STORE): ${redactUrl(value)} is not a valid PostgreSQL URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    return { kind: 'postgres', url: value };
  }
  throw new SwitchyardError('InvalidValue',
    `--store (SWITCHYARD_STORE) must be sqlite (the default: <data-dir>/switchyard.db) or a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL, got ${JSON.stringify(value.replace(/:[^:@/]*@/, ':***@'))}`);
}

/** Where the setting points, for logs and messages (never the password). */
export function describeStore(setting: StoreSetting, dataDir: string): string {
  return setting.kind === 'sqlite' ? join(dataDir, 'switchyard.db') : redactUrl(setting.url);
}

export async function openStore(setting: StoreSetting, dataDir: string, cipher: SecretCipher): Promise<Store> {
  if (setting.kind === 'sqlite') return new SqliteStore(join(dataDir, 'switchyard.db'), { cipher });
  return PgStore.open(setting.url, { cipher });
}
