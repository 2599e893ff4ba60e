// What an instance may touch on disk, and as whom it runs (docs/security.md, "Instance isolation").
//
// With an instance user (instance-user.ts), every deployment gets a group of its own (a gid no
// account uses, never written to /etc/group) and its files are laid out so that only that group can
// reach them:
//   <instance dir>/                          root 0711   (search only: nobody lists deployments)
//     <endpoint>/                            root 0711
//       <deployment>/                        root:<gid> 0750
//         <revision>/...                     root:<gid> 0750 dirs; files read-only (hard links into the
//                                            artifact store, which sits behind the data dir's 0700 folders)
//         .run/<instance>/                   root:<gid> 0750, made afresh at every start of the instance
//           secret                           root:<gid> 0640  the gateway's secret for this start
//           home/  tmp/                      <user>:<gid> 0700  HOME and TMPDIR, the only writable places
// The instance runs as <user>:<gid> with no supplementary groups. Without an instance user the same
// folders exist, owned by the server's user, and the instance runs as the server.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { InstanceUser } from './instance-user.js';
import { safeSegment } from './staging.js';

/** Folder of a deployment's per-instance runtime folders, next to its revisions (never pruned as one). */
export const RUN_FOLDER = '.run';

/** What the runtime gives one start of one instance. */
export interface RunSandbox {
  /** The secret the gateway and the probes present in `x-switchyard-instance-secret`. */
  secret: string;
  /** Variables the runtime adds: HOME, TMPDIR, USER, LOGNAME, SWITCHYARD_INSTANCE_SECRET_FILE. */
  env: Record<string, string>;
  /** The uid and gid to run as; absent: the server's own. */
  uid?: number;
  gid?: number;
}

/**
 * The gids of deployments' groups. Each deployment's gid is derived from its name and the instance
 * folder (stable across restarts and, with high probability, distinct between servers on one machine),
 * moved on to the next free one if another deployment of this server already holds it. The range sits
 * above every range distributions and systemd hand out (1,900,000,000 + up to 2^27).
 */
export class DeploymentGroups {
  static readonly BASE = 1_900_000_000;
  static readonly SPAN = 2 ** 27;
  private readonly byKey = new Map<string, number>();
  private readonly taken = new Set<number>();

  constructor(private readonly salt: string) {}

  gidFor(key: string): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const h = createHash('sha256').update(`${this.salt}\u0000${key}`).digest().readUInt32BE(0) % DeploymentGroups.SPAN;
    let offset = h;
    while (this.taken.has(DeploymentGroups.BASE + offset)) offset = (offset + 1) % DeploymentGroups.SPAN;
    const gid = DeploymentGroups.BASE + offset;
    this.byKey.set(key, gid);
    this.taken.add(gid);
    return gid;
  }

  release(key: string): void {
    const gid = this.byKey.get(key);
    if (gid === undefined) return;
    this.byKey.delete(key);
    this.taken.delete(gid);
  }
}

const isRoot = (): boolean => process.geteuid?.() === 0;

/**
 * Makes the instance folder reachable (search only) for the instance user: its own levels 0711, the
 * data dir it may sit in 0711 (everything else in the data dir stays 0700/0600), and checks that every
 * folder above lets others search it. Throws with what to change otherwise.
 */
export async function openInstanceRoot(instanceDir: string, dataDir: string): Promise<void> {
  const first = await mkdir(instanceDir, { recursive: true, mode: 0o711 });
  // Levels this call created (mkdir's mode is cut by the umask) and the instance folder itself.
  for (let dir = instanceDir; ; dir = dirname(dir)) {
    await chmod(dir, 0o711);
    if (first === undefined || dir === first || dirname(dir) === dir) break;
  }
  for (let dir = dirname(instanceDir); ; dir = dirname(dir)) {
    if (dir === dataDir) {
      await chmod(dir, 0o711);
    } else {
      const mode = (await stat(dir)).mode;
      if ((mode & 0o001) === 0) {
        throw new Error(`the instance user cannot reach ${instanceDir}: ${dir} does not let others search it (mode ${(mode & 0o7777).toString(8)}). ` +
          'Use a data dir (or --instance-dir) outside that folder.');
      }
    }
    if (dirname(dir) === dir) break;
  }
}

/** One deployment's folder and identity. */
export class DeploymentSandbox {
  constructor(
    /** <instance dir>/<endpoint>/<deployment> */
    readonly dir: string,
    /** The instance user and this deployment's gid; null: instances run as the server. */
    private readonly identity: { user: InstanceUser; gid: number } | null,
  ) {}

  get isolated(): boolean {
    return this.identity !== null;
  }

  /**
   * Gives the deployment's group read access to a staged revision, and nothing more: folders
   * root:<gid> 0750, files readable (their other bits are what the artifact store gave them, without
   * write). Idempotent; run for every revision this server prepares (a restart may change the gid).
   */
  async share(stagedRoot: string): Promise<void> {
    if (!this.identity) return;
    const gid = this.identity.gid;
    await chmod(dirname(this.dir), 0o711);
    await this.own(this.dir, 0o750, 0, gid);
    const walk = async (path: string): Promise<void> => {
      const info = await lstat(path);
      if (info.isSymbolicLink()) return;
      if (info.isDirectory()) {
        await this.own(path, 0o750, 0, gid);
        for (const name of await readdir(path)) await walk(join(path, name));
        return;
      }
      // A hard link shares its inode with the artifact store: keep its owner, make it read-only for all.
      const wanted = (info.mode & 0o7555) | 0o444;
      if ((info.mode & 0o7777) !== wanted) await chmod(path, wanted);
    };
    await walk(stagedRoot);
  }

  /** Makes the folders of one start of an instance afresh and writes its secret. */
  async prepareRun(instance: string): Promise<RunSandbox> {
    const runDir = join(this.dir, RUN_FOLDER, safeSegment(instance));
    const home = join(runDir, 'home');
    const tmp = join(runDir, 'tmp');
    const secretFile = join(runDir, 'secret');
    await rm(runDir, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    await mkdir(tmp, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    await writeFile(secretFile, `${secret}\n`, { mode: 0o640 });
    const user = this.identity?.user;
    const env: Record<string, string> = { HOME: home, TMPDIR: tmp, SWITCHYARD_INSTANCE_SECRET_FILE: secretFile };
    if (user) {
      env.USER = user.name;
      env.LOGNAME = user.name;
    }
    if (!this.identity) {
      await chmod(runDir, 0o700);
      for (const d of [home, tmp]) await chmod(d, 0o700);
      await chmod(secretFile, 0o600);
      return { secret, env };
    }
    const { gid } = this.identity;
    await this.own(join(this.dir, RUN_FOLDER), 0o750, 0, gid);
    await this.own(runDir, 0o750, 0, gid);
    await this.own(secretFile, 0o640, 0, gid);
    for (const d of [home, tmp]) await this.own(d, 0o700, user!.uid, gid);
    return { secret, env, uid: user!.uid, gid };
  }

  private async own(path: string, mode: number, uid: number, gid: number): Promise<void> {
    // A non-root server with CAP_CHOWN makes the files its own user's, as root would make them root's.
    await chown(path, isRoot() || uid !== 0 ? uid : process.geteuid!(), gid);
    await chmod(path, mode);
  }
}

