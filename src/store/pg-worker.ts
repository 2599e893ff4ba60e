// The worker thread behind PgSyncClient (pg-sync-client.ts): owns one PostgreSQL connection (the
// pure-JS `pg` client), runs each request the main thread sends, posts the answer on the shared port,
// then bumps the shared counter and wakes the main thread, which waits on it with Atomics.wait.
// Requests come one at a time (the main thread is blocked until each is answered).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pg from 'pg';

export interface PgRequest {
  id: number; op: 'query' | 'ping' | 'close'; sql?: string; params?: unknown[];
  /** Part of an open transaction: never on a new connection (the transaction died with the old one). */
  tx?: boolean;
}
export interface PgReply {
  id: number;
  rows?: Record<string, unknown>[];
  rowCount?: number;
  error?: { message: string; code?: string; constraint?: string; connection?: boolean };
}

const { url, port, signal, statementTimeoutMs, connectTimeoutMs } = workerData as {
  url: string; port: MessagePort; signal: Int32Array; statementTimeoutMs: number; connectTimeoutMs: number;
};

// bigint columns (identities, counts, sizes) as numbers: they stay far below 2^53 here.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

let client: pg.Client | undefined;
let broken = false;

async function connection(): Promise<pg.Client> {
  if (client && !broken) return client;
  if (client) client.end().catch(() => {});
  broken = false;
  const c = new pg.Client({
    connectionString: url, application_name: 'switchyard', statement_timeout: statementTimeoutMs,
    connectionTimeoutMillis: connectTimeoutMs, keepAlive: true,
  });
  c.on('error', () => { broken = true; });
  client = c;
  try {
    await c.connect();
  } catch (e) {
    broken = true;
    throw e;
  }
  return c;
}

function reply(message: PgReply): void {
  port.postMessage(message);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

port.on('message', async (req: PgRequest) => {
  try {
    if (req.op === 'ping') return reply({ id: req.id });
    if (req.op === 'close') {
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      reply({ id: req.id });
      port.close();
      return;
    }
    if (req.tx && (broken || !client)) {
      return reply({ id: req.id, error: { message: 'the connection to PostgreSQL was lost during a transaction, which was rolled back', connection: true } });
    }
    const c = await connection();
    const res = await c.query({ text: req.sql!, ...(req.params ? { values: req.params } : {}) });
    // A multi-statement text answers an array of results: the last one is what the caller wants.
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    reply({ id: req.id, rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 });
  } catch (e) {
    const err = e as Error & { code?: string; constraint?: string };
    // Errors with a SQLSTATE came from the server over a working connection; others (ECONNREFUSED,
    // a reset, a timeout) mean the connection must be made again.
    const connectionLost = !err.code || !/^[0-9A-Z]{5}$/.test(err.code) || err.code.startsWith('08') || err.code === '57P01';
    if (connectionLost) broken = true;
    reply({ id: req.id, error: { message: err.message, code: err.code, constraint: err.constraint, connection: connectionLost } });
  }
});

// The main thread may block only once the worker is running (under a loader such as tsx, starting a
// worker needs the main thread's event loop).
parentPort?.postMessage('ready');
