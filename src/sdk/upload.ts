// Packing a local folder or file as the tar.gz body of POST /api/v1/artifacts. A folder's archive holds
// its contents (not the folder itself); a file's archive holds that one file. The archive is streamed,
// never held whole in memory.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { SwitchyardError } from '../errors.js';

export interface PackedArtifact {
  kind: 'dir' | 'file';
  /** The base name the server records (a registered folder keeps its name under AZUREML_MODEL_DIR). */
  name: string;
  stream: AsyncIterable<Uint8Array>;
}

export async function packArtifact(localPath: string): Promise<PackedArtifact> {
  const abs = resolve(localPath);
  let info;
  try {
    info = await stat(abs);
  } catch {
    throw new SwitchyardError('InvalidArtifact', `cannot upload ${abs}: no such file or folder`);
  }
  const name = basename(abs);
  // Loaded here rather than at start-up: only commands that upload need it.
  const { create: tarCreate } = await import('tar');
  if (info.isDirectory()) {
    const entries = (await readdir(abs)).sort();
    // tar refuses an empty list; '.' packs an empty folder as one directory entry.
    const stream = tarCreate({ gzip: true, cwd: abs, portable: true }, entries.length ? entries : ['.']);
    return { kind: 'dir', name, stream: stream as unknown as AsyncIterable<Uint8Array> };
  }
  if (info.isFile()) {
    const stream = tarCreate({ gzip: true, cwd: dirname(abs), portable: true }, [name]);
    return { kind: 'file', name, stream: stream as unknown as AsyncIterable<Uint8Array> };
  }
  throw new SwitchyardError('InvalidArtifact', `cannot upload ${abs}: not a regular file or folder`);
}
