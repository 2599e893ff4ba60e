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

export async function awaitOperation(ctx: Context, operation: Operation, spec: WaitSpec): Promise<Operation> {
  const client = ctx.client();
  const progress = new Progress(ctx.io, spec.label).start(operation.status === 'Running' ? 'Running' : operation.status);
  let ended: Operation;
  try {
    ended = operation.status === 'Running'
      ? await client.waitForOperation(operation.id, {
        onPoll: async () => {
          if (!spec.describe || !ctx.io.stderrIsTTY) return;
          try {
            const state = await spec.describe();
            if (state) progress.update(state);
          } catch {
            // The resource may be gone mid-delete: keep the last state.
          }
        },
      })
      : operation;
  } catch (e) {
    progress.stop();
    throw e;
  }
  progress.stop(ctx.io.stderrIsTTY ? `${spec.label}: ${ended.status} (${progress.elapsedSeconds()}s)` : undefined);
  if (ended.status === 'Failed') throw operationError(ended, spec.hint);
  return ended;
}
