// Operations: the record of a long-running change (Running → Succeeded | Failed) that a client polls.
// Rows live in the store, so a restarted server finishes what it had accepted; waiters are woken in
// process when an operation ends (long poll of GET /operations/:id?wait=S).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Operation } from '../spec/types.js';
import type { Store } from '../store/store.js';
import type { OperationKind } from './operation-conflicts.js';

export type OperationError = { code: string; message: string };

export interface OperationsOptions {
  /** An operation ended here (replicas tell the others, whose waiters then wake: see wake()). */
  onFinished?: (op: Operation) => void;
  /**
   * Waiters also re-read the store this often (replicas: an operation may be ended by another process,
   * whose notification could be missed). Default: never.
   */
  pollMs?: number;
}

export class Operations {
  private readonly ended = new EventEmitter();

  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
    private readonly options: OperationsOptions = {},
  ) {
    this.ended.setMaxListeners(0);
  }

  /** Records a Running operation; call it inside the transaction that commits the change. */
  begin(kind: OperationKind, endpoint: string, deployment?: string): Operation {
    const op: Operation = { id: randomUUID(), kind, endpoint, status: 'Running', created_at: this.now().toISOString() };
    if (deployment !== undefined) op.deployment = deployment;
    this.store.insertOperation(op);
    return op;
  }

  get(id: string): Operation | undefined {
    return this.store.getOperation(id);
  }

  finish(id: string, error?: OperationError): Operation {
    const op = this.store.finishOperation(id, error ? 'Failed' : 'Succeeded', error);
    this.ended.emit(id, op);
    this.options.onFinished?.(op);
    return op;
  }

  /** Another process ended this operation: waiters here read it again. */
  wake(id: string): void {
    this.ended.emit(id);
  }

  /** Ends every running operation of the endpoint that `match` selects. */
  finishWhere(endpoint: string, match: (op: Operation) => boolean, error?: OperationError | ((op: Operation) => OperationError | undefined)): void {
    for (const op of this.store.runningOperations(endpoint)) {
      if (match(op)) this.finish(op.id, typeof error === 'function' ? error(op) : error);
    }
  }

  /** The operation once it has ended, or as it is after `timeoutMs`. */
  async wait(id: string, timeoutMs: number): Promise<Operation | undefined> {
    const op = this.store.getOperation(id);
    if (!op || op.status !== 'Running' || timeoutMs <= 0) return op;
    const pollMs = this.options.pollMs;
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); clearInterval(poll); this.ended.off(id, done); resolve(); };
      const timer = setTimeout(done, timeoutMs);
      const poll = pollMs ? setInterval(() => { if (this.store.getOperation(id)?.status !== 'Running') done(); }, pollMs) : undefined;
      this.ended.on(id, done);
    });
    return this.store.getOperation(id);
  }
}
