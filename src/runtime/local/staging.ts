// The storage-initializer phase: lay out a revision's model and code under
// <instance dir>/<endpoint>/<deployment>/<revision>/ (the instance dir is <data-dir>/deployments unless
// the server says otherwise; instance-sandbox.ts sets who may read it) as the azureml images do:
//   azureml-models/<assetName>/<assetVersion>/<folder name>/...   (AZUREML_MODEL_DIR = .../<assetVersion>)
//   azureml-models/<assetName>/<assetVersion>/<file>               (a one-file model)
//   app/...                                                         (AML_APP_ROOT, the code folder)
// Files are hard-linked from the artifact store (copied where a link is impossible). A revision is
// staged once: a marker file says it is complete, and a half-done staging never becomes visible.
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readlink, rename, rm, stat, symlink, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeploymentTemplate } from '../backend.js';

export interface StagedRevision {
  root: string;
  /** AZUREML_MODEL_DIR, when the deployment has a model. */
  modelDir?: string;
  /** AML_APP_ROOT, when the deployment has code. */
  appDir?: string;
  /** False when an earlier call had already staged this revision. */
  created: boolean;
  files: number;
  bytes: number;
  copied: number;
}

const MARKER = '.staged';

/** File-system safe form of a name or revision (they are validated upstream; this is a second fence). */
export function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '.' || cleaned === '..' || cleaned === '' ? `_${cleaned}` : cleaned;
}

export function deploymentStagingDir(instanceDir: string, endpoint: string, deployment: string): string {
  return join(instanceDir, safeSegment(endpoint), safeSegment(deployment));
}

function layout(root: string, t: DeploymentTemplate): Omit<StagedRevision, 'created' | 'files' | 'bytes' | 'copied'> {
  return {
    root,
    ...(t.model ? { modelDir: join(root, 'azureml-models', safeSegment(t.model.assetName), safeSegment(t.model.assetVersion)) } : {}),
    ...(t.code ? { appDir: join(root, 'app') } : {}),
  };
}

interface Counts {
  files: number;
  bytes: number;
  copied: number;
}

async function linkOrCopy(from: string, to: string, counts: Counts): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP') throw e;
    await copyFile(from, to);
    counts.copied++;
  }
}

async function linkTree(from: string, to: string, counts: Counts): Promise<void> {
  const info = await stat(from);
  if (info.isFile()) {
    await linkOrCopy(from, to, counts);
    counts.files++;
    counts.bytes += info.size;
    return;
  }
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      await linkTree(src, dst, counts);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(src), dst);
    } else if (entry.isFile()) {
      await linkOrCopy(src, dst, counts);
      counts.files++;
      counts.bytes += (await stat(src)).size;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function stageRevision(instanceDir: string, t: DeploymentTemplate): Promise<StagedRevision> {
  const root = join(deploymentStagingDir(instanceDir, t.endpoint, t.deployment), safeSegment(t.revision));
  if (await exists(join(root, MARKER))) return { ...layout(root, t), created: false, files: 0, bytes: 0, copied: 0 };
  await rm(root, { recursive: true, force: true }); // an unfinished earlier attempt
  const tmp = `${root}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const counts: Counts = { files: 0, bytes: 0, copied: 0 };
  const target = layout(tmp, t);
  try {
    if (t.model && target.modelDir) {
      const modelIsFile = (await stat(t.model.dir)).isFile();
      if (t.model.kind === 'dir' && !modelIsFile) {
        await linkTree(t.model.dir, join(target.modelDir, safeSegment(t.model.name)), counts);
      } else if (modelIsFile) {
        await mkdir(target.modelDir, { recursive: true });
        await linkTree(t.model.dir, join(target.modelDir, safeSegment(t.model.name)), counts);
      } else {
        await linkTree(t.model.dir, target.modelDir, counts); // the folder holding the one file
      }
    }
    if (t.code && target.appDir) await linkTree(t.code.dir, target.appDir, counts);
    await mkdir(tmp, { recursive: true });
    await writeFile(join(tmp, MARKER), `${new Date().toISOString()}\n`);
    try {
      await rename(tmp, root);
    } catch (e) {
      // Another staging of the same revision finished first: use it.
      if (!(await exists(join(root, MARKER)))) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { ...layout(root, t), created: true, ...counts };
}

/** Remove staged revisions of a deployment other than `keep` (dot-folders, like the instances' `.run`, stay). */
export async function pruneRevisions(instanceDir: string, endpoint: string, deployment: string, keep: Set<string>): Promise<void> {
  const dir = deploymentStagingDir(instanceDir, endpoint, deployment);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const keepSafe = new Set([...keep].map(safeSegment));
  await Promise.all(
    entries.filter((name) => !keepSafe.has(name) && !name.includes('.tmp-') && !name.startsWith('.')).map((name) => rm(join(dir, name), { recursive: true, force: true })),
  );
}
