// Waiting for a long-running change (create/update/delete): long-polls the operation, shows progress on
// a terminal, and turns a Failed operation into an error whose message is the server's.
import { SwitchyardError, isErrorCode } from '../errors.js';
import type { Operation } from '../spec/types.js';
import type { Context } from './command.js';
import { Progress } from './progress.js';

export interface WaitSpec {
  /** What is happening, for the spinner: "Creating endpoint my-endpoint". */
  label: string;
  /** The current state to show (e.g. the resource's provisioning_state and ready instances). */
  describe?: () => Promise<string | undefined>;
  /** Added to the error message of a Failed operation (what to do next). */
  hint?: string;
}

export function operationError(op: Operation, hint?: string): SwitchyardError {
  const code = op.error && isErrorCode(op.error.code) ? op.error.code : 'InstanceFailed';
  const message = op.error?.message ?? `operation ${op.id} (${op.kind}) failed`;
  return new SwitchyardError(code, hint ? `${message}\n${hint}` : message, { operation: op.id });
}

/** How often the spinner's state line is refreshed from the resource while the long poll waits. */
const DESCRIBE_EVERY_MS = 2000;

export async function awaitOperation(ctx: Context, operation: Operation, spec: WaitSpec): Promise<Operation> {
  const client = ctx.client();
  const progress = new Progress(ctx.io, spec.label).start(operation.status);
  // On a terminal, the state shown (e.g. "Creating, 1/2 instances ready") is refreshed beside the long
  // poll; scripts get no progress and no extra requests.
  let describing: NodeJS.Timeout | undefined;
  if (spec.describe && ctx.io.stderrIsTTY && operation.status === 'Running') {
    const describe = spec.describe;
    const refresh = async (): Promise<void> => {
      try {
        const state = await describe();
        if (state) progress.update(state);
      } catch {
        // The resource may be gone mid-delete: keep the last state.
      }
      if (describing) describing = setTimeout(() => void refresh(), DESCRIBE_EVERY_MS).unref();
    };
    describing = setTimeout(() => void refresh(), 0).unref();
  }
  let ended: Operation;
  try {
    ended = operation.status === 'Running' ? await client.waitForOperation(operation.id) : operation;
  } catch (e) {
    progress.stop();
    throw e;
  } finally {
    clearTimeout(describing);
    describing = undefined;
  }
  progress.stop(ctx.io.stderrIsTTY ? `${spec.label}: ${ended.status} (${progress.elapsedSeconds()}s)` : undefined);
  if (ended.status === 'Failed') throw operationError(ended, spec.hint);
  return ended;
}
