// Pairing of mirrored answers, beside the data path (evidence never slows the data path).
// For a request that is copied to one or more shadows, the live exchange records its answer (status,
// latency, body up to a cap) in a LiveSide; each copy records the shadow's answer in a Pair. When both
// halves of a pair are in, the pair is queued for the comparer, which runs on the main thread: pairs
// leave in batches by message, at most MAX_UNACKED of them in transit (a slow or dead comparer costs
// drops, never latency). Nothing here blocks, waits or throws towards the live request.
//
// Memory is bounded three ways: at most MAX_OPEN_PAIRS pairs waiting for their other half, at most
// MAX_CAPTURE_BYTES of answer bytes held by them, and each half ends by its own request timeout (the
// live exchange's and the mirror copy's), so a shadow that never answers frees its pair after its
// request_timeout_ms (plus at most as long again in the mirror lane's queue).
import type { DropReason, PairRecord } from './protocol.js';

/** Bytes of an answer kept for comparison; a longer answer makes its pair a drop ('too_large'). */
export const ANSWER_CAP_BYTES = 64 * 1024;
/** Bytes of the request kept with a pair (for the samples of disagreements). */
export const REQUEST_EXCERPT_BYTES = 4 * 1024;
export const MAX_OPEN_PAIRS = 4096;
export const MAX_CAPTURE_BYTES = 32 * 1024 * 1024;
/** Pairs handed to the comparer and not yet acknowledged; beyond it pairs are dropped ('comparer_backlog'). */
export const MAX_UNACKED = 8192;
/** Pairs per message and the longest a completed pair waits for its batch. */
const BATCH_MAX = 256;
const BATCH_MS = 50;

/** What leaves the worker: a batch of pairs and the drop counts since the previous batch. */
export interface EvidenceBatch {
  pairs: PairRecord[];
  drops: Array<{ endpoint: string; shadow: string; reason: DropReason; n: number }>;
}

class Capture {
  chunks: Buffer[] = [];
  bytes = 0;
  truncated = false;

  constructor(private readonly pairing: Pairing) {}

  add(chunk: Buffer): void {
    if (this.truncated) return;
    if (this.bytes + chunk.length > ANSWER_CAP_BYTES || !this.pairing.reserve(chunk.length)) {
      this.truncated = true;
      this.release();
      return;
    }
    this.bytes += chunk.length;
    // A copy: the chunk may be a view of a larger socket read the connection would otherwise keep.
    this.chunks.push(Buffer.from(chunk));
  }

  take(): Uint8Array | null {
    if (this.truncated) return null;
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  release(): void {
    this.pairing.unreserve(this.bytes);
    this.bytes = 0;
    this.chunks = [];
  }
}

/** The live half, shared by every shadow the request was copied to. */
export class LiveSide {
  status = 0;
  ms = 0;
  done = false;
  incomplete = false;
  private readonly body: Capture;
  private readonly waiting: Pair[] = [];
  private open = 0;

  constructor(
    readonly pairing: Pairing,
    readonly endpoint: string,
    readonly deployment: string,
    readonly requestId: string,
    readonly request: Uint8Array | null,
    readonly requestBytes: number,
  ) {
    this.body = new Capture(pairing);
  }

  /** A pair for one shadow; null when the pairing is full (the copy is still sent, counted as a drop). */
  pairFor(shadow: string, kind: 'mirror' | 'shadow' | 'noise'): Pair | null {
    if (!this.pairing.admit(this.endpoint, shadow)) return null;
    this.open++;
    return new Pair(this, shadow, kind);
  }

  onStatus(status: number): void {
    if (status >= 200 && this.status === 0) this.status = status;
  }

  onData(chunk: Buffer): void {
    this.body.add(chunk);
  }

  /**
   * The client has its answer. `complete` is false when the answer was cut (client left, stream
   * broken): such a live answer cannot be compared. `status` is the instance's status when it answered,
   * else the gateway's (408, 424).
   */
  finish(status: number, ms: number, complete: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.status === 0) this.status = status;
    this.ms = ms;
    this.incomplete = !complete;
    const waiting = this.waiting.splice(0);
    for (const p of waiting) p.settle();
    if (this.open === 0) this.body.release();
  }

  /** @internal */
  wait(p: Pair): void {
    this.waiting.push(p);
  }

  /** @internal: a pair is over (sent or dropped). */
  close(): void {
    this.open--;
    if (this.open === 0 && this.done) this.body.release();
  }

  /** @internal */
  get truncated(): boolean {
    return this.body.truncated;
  }

  /** @internal */
  bodyBytes(): Uint8Array | null {
    return this.body.take();
  }

  /** @internal */
  get capturedBytes(): number {
    return this.body.bytes;
  }
}

/** One shadow's half; the mirror copy feeds it. */
export class Pair {
  private status = 0;
  private ms = 0;
  private error: string | null = null;
  private done = false;
  private over = false;
  private readonly body: Capture;

  constructor(readonly live: LiveSide, readonly shadow: string, readonly kind: 'mirror' | 'shadow' | 'noise') {
    this.body = new Capture(live.pairing);
  }

