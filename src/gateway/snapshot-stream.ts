// A standalone gateway's side of GET /api/v1/gateway/snapshots (src/control/routes/gateways.ts): reads
// the NDJSON stream of routing snapshots from whichever control plane answers, resumes after the
// version it serves, and reconnects across the URLs with exponential backoff and full jitter. A stream
// silent for longer than `silenceMs` (keepalives come every 3 s) counts as lost. The control plane is
// authenticated, but what it sends is still checked before the gateway swaps it in.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../logger.js';
import type { RoutingSnapshot } from './snapshot.js';
import { checkSnapshot } from './snapshot-check.js';

export interface SnapshotStreamOptions {
  /** Control-plane base URLs, tried in turn. */
  urls: readonly string[];
  token: string;
  /** Extra trusted certificates (PEM) for https control planes, besides the system's. */
  ca?: string;
  /** The version the gateway serves (sent as `after`). */
  served(): number;
  /** Swaps a snapshot in; the stream waits for it (the next one may be newer still). */
  apply(s: RoutingSnapshot, from: string): Promise<void>;
  /** Connected to `url`, or lost (null). */
  onConnection(url: string | null): void;
  /** Any line from the control plane (a snapshot or a keepalive): the snapshot served is current as of now. */
  onHeard(): void;
  logger: Logger;
  backoff?: { minMs: number; maxMs: number };
  silenceMs?: number;
  /** The longest line accepted (a snapshot): a bigger one drops the connection. */
  maxLineBytes?: number;
}

/** The token was refused: retrying does not help, a person must fix it. */
export class StreamRefused extends Error {
  constructor(readonly url: string, readonly status: number, readonly detail: string) {
    super(`${url} refused this gateway's token (HTTP ${status}): ${detail}`);
  }
}

export const DEFAULT_BACKOFF = { minMs: 200, maxMs: 10_000 };
const DEFAULT_SILENCE_MS = 10_000;
const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Full jitter: a uniform delay in [0, min(max, min·2^attempt)], at least 50 ms. */
export function backoffDelay(attempt: number, b: { minMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(b.maxMs, b.minMs * 2 ** Math.min(attempt, 30));
  return Math.max(50, Math.round(random() * ceiling));
}

export class SnapshotStream {
  private closed = false;
  private current: { destroy(): void } | null = null;
  private wake: (() => void) | null = null;
  reconnects = 0;

  constructor(private readonly o: SnapshotStreamOptions) {}

  /**
   * Runs until close(). `firstRefusal` rejects when every URL refuses the token before any snapshot
   * arrived (a wrong or under-privileged token: the gateway should stop and say so).
   */
  run(firstRefusal?: (e: StreamRefused) => void): Promise<void> {
    return this.loop(firstRefusal);
  }

  close(): void {
    this.closed = true;
    this.current?.destroy();
    this.wake?.();
  }

  private async loop(firstRefusal?: (e: StreamRefused) => void): Promise<void> {
    const backoff = this.o.backoff ?? DEFAULT_BACKOFF;
    let attempt = 0;
    let index = 0;
    let refusals = 0;
    while (!this.closed) {
      const url = this.o.urls[index % this.o.urls.length]!;
      index += 1;
      let delivered = false;
      try {
        delivered = await this.once(url);
        refusals = 0;
      } catch (e) {
        if (e instanceof StreamRefused) {
          this.o.logger.error({ url, status: e.status }, e.message);
          refusals += 1;
          if (firstRefusal && this.o.served() === 0 && refusals >= this.o.urls.length) {
            firstRefusal(e);
            return;
          }
        } else if (!this.closed) {
          this.o.logger.warn({ url, err: (e as Error).message }, 'control plane stream failed; trying again');
        }
      }
      this.o.onConnection(null);
      if (this.closed) return;
      this.reconnects += 1;
      attempt = delivered ? 0 : attempt + 1;
      const delay = backoffDelay(attempt, backoff);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
      this.wake = null;
    }
  }

  /** One connection: resolves when it ends (true if it delivered anything), rejects on refusal or error. */
  private once(base: string): Promise<boolean> {
    const url = new URL('api/v1/gateway/snapshots', base.endsWith('/') ? base : base + '/');
    url.searchParams.set('after', String(this.o.served()));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const silenceMs = this.o.silenceMs ?? DEFAULT_SILENCE_MS;
    const maxLine = this.o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    return new Promise<boolean>((resolve, reject) => {
      let delivered = false;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(silence);
        req.destroy();
        this.current = null;
        if (err) reject(err); else resolve(delivered);
      };
      let silence = setTimeout(() => finish(new Error(`no data for ${silenceMs} ms`)), silenceMs);
      const heard = (): void => {
        clearTimeout(silence);
        silence = setTimeout(() => finish(new Error(`no data for ${silenceMs} ms`)), silenceMs);
      };
      const req = send(url, {
        method: 'GET', agent: false,
        headers: { authorization: `Bearer ${this.o.token}`, accept: 'application/x-ndjson' },
        ...(this.o.ca ? { ca: this.o.ca } : {}),
      }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => { if ((size += c.length) <= 65_536) chunks.push(c); });
          res.on('end', () => {
            const detail = errorMessage(Buffer.concat(chunks).toString('utf8'));
            finish(res.statusCode === 401 || res.statusCode === 403
              ? new StreamRefused(base, res.statusCode, detail)
              : new Error(`HTTP ${res.statusCode}: ${detail}`));
          });
          res.on('error', (e) => finish(e));
          return;
        }
        this.o.onConnection(base);
        this.o.logger.info({ url: base, after: this.o.served() }, 'streaming routing snapshots');
        let buffered: Buffer[] = [];
        let bufferedBytes = 0;
        // Lines are applied one at a time, in order; a line that arrives meanwhile waits its turn.
        let chain = Promise.resolve();
        res.on('data', (chunk: Buffer) => {
          heard();
          let start = 0;
          for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
            const part = chunk.subarray(start, nl);
            const line = bufferedBytes === 0 ? part : Buffer.concat([...buffered, part]);
            buffered = [];
            bufferedBytes = 0;
            start = nl + 1;
            if (line.length === 0) continue;
            chain = chain.then(() => this.handleLine(line, base)).then(() => { delivered = true; }, (e: Error) => finish(e));
          }
          if (start < chunk.length) {
            buffered.push(chunk.subarray(start));
            bufferedBytes += chunk.length - start;
            if (bufferedBytes > maxLine) finish(new Error(`a line longer than ${maxLine} bytes`));
          }
        });
        res.on('end', () => { void chain.then(() => finish()); });
        res.on('error', (e) => finish(e));
      });
      req.on('error', (e) => finish(e));
      this.current = { destroy: () => finish() };
      req.end();
    });
  }

  private async handleLine(line: Buffer, from: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      throw new Error('the control plane sent a line that is not JSON');
    }
    this.o.onHeard();
    const m = msg as { type?: unknown; snapshot?: unknown };
    if (m.type === 'keepalive') return;
    if (m.type !== 'snapshot') throw new Error(`the control plane sent an unknown message type ${JSON.stringify(m.type)}`);
    const problem = checkSnapshot(m.snapshot);
    if (problem) throw new Error(`the control plane sent an invalid routing snapshot: ${problem}`);
    const s = m.snapshot as RoutingSnapshot;
    if (s.version <= this.o.served()) return;
    await this.o.apply(s, from);
  }
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON
  }
  return body.slice(0, 500) || '(no body)';
}
