// A closed-loop load generator for the end-to-end walkthrough: a few loops, each sending one scoring
// request, waiting for its answer, then sending the next, over keep-alive connections. Every response
// is recorded with the phase of the walkthrough it was sent in, so the test can check which
// deployment answered in each phase and that no request failed while the rollout changed under it.
// Bounded in request count and in time whatever the test does; only ever talks to 127.0.0.1.
import { Agent, request } from 'undici';
import { performance } from 'node:perf_hooks';

export interface ScoreRecord {
  /** performance.now() when the request was sent and when its answer (or error) arrived. */
  sentAt: number;
  endedAt: number;
  /** The phase label in force when the request was sent. */
  phase: string;
  /** HTTP status, or 0 when the request failed without one (connection reset, timeout ...). */
  status: number;
  /** The `azureml-model-deployment` response header: who answered. */
  deployment: string | null;
  /** The first prediction of the answer, to check the answer came from the model the header names. */
  firstPrediction: number | null;
  /** Body (cut) of a non-200 answer, or the error message of a failed request. */
  error?: string;
}

export interface LoadOptions {
  scoringUri: string;
  key: string;
  body: string;
  /** Concurrent closed loops. */
  concurrency: number;
  /** Hard bounds: the loops stop after this many requests in total or after this long. */
  maxRequests: number;
  maxDurationMs: number;
  /** Per-request timeout (the gateway's own default request_timeout_ms is 5 s). */
  requestTimeoutMs?: number;
}

export class LoadGenerator {
  readonly records: ScoreRecord[] = [];
  phase = 'start';
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly agent: Agent;
  private startedAt = 0;
  private sent = 0;
  /** Loops with an index at or above this wait (see setActive). */
  private active = Number.POSITIVE_INFINITY;
  /** Why the loops stopped on their own (a bound was hit), if they did. */
  boundHit: string | null = null;

  constructor(private readonly opts: LoadOptions) {
    const url = new URL(opts.scoringUri);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new Error(`load generator only targets 127.0.0.1, not ${url.hostname}`);
    }
    // One keep-alive connection per loop, as a client library with a pool would do.
    this.agent = new Agent({ connections: opts.concurrency, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  start(): void {
    this.startedAt = performance.now();
    for (let i = 0; i < this.opts.concurrency; i++) this.loops.push(this.loop(i));
  }

  /**
   * How many of the loops send requests (the others wait): a deployment's in-flight bound grows with
   * its instance count, so a test that also sends its own requests lowers the load while it is small.
   */
  setActive(n: number): void {
    this.active = n;
  }

  setPhase(phase: string): void {
    this.phase = phase;
  }

  /** Requests recorded so far in a phase. */
  count(phase: string): number {
    let n = 0;
    for (const r of this.records) if (r.phase === phase) n++;
    return n;
  }

  /**
   * Waits until `target` requests of `phase` are recorded, or until `softMs` has passed with at least
   * `min` of them (a busy machine answers slower; the checks scale their tolerance with the count).
   * Rejects when `min` is not reached within `hardMs`.
   */
  async waitFor(phase: string, w: { target: number; min: number; softMs: number; hardMs: number }): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const n = this.count(phase);
      const waited = performance.now() - t0;
      if (n >= w.target || (n >= w.min && waited >= w.softMs)) return n;
      if (this.stopping || this.boundHit) throw new Error(`load stopped (${this.boundHit ?? 'stop()'}) with ${n}/${w.min} requests in phase ${phase}`);
      if (waited > w.hardMs) throw new Error(`only ${n}/${w.min} requests in phase ${phase} after ${w.hardMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the loops, waits for the requests in flight, closes the connections. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    await this.agent.close().catch(() => undefined);
  }

  private async loop(index: number): Promise<void> {
    const { scoringUri, key, body, maxRequests, maxDurationMs } = this.opts;
    const timeout = this.opts.requestTimeoutMs ?? 15_000;
    while (!this.stopping) {
      if (this.sent >= maxRequests) { this.boundHit ??= `maxRequests ${maxRequests}`; return; }
      if (performance.now() - this.startedAt > maxDurationMs) { this.boundHit ??= `maxDurationMs ${maxDurationMs}`; return; }
      if (index >= this.active) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      this.sent++;
      const rec: ScoreRecord = { sentAt: performance.now(), endedAt: 0, phase: this.phase, status: 0, deployment: null, firstPrediction: null };
      try {
        const res = await request(scoringUri, {
          method: 'POST',
          dispatcher: this.agent,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        rec.status = res.statusCode;
        const who = res.headers['azureml-model-deployment'];
        rec.deployment = typeof who === 'string' ? who : null;
        const text = await res.body.text();
        if (res.statusCode === 200) {
          try {
            const parsed: unknown = JSON.parse(text);
            rec.firstPrediction = Array.isArray(parsed) && typeof parsed[0] === 'number' ? parsed[0] : null;
            if (rec.firstPrediction === null) rec.error = `unexpected body: ${text.slice(0, 200)}`;
          } catch {
            rec.error = `body is not JSON: ${text.slice(0, 200)}`;
          }
        } else {
          rec.error = text.slice(0, 300);
        }
      } catch (err) {
        rec.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      rec.endedAt = performance.now();
      this.records.push(rec);
    }
  }
}

/** Count of records per answering deployment. */
export function tally(records: ScoreRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const k = r.deployment ?? '(none)';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** p50/p99/max latency in ms of a set of records. */
export function latency(records: ScoreRecord[]): { p50: number; p99: number; max: number } {
  const xs = records.map((r) => r.endedAt - r.sentAt).sort((a, b) => a - b);
  if (!xs.length) return { p50: 0, p99: 0, max: 0 };
  const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(xs[xs.length - 1]!) };
}

const round = (x: number) => Math.round(x * 10) / 10;
