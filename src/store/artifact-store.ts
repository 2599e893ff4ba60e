// Content-addressed artifact store. An upload (tar.gz) is streamed to a temp file with a size limit and
// hashed (the digest: see artifactDigestPrefix); then it is read twice as a stream: once to check
// every entry, once to extract it to a temp folder renamed to `<root>/<hex>/` (a crash leaves either
// the whole artifact or nothing). Files are made read-only afterwards; instances read them, nothing
// writes them again.
// Decompression bombs and entry floods are stopped while streaming: the decompressed bytes are counted
// as they come out of gunzip (stopping it at the cap), every entry's declared size counts against the
// cap at its header, before its body is inflated, and entry count and path depth are checked per entry.
// Nothing holds a whole archive in memory. Every failure is a 4xx with a stable code and never names a
// server path.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, posix } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { SwitchyardError } from '../errors.js';
import type { ArtifactInfo } from '../spec/types.js';
import type { Store } from './store.js';
import { DEFAULT_SECURITY } from '../control/security-settings.js';

export const DEFAULT_MAX_ARTIFACT_BYTES = 2 * 1024 ** 3;

/** In a shared artifact folder, a temp folder untouched this long is what a dead replica left. */
const SHARED_TMP_STALE_MS = 24 * 3600 * 1000;

/**
 * The digest is the sha256 of this prefix followed by the compressed bytes. Kind and name are part of
 * it because they decide the layout under AZUREML_MODEL_DIR: a folder holding one file and that file
 * alone pack to the same bytes, yet one is staged as `<folder>/<file>` and the other as `<file>`; two
 * folders with the same contents keep their own names.
 */
export const artifactDigestPrefix = (kind: 'dir' | 'file', name: string): string => `switchyard-artifact\0${kind}\0${name}\0`;

/** Caps on what one archive may unpack to (defaults: control/security-settings.ts). */
export interface ExtractLimits {
  /** Sum of the entries' sizes. */
  maxUnpackedBytes: number;
  /** Files and folders. */
  maxEntries: number;
  /** Segments of an entry's path. */
  maxPathDepth: number;
}

/** Longest entry path accepted, in characters (file systems refuse longer ones anyway). */
const MAX_PATH_CHARS = 1024;
/** Zero padding after the end-of-archive blocks that is still accepted (tar pads to 10 KiB records). */
const MAX_TRAILING_BYTES = 1024 * 1024;
/** tar headers (and pax headers for long names) per entry, on top of the content: 512-byte blocks. */
const HEADER_ALLOWANCE = 3 * 512;

export interface ArtifactStoreOptions {
  /** `<data-dir>/artifacts`, or a folder several control-plane replicas share (SWITCHYARD_ARTIFACT_DIR). */
  root: string;
  /**
   * Other processes use `root` too: each keeps its uploads in progress in a temp folder of its own,
   * and a start removes only temp folders nobody has touched for a day (not the others' live ones).
   */
  shared?: boolean;
  store: Store;
  /** Largest accepted upload, compressed (default 2 GiB). */
  maxBytes?: number;
  /** Caps on the unpacked archive. */
  limits?: Partial<ExtractLimits>;
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
  readonly limits: ExtractLimits;
  private readonly store: Store;
  private readonly now: () => Date;
  private readonly shared: boolean;
  private readonly tmpName = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(options: ArtifactStoreOptions) {
    this.root = options.root;
    this.store = options.store;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
    this.limits = {
      maxUnpackedBytes: options.limits?.maxUnpackedBytes ?? DEFAULT_SECURITY.maxUnpackedBytes,
      maxEntries: options.limits?.maxEntries ?? DEFAULT_SECURITY.maxEntries,
      maxPathDepth: options.limits?.maxPathDepth ?? DEFAULT_SECURITY.maxPathDepth,
    };
    this.now = options.now ?? (() => new Date());
    this.shared = options.shared ?? false;
  }

  /** Removes what an interrupted upload left in the temp folder. */
  async init(): Promise<void> {
    if (!this.shared) {
      await rm(this.tmpRoot(), { recursive: true, force: true });
    } else {
      const base = join(this.root, '.tmp');
      await mkdir(base, { recursive: true });
      const stale = Date.now() - SHARED_TMP_STALE_MS;
      for (const name of await readdir(base)) {
        const at = await newestChange(join(base, name));
        if (at < stale) await rm(join(base, name), { recursive: true, force: true });
      }
    }
    await mkdir(this.tmpRoot(), { recursive: true });
  }

