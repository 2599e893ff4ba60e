// A synchronous PostgreSQL client for the synchronous Store interface (store.ts): the `pg` client runs
// in a worker thread (pg-worker.ts); each call posts a request on a MessagePort and blocks the calling
// thread with Atomics.wait on a SharedArrayBuffer counter until the worker has posted the answer, which
// it then takes with receiveMessageOnPort. One connection, one request at a time: what a store on the
// main thread needs (bench: bench/b7-store-bridge.mjs measures the per-call cost).
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { SwitchyardError } from '../errors.js';
import type { PgReply, PgRequest } from './pg-worker.js';

export interface PgSyncClientOptions {
  /** Longest a call waits for the worker (default 30 s); PostgreSQL's statement_timeout is set a little below. */
  callTimeoutMs?: number;
  /** Longest a (re)connect may take (default 10 s). */
  connectTimeoutMs?: number;
}

/** An error PostgreSQL answered (with its SQLSTATE `code`), or a lost connection (`connection`). */
export class PgError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly constraint: string | undefined, readonly connection: boolean) {
    super(message);
    this.name = 'PgError';
  }
}

export interface PgResult<R> { rows: R[]; rowCount: number }

export class PgSyncClient {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly callTimeoutMs: number;
  private nextId = 1;
  private closed = false;

  private constructor(url: string, options: PgSyncClientOptions = {}) {
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // Built, the worker is pg-worker.js beside this file. Under tsx (the tests run the sources) it is
    // pg-worker.ts, and a worker does not inherit tsx's loader in Node 20: a two-line bootstrap registers it.
    const source = import.meta.url.endsWith('.ts');
    const workerFile = new URL(source ? './pg-worker.ts' : './pg-worker.js', import.meta.url);
    const entry = source
      ? new URL(`data:text/javascript,${encodeURIComponent(
        `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(workerFile.href)});`)}`)
      : workerFile;
    this.worker = new Worker(entry, {
      workerData: {
        url, port: port2, signal: this.signal,
        statementTimeoutMs: Math.max(1000, this.callTimeoutMs - 1000), connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      },
      transferList: [port2],
    });
    // Neither keeps the process alive: the store's owner closes it.
    this.worker.unref();
    this.port.unref();
  }

  /** Resolves once the worker runs (call before the first query; PgSyncClient.open does). */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.worker.once('error', onError);
      this.worker.once('message', (m) => {
        this.worker.off('error', onError);
        if (m === 'ready') resolve(); else reject(new Error(`pg worker: unexpected first message ${String(m)}`));
      });
    });
  }

  /** A client whose worker runs. */
  static async open(url: string, options: PgSyncClientOptions = {}): Promise<PgSyncClient> {
    const client = new PgSyncClient(url, options);
    try {
      await client.ready();
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /**
   * Runs one statement (or, without params, several separated by semicolons). `inTransaction`: fail
   * rather than reconnect when the connection was lost (the open transaction is gone with it).
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], options: { inTransaction?: boolean } = {}): PgResult<R> {
    const reply = this.call({ op: 'query', sql, ...(params ? { params } : {}), ...(options.inTransaction ? { tx: true } : {}) });
    return { rows: (reply.rows ?? []) as R[], rowCount: reply.rowCount ?? 0 };
  }

  /** A round trip through the worker without PostgreSQL: the bridge's own cost. */
  ping(): void {
    this.call({ op: 'ping' });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'close' }, 5000);
    } catch { /* the worker is going away either way */ }
    this.closed = true;
    void this.worker.terminate();
  }

  private call(request: Omit<PgRequest, 'id'>, timeoutMs = this.callTimeoutMs): PgReply {
    if (this.closed) throw new SwitchyardError('StoreUnavailable', 'The store is closed.');
    const id = this.nextId++;
    this.port.postMessage({ ...request, id });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Read the counter before looking at the port: the worker posts, then bumps it, so a reply
      // that arrives after the look changes the counter and the wait returns at once.
      const seen = Atomics.load(this.signal, 0);
      let message;
      while ((message = receiveMessageOnPort(this.port))) {
        const reply = message.message as PgReply;
        if (reply.id !== id) continue; // the late answer of a call that timed out
        if (reply.error) throw new PgError(reply.error.message, reply.error.code, reply.error.constraint, reply.error.connection ?? false);
        return reply;
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') {
        throw new SwitchyardError('StoreUnavailable',
          `The PostgreSQL store did not answer within ${Math.round(timeoutMs / 1000)} s; check that the database server is up and reachable.`);
      }
    }
  }
}
