// Who instances run as. A server that can switch users (root, or CAP_SETUID + CAP_SETGID + CAP_CHOWN)
// runs every instance as an unprivileged user (`serve --instance-user`, $SWITCHYARD_INSTANCE_USER,
// default `switchyard-instance`, made by scripts/instance-user.sh) with a group of its deployment's own,
// so a scoring script cannot read the server's secrets nor another deployment's files. A server that
// cannot switch users runs instances as itself: then deploying code is as strong as Owner, and the
// control plane asks for an Owner-only permission to do it (permissions.ts, docs/security.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SwitchyardError } from '../../errors.js';

export const DEFAULT_INSTANCE_USER = 'switchyard-instance';

/** The setting's value that asks for instances to run as the server's own user. */
export const NO_INSTANCE_USER = 'none';

export interface InstanceUser {
  name: string;
  uid: number;
}

export type InstanceIsolation =
  | { isolated: true; user: InstanceUser }
  | { isolated: false; /** Why not, for the warning at start. */ reason: string };

/** CAP_CHOWN (0), CAP_SETGID (6), CAP_SETUID (7) in the effective set, or euid 0. */
export function canSwitchUsers(): boolean {
  if (process.geteuid?.() === 0) return true;
  try {
    const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!line) return false;
    const caps = BigInt(`0x${line[1]}`);
    return [0n, 6n, 7n].every((bit) => (caps >> bit) & 1n);
  } catch {
    return false;
  }
}

/** The user's uid from the system's user database (NSS), or null when there is no such user. */
export function lookupUser(name: string): InstanceUser | null {
  if (!/^[a-z_][a-z0-9_-]{0,31}\$?$/i.test(name)) return null;
  try {
    const entry = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const uid = Number(entry.split(':')[2]);
    return Number.isInteger(uid) ? { name, uid } : null;
  } catch {
    return null;
  }
}

/**
 * Decides how instances run, from the setting (undefined: the default user). Refuses (throws) where
 * going on would be a surprise: a user that was asked for but cannot be used, a missing user on a server
 * that could switch to it, or a user that is root.
 */
export function resolveInstanceIsolation(setting: string | undefined): InstanceIsolation {
  const explicit = setting !== undefined && setting.trim() !== '';
  const name = explicit ? setting.trim() : DEFAULT_INSTANCE_USER;
  if (name === NO_INSTANCE_USER) {
    return { isolated: false, reason: `--instance-user ${NO_INSTANCE_USER} was given` };
  }
  if (!canSwitchUsers()) {
    if (explicit) {
      throw new SwitchyardError('InvalidValue',
        `--instance-user ${name}: this server runs as uid ${process.geteuid?.() ?? '?'} and cannot switch users (it needs root, or CAP_SETUID, CAP_SETGID and CAP_CHOWN). ` +
          `Start it as root, or pass --instance-user ${NO_INSTANCE_USER} to run instances as the server's own user (then only Owner may deploy code; see docs/security.md).`);
    }
    return { isolated: false, reason: `the server runs as uid ${process.geteuid?.() ?? '?'} and cannot switch users` };
  }
  const user = lookupUser(name);
  if (!user) {
    throw new SwitchyardError('InvalidValue',
      `The instance user ${JSON.stringify(name)} does not exist. Create it with \`bash scripts/instance-user.sh${explicit ? ` ${name}` : ''}\` ` +
        `(npm start and npm test do), name another with --instance-user (or $SWITCHYARD_INSTANCE_USER), ` +
        `or pass --instance-user ${NO_INSTANCE_USER} to run instances as the server's own user (not recommended for a root server).`);
  }
  if (user.uid === 0) {
    throw new SwitchyardError('InvalidValue', `The instance user ${JSON.stringify(name)} has uid 0: instances must run as an unprivileged user.`);
  }
  return { isolated: true, user };
}
