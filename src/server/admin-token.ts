// The admin token of the control API (principal `admin`, role Owner) in `<data-dir>/admin-token`, or in
// the file `--admin-token-file` / SWITCHYARD_ADMIN_TOKEN_FILE names (every replica of a shared
// PostgreSQL store is given the same file: docs/scale-out.md).
import { join, resolve } from 'node:path';
import { ensureSecretFile } from './secret-file.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export async function ensureAdminToken(dataDir: string, file?: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = file ? resolve(file) : join(dataDir, ADMIN_TOKEN_FILE);
  const { value: token, created } = await ensureSecretFile(path);
  if (token.length < 16) {
    throw new Error(`${path} holds no usable token (fewer than 16 characters); delete it and restart to create a new one.`);
  }
  return { token, path, created };
}
