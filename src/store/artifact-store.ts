// Content-addressed artifact store. An upload (tar.gz) is streamed to a temp file with a size limit and
// hashed (the digest: see artifactDigestPrefix), every entry is checked, then it is extracted to a temp
// folder and renamed to `<root>/<hex>/`: a crash leaves either the whole artifact or nothing.
// Files are made read-only afterwards; instances read them, nothing writes them again.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { SwitchyardError } from '../errors.js';
import type { ArtifactInfo } from '../spec/types.js';
import type { Store } from './store.js';

export const DEFAULT_MAX_ARTIFACT_BYTES = 2 * 1024 ** 3;

/**
 * The digest is the sha256 of this prefix followed by the compressed bytes. Kind and name are part of
 * it because they decide the layout under AZUREML_MODEL_DIR: a folder holding one file and that file
 * alone pack to the same bytes, yet one is staged as `<folder>/<file>` and the other as `<file>`; two
 * folders with the same contents keep their own names.
 */
export const artifactDigestPrefix = (kind: 'dir' | 'file', name: string): string => `switchyard-artifact\0${kind}\0${name}\0`;

export interface ArtifactStoreOptions {
  /** `<data-dir>/artifacts` */
  root: string;
  store: Store;
  /** Largest accepted upload, compressed (default 2 GiB). */
  maxBytes?: number;
  now?: () => Date;
}

export interface ArtifactUpload {
  kind: 'dir' | 'file';
  /** The original base name of the folder or file. */
  name: string;
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why an archive entry path is refused, or null. Pure, for the unit tests. */
export function entryPathProblem(path: string): string | null {
  if (path === '' ) return 'has an empty path';
  if (path.includes('\0')) return 'has a NUL byte in its path';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return 'has an absolute path';
  if (path.split(/[\\/]/).includes('..')) return "has a '..' segment in its path";
  return null;
}

export class ArtifactStore {
  readonly root: string;
  readonly maxBytes: number;
  private readonly store: Store;
  private readonly now: () => Date;

  constructor(options: ArtifactStoreOptions) {
    this.root = options.root;
    this.store = options.store;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
    this.now = options.now ?? (() => new Date());
  }

  /** Removes what an interrupted upload left in the temp folder. */
  async init(): Promise<void> {
    await rm(this.tmpRoot(), { recursive: true, force: true });
    await mkdir(this.tmpRoot(), { recursive: true });
  }

  private tmpRoot(): string {
    return join(this.root, '.tmp');
  }

  /** The extracted folder of an artifact: `<root>/<64 hex>`. */
  dirOf(digest: string): string {
    return join(this.root, digest.replace(/^sha256:/, ''));
  }

  get(digest: string): ArtifactInfo | undefined {
    return this.store.getArtifact(digest);
  }

  /** Stores an upload; `created` is false when the same digest was stored before. */
  async put(body: Readable, upload: ArtifactUpload, declaredLength?: number): Promise<{ info: ArtifactInfo; created: boolean }> {
    if (declaredLength !== undefined && declaredLength > this.maxBytes) {
      body.resume();
      throw tooLarge(this.maxBytes);
    }
    await mkdir(this.tmpRoot(), { recursive: true });
    const id = randomBytes(8).toString('hex');
    const archive = join(this.tmpRoot(), `${id}.tar.gz`);
    const staging = join(this.tmpRoot(), id);
    try {
      const { digest, size } = await this.receive(body, archive, artifactDigestPrefix(upload.kind, upload.name));
      const existing = this.store.getArtifact(digest);
      if (existing && await isDir(this.dirOf(digest))) return { info: existing, created: false };

      const files = await checkEntries(archive, upload.kind);
      const target = this.dirOf(digest);
      if (!await isDir(target)) {
        await mkdir(staging);
        await tar.x({ file: archive, cwd: staging, strict: true, preservePaths: false, preserveOwner: false });
        await makeReadOnly(staging);
        try {
          await rename(staging, target);
        } catch (e) {
          // A concurrent upload of the same bytes won the rename; its folder is the same content.
          if (!await isDir(target)) throw e;
        }
      }
      const info = this.store.insertArtifact({
        digest, kind: upload.kind, name: upload.name, size, files, created_at: this.now().toISOString(),
      });
      return { info, created: !existing };
    } finally {
      await rm(archive, { force: true });
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async receive(body: Readable, file: string, prefix: string): Promise<{ digest: string; size: number }> {
    const hash = createHash('sha256').update(prefix);
    let size = 0;
    const max = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(tooLarge(max));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(file));
    } catch (e) {
      if (e instanceof SwitchyardError) { body.resume(); throw e; }
      throw new SwitchyardError('BadRequest', `The upload was interrupted: ${(e as Error).message}`);
    }
    if (size === 0) throw new SwitchyardError('InvalidArtifact', 'The upload is empty; send a tar.gz archive.');
    return { digest: `sha256:${hash.digest('hex')}`, size };
  }
}

/** Lists the archive and refuses it on the first entry that could escape or is not a plain file/folder. */
async function checkEntries(archive: string, kind: 'dir' | 'file'): Promise<number> {
  let files = 0;
  let problem: string | null = null;
  try {
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry: (entry) => {
        if (problem) return;
        const type = String(entry.type);
        const reason = entryPathProblem(entry.path)
          ?? (ALLOWED_TYPES.has(type) ? null : `is a ${type} (only files and folders are allowed; links and devices are not)`);
        if (reason) problem = `Archive entry ${JSON.stringify(entry.path)} ${reason}.`;
        else if (type !== 'Directory') files++;
      },
    });
  } catch (e) {
    throw new SwitchyardError('InvalidArtifact', `The upload is not a readable tar.gz archive: ${(e as Error).message}`);
  }
  if (problem) throw new SwitchyardError('InvalidArtifact', problem);
  if (kind === 'file' && files !== 1) {
    throw new SwitchyardError('InvalidArtifact', `An artifact of kind file must hold exactly one file; this archive holds ${files}.`);
  }
  return files;
}

async function makeReadOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadOnly(path);
    else await chmod(path, 0o444);
  }
  // Folders stay writable by the owner so that the data dir can still be removed with `rm -rf`;
  // the files, which instances load, are what must not change.
  await chmod(dir, 0o755);
}

async function isDir(path: string): Promise<boolean> {
  try { return (await stat(path)).isDirectory(); } catch { return false; }
}

function tooLarge(max: number): SwitchyardError {
  return new SwitchyardError('PayloadTooLarge', `The upload is larger than the server's limit of ${max} bytes (compressed).`);
}
