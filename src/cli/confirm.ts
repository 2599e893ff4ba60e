// Confirmation of destructive commands: `--yes` skips it; on a terminal the user is asked; without a
// terminal (a script) the command refuses rather than guessing.
import { SwitchyardError } from '../errors.js';
import type { Io } from './command.js';

export async function confirmOrRefuse(io: Io, yes: boolean, what: string): Promise<void> {
  if (yes) return;
  if (!io.stdinIsTTY) {
    throw new SwitchyardError('UsageError', `${what}: confirmation needed but there is no terminal to ask; pass --yes to confirm`);
  }
  const answer = (await io.prompt(`${what}\nAre you sure you want to perform this operation? (y/n): `)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new SwitchyardError('UsageError', 'Operation cancelled.');
}
