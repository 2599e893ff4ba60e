// Who may read the data dir. Everything the server keeps there (admin-token, master-key, the SQLite
// file, artifacts, logs, pid records) is for the server alone: files 0600, folders 0700, whatever an
// older version or the umask left. When instances run as another user, they reach their staged files
// through the instance dir: <data-dir>/deployments when the instance user can get to the data dir
// (which then becomes 0711: searchable, not listable), otherwise a folder of its own under
// /var/lib/switchyard/instances/. See docs/security.md ("Instance isolation").
import { createHash } from 'node:crypto';
import { chmod, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where staged files live when `--instance-dir` does not say. */
export async function defaultInstanceDir(dataDir: string, isolated: boolean): Promise<string> {
  const inside = join(dataDir, 'deployments');
  if (!isolated || (await othersCanSearch(dirname(dataDir)))) return inside;
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join('/var/lib/switchyard/instances', id);
}

/** Can users other than the owner reach `dir` (search permission on it and on every folder above)? */
async function othersCanSearch(dir: string): Promise<boolean> {
  for (let d = dir; ; d = dirname(d)) {
    if (((await stat(d)).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * Makes every entry of the data dir private to the server (0600 files, 0700 folders), except the
 * instance dir, which the runtime opens itself. Not recursive: a private folder hides what it holds.
 */
export async function privatiseDataDir(dataDir: string, instanceDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    const path = join(dataDir, name);
    if (path === instanceDir) continue;
    const info = await lstat(path);
    if (info.isSymbolicLink()) continue;
    const wanted = info.isDirectory() ? 0o700 : 0o600;
    if ((info.mode & 0o777) !== wanted) await chmod(path, wanted);
  }
}
