// The admin token of the control API: 32 random bytes (base64url) in `<data-dir>/admin-token`, created
// on first start with mode 0600 so only the server's user (and the CLI run by them) can read it.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin-token';

export async function ensureAdminToken(dataDir: string): Promise<{ token: string; path: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    await writeFile(path, randomBytes(32).toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
    return { token: (await readFile(path, 'utf8')).trim(), path, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // Someone may have loosened it (copied the data dir with another umask): tighten it again.
  await chmod(path, 0o600).catch(() => {});
  const token = (await readFile(path, 'utf8')).trim();
  if (token.length < 16) {
    throw new Error(`${path} holds no usable token (fewer than 16 characters); delete it and restart to create a new one.`);
  }
  return { token, path, created: false };
}