  private tmpRoot(): string {
    return this.shared ? join(this.root, '.tmp', this.tmpName) : join(this.root, '.tmp');
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

      const files = await checkArchive(archive, upload.kind, this.limits);
      const target = this.dirOf(digest);
      if (!await isDir(target)) {
        await mkdir(staging);
        await extractArchive(archive, staging, this.limits);
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

/** A folder or file of an archive being checked (a tree of segments: memory grows with the names only). */
interface PathNode {
  dir: boolean;
  children?: Map<string, PathNode>;
}

/** Longest name of one path segment, in bytes (NAME_MAX of common file systems). */
const MAX_SEGMENT_BYTES = 255;

/** The checks of one archive's entries, in order, as they stream by. */
class EntryChecker {
  files = 0;
  /** Explicit entries plus folders their paths imply: what extraction creates. */
  private entries = 0;
  private declaredBytes = 0;
  /** What the archive holds so far: catches `a` then `a/b`, `a/b` then `a`, and duplicates. */
  private readonly root: PathNode = { dir: true };

  constructor(private readonly kind: 'dir' | 'file', private readonly limits: ExtractLimits) {}

  private count(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw new SwitchyardError('ArtifactLimitExceeded',
        `The archive holds more than ${this.limits.maxEntries} entries (files and folders), the server's limit (SWITCHYARD_MAX_ARTIFACT_ENTRIES).`);
    }
  }

  /** Throws the refusal for this entry header, or records it. Runs before the entry's body is read. */
  check(rawPath: string, type: string, size: number): void {
    const shown = JSON.stringify(rawPath.slice(0, 200));
    this.count();
    const problem = entryPathProblem(rawPath)
      ?? (rawPath.length > MAX_PATH_CHARS ? `has a path longer than ${MAX_PATH_CHARS} characters` : null)
      ?? (ALLOWED_TYPES.has(type) ? null : `is a ${type} (only files and folders are allowed; links and devices are not)`);
    if (problem) throw new SwitchyardError('InvalidArtifact', `Archive entry ${shown} ${problem}.`);
    const path = posix.normalize(rawPath.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    const isDir = type === 'Directory';
    if (path === '.' || path === '') {
      if (isDir) return;
      throw new SwitchyardError('InvalidArtifact', `Archive entry ${shown} is a file without a name.`);
    }
    const segments = path.split('/');
    if (segments.length > this.limits.maxPathDepth) {
      throw new SwitchyardError('ArtifactLimitExceeded',
        `Archive entry ${shown} is ${segments.length} folders deep; the server's limit is ${this.limits.maxPathDepth} (SWITCHYARD_MAX_ARTIFACT_PATH_DEPTH).`);
    }
    if (segments.some((seg) => Buffer.byteLength(seg) > MAX_SEGMENT_BYTES)) {
      throw new SwitchyardError('InvalidArtifact', `Archive entry ${shown} has a name longer than ${MAX_SEGMENT_BYTES} bytes.`);
    }
    let node = this.root;
    for (let i = 0; i < segments.length - 1; i++) {
      let next = node.children?.get(segments[i]!);
      if (next === undefined) {
        // A folder the path implies: extraction creates it, so it counts as an entry.
        this.count();
        next = { dir: true };
        (node.children ??= new Map()).set(segments[i]!, next);
      } else if (!next.dir) {
        throw new SwitchyardError('InvalidArtifact',
          `Archive entry ${shown} is inside ${JSON.stringify(segments.slice(0, i + 1).join('/'))}, which the archive holds as a file; an archive cannot hold both.`);
      }
      node = next;
    }
    const name = segments[segments.length - 1]!;
    const before = node.children?.get(name);
    if (before !== undefined) {
      if (before.dir && isDir) return;
      throw new SwitchyardError('InvalidArtifact', before.dir !== isDir
        ? `Archive entry ${shown} is both a file and a folder in this archive.`
        : `Archive entry ${shown} appears twice in this archive.`);
    }
    (node.children ??= new Map()).set(name, { dir: isDir });
    if (isDir) return;
    this.declaredBytes += size;
    if (this.declaredBytes > this.limits.maxUnpackedBytes) {
      throw new SwitchyardError('ArtifactLimitExceeded',
        `The archive unpacks to more than ${this.limits.maxUnpackedBytes} bytes, the server's limit (SWITCHYARD_MAX_ARTIFACT_UNPACKED_BYTES).`);
    }
    if (++this.files > 1 && this.kind === 'file') {
      throw new SwitchyardError('InvalidArtifact', 'An artifact of kind file must hold exactly one file; this archive holds more.');
    }
  }
}

/**
 * Streams `archive` through gunzip into `sink` (a tar parser), counting decompressed bytes as they come
 * out: past what the limits allow (content plus headers), gunzip stops. A refusal thrown by `onEntry`
 * stops the stream too. Every failure becomes a SwitchyardError without server paths.
 */
async function streamArchive(archive: string, limits: ExtractLimits, makeSink: (fail: (e: unknown) => void) => Writable & { abort?: (e: Error) => void }): Promise<void> {
  const budget = limits.maxUnpackedBytes + (limits.maxEntries + 2) * HEADER_ALLOWANCE;
  let inflated = 0;
  let ended = false;
  let trailing = 0;
  let refusal: SwitchyardError | undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      // Past the tar's end-of-archive blocks, node-tar keeps appending whatever comes to one buffer
      // (quadratic time, unbounded memory): trailing bytes are counted, never handed to it.
      if (ended) {
        trailing += chunk.length;
        if (trailing > MAX_TRAILING_BYTES) {
          return done(new SwitchyardError('InvalidArtifact', `The archive has more than ${MAX_TRAILING_BYTES} bytes after its end-of-archive marker; send a plain tar.gz.`));
        }
        return done();
      }
      inflated += chunk.length;
      if (inflated > budget) {
        return done(new SwitchyardError('ArtifactLimitExceeded',
          `The archive unpacks to more than ${limits.maxUnpackedBytes} bytes, the server's limit (SWITCHYARD_MAX_ARTIFACT_UNPACKED_BYTES).`));
      }
      done(null, chunk);
    },
  });
  const fail = (e: unknown): void => {
    refusal ??= e instanceof SwitchyardError ? e : archiveError(e);
    meter.destroy(refusal);
  };
  const sink = makeSink(fail);
  sink.on('warn', (code: string, message: unknown) => fail(Object.assign(new Error(String(message)), { code })));
  sink.on('eof', () => { ended = true; });
  try {
    // gzip'ed tar (what the CLI sends), or a plain tar: bounded by the upload limit already, still metered.
    if (await isGzip(archive)) await pipeline(createReadStream(archive), createGunzip(), meter, sink);
    else await pipeline(createReadStream(archive), meter, sink);
  } catch (e) {
    throw refusal ?? (e instanceof SwitchyardError ? e : archiveError(e));
  }
  if (refusal) throw refusal;
}

