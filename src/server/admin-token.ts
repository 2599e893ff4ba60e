// The admin token of the control API (principal `admin`, role Owner) in `<data-dir>/admin-token`.
import { join } from 'node:path';
import { ensureSecretFile } from './secret-file.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export async function ensureAdminToken(dataDir: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  const { value: token, created } = await ensureSecretFile(path);
  if (token.length < 16) {
    throw new Error(`${path} holds no usable token (fewer than 16 characters); delete it and restart to create a new one.`);
  }
  return { token, path, created };
}