  onStatus(status: number): void {
    if (status >= 200 && this.status === 0) this.status = status;
  }

  onData(chunk: Buffer): void {
    this.body.add(chunk);
  }

  /** The shadow answered (any status), failed (`error`: 'timeout', 'connection') or was never sent. */
  finish(ms: number, error: string | null): void {
    if (this.done || this.over) return;
    this.done = true;
    this.ms = ms;
    this.error = error;
    if (error !== null) this.status = 0;
    if (this.live.done) this.settle();
    else this.live.wait(this);
  }

  /** The copy never reached the shadow (lane full, stale, busy): counted, not compared. */
  drop(reason: DropReason): void {
    if (this.over) return;
    this.end();
    this.live.pairing.drop(this.live.endpoint, this.shadow, reason);
  }

  /** @internal: both halves are in. */
  settle(): void {
    if (this.over) return;
    const live = this.live;
    if (live.incomplete) return this.drop('live_incomplete');
    if (live.truncated || this.body.truncated) return this.drop('too_large');
    const record: PairRecord = {
      endpoint: live.endpoint,
      live: live.deployment,
      shadow: this.shadow,
      kind: this.kind,
      requestId: live.requestId,
      at: Date.now(),
      request: live.request,
      requestBytes: live.requestBytes,
      liveStatus: live.status,
      liveMs: live.ms,
      liveBody: live.bodyBytes(),
      shadowStatus: this.status,
      shadowMs: this.ms,
      shadowError: this.error,
      shadowBody: this.error === null ? this.body.take() : null,
    };
    this.end();
    live.pairing.emit(record);
  }

  private end(): void {
    this.over = true;
    this.body.release();
    this.live.pairing.closePair();
    this.live.close();
  }
}

/** Per gateway: admission of pairs, byte budget, batching towards the comparer, drop counts. */
export class Pairing {
  openPairs = 0;
  capturedBytes = 0;
  unacked = 0;
  private batch: PairRecord[] = [];
  private drops = new Map<string, { endpoint: string; shadow: string; reason: DropReason; n: number }>();
  private timer: NodeJS.Timeout | null = null;
  private readonly flushNow = (): void => this.flush();

  /** `send` posts a batch to the comparer (worker → main thread); null: pairs are not collected. */
  constructor(private readonly send: ((b: EvidenceBatch) => void) | null) {}

  get enabled(): boolean {
    return this.send !== null;
  }

  /** What the pairing holds now (metrics JSON: proves the bounds). */
  figures(): { openPairs: number; capturedBytes: number; unacked: number } {
    return { openPairs: this.openPairs, capturedBytes: this.capturedBytes, unacked: this.unacked + this.batch.length };
  }

  /** The live side of a request about to be copied; null when pairs are not collected at all. */
  liveSide(endpoint: string, deployment: string, requestId: string, body: Buffer | null): LiveSide | null {
    if (this.send === null) return null;
    const n = body?.length ?? 0;
    const excerpt = body === null ? null : new Uint8Array(body.subarray(0, REQUEST_EXCERPT_BYTES));
    return new LiveSide(this, endpoint, deployment, requestId, excerpt, n);
  }

  /** @internal */
  admit(endpoint: string, shadow: string): boolean {
    if (this.openPairs >= MAX_OPEN_PAIRS) {
      this.drop(endpoint, shadow, 'pairing_full');
      return false;
    }
    this.openPairs++;
    return true;
  }

  /** @internal */
  closePair(): void {
    this.openPairs--;
  }

  /** @internal */
  reserve(bytes: number): boolean {
    if (this.capturedBytes + bytes > MAX_CAPTURE_BYTES) return false;
    this.capturedBytes += bytes;
    return true;
  }

  /** @internal */
  unreserve(bytes: number): void {
    this.capturedBytes -= bytes;
  }

  drop(endpoint: string, shadow: string, reason: DropReason, n = 1): void {
    if (this.send === null) return;
    const key = `${endpoint}\u0000${shadow}\u0000${reason}`;
    const d = this.drops.get(key);
    if (d === undefined) this.drops.set(key, { endpoint, shadow, reason, n });
    else d.n += n;
    this.schedule();
  }

  /** @internal */
  emit(record: PairRecord): void {
    if (this.unacked + this.batch.length >= MAX_UNACKED) {
      this.drop(record.endpoint, record.shadow, 'comparer_backlog');
      return;
    }
    this.batch.push(record);
    if (this.batch.length >= BATCH_MAX) this.flush();
    else this.schedule();
  }

  /** The comparer has handled `n` pairs. */
  ack(n: number): void {
    this.unacked = Math.max(0, this.unacked - n);
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.send === null || (this.batch.length === 0 && this.drops.size === 0)) return;
    const batch: EvidenceBatch = { pairs: this.batch, drops: [...this.drops.values()] };
    this.batch = [];
    this.drops = new Map();
    this.unacked += batch.pairs.length;
    this.send(batch);
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(this.flushNow, BATCH_MS);
    this.timer.unref();
  }
}
