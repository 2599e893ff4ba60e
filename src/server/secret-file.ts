// A secret the server keeps in its data dir (admin token, master key): 32 random bytes, base64url,
// created on first start with mode 0600 so only the server's user (and the CLI run by them) reads it.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';

export async function ensureSecretFile(path: string): Promise<{ value: string; created: boolean }> {
  try {
    // 'wx': never overwrite a secret another process created meanwhile.
    await writeFile(path, randomBytes(32).toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
    return { value: (await readFile(path, 'utf8')).trim(), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // Someone may have loosened it (copied the data dir with another umask): tighten it again.
  await chmod(path, 0o600).catch(() => {});
  return { value: (await readFile(path, 'utf8')).trim(), created: false };
}