/** Reads every entry header (bodies are skipped, never stored) and refuses the archive on the first problem. */
async function checkArchive(archive: string, kind: 'dir' | 'file', limits: ExtractLimits): Promise<number> {
  const checker = new EntryChecker(kind, limits);
  await streamArchive(archive, limits, (fail) => new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      try {
        checker.check(entry.path, String(entry.type), entry.size ?? 0);
      } catch (e) {
        fail(e);
      }
      entry.resume();
    },
  }) as unknown as Writable);
  if (kind === 'file' && checker.files !== 1) {
    throw new SwitchyardError('InvalidArtifact', `An artifact of kind file must hold exactly one file; this archive holds ${checker.files}.`);
  }
  return checker.files;
}

/** Extracts a checked archive into `dir`, with the same caps enforced again while streaming. */
async function extractArchive(archive: string, dir: string, limits: ExtractLimits): Promise<void> {
  const checker = new EntryChecker('dir', limits);
  await streamArchive(archive, limits, (fail) => tar.x({
    cwd: dir, strict: true, preservePaths: false, preserveOwner: false,
    filter: (path, entry) => {
      try {
        checker.check(path, String((entry as tar.ReadEntry).type), (entry as tar.ReadEntry).size ?? 0);
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
  }) as unknown as Writable);
}

/** A tar, gzip or file-system failure as a 4xx whose message names no server path. */
function archiveError(e: unknown): SwitchyardError {
  const err = e as NodeJS.ErrnoException & { tarCode?: string };
  const code = err?.code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new SwitchyardError('ArtifactLimitExceeded', 'The server has no room left for this artifact; ask its operator to free disk space.');
  }
  if (code === 'ENAMETOOLONG') return new SwitchyardError('InvalidArtifact', 'An archive entry has a name too long for the file system.');
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
    return new SwitchyardError('InvalidArtifact', 'The archive holds the same path as a file and as a folder.');
  }
  if (code.startsWith('Z_') || /incorrect header check|unexpected end of file|invalid (block|distance|code|stored)/i.test(err?.message ?? '')) {
    return new SwitchyardError('InvalidArtifact', 'The upload is not a readable tar.gz archive (gzip data is corrupt or cut short).');
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return new SwitchyardError('InvalidArtifact', 'The upload is not a readable tar.gz archive (it ends too early).');
  return new SwitchyardError('InvalidArtifact', `The upload is not a readable tar.gz archive${/^TAR_/.test(code) ? ` (${code})` : ''}.`);
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

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The latest mtime in a tree (its root's when it is a file); 0 when it vanished meanwhile. */
async function newestChange(path: string): Promise<number> {
  try {
    const st = await stat(path);
    let latest = st.mtimeMs;
    if (st.isDirectory()) {
      for (const name of await readdir(path)) latest = Math.max(latest, await newestChange(join(path, name)));
    }
    return latest;
  } catch {
    return 0;
  }
}

async function isDir(path: string): Promise<boolean> {
  try { return (await stat(path)).isDirectory(); } catch { return false; }
}

function tooLarge(max: number): SwitchyardError {
  return new SwitchyardError('PayloadTooLarge', `The upload is larger than the server's limit of ${max} bytes (compressed).`);
}
