// Serialises work per key: two reconciles of one endpoint or deployment never overlap, while different
// keys run concurrently. Requests for a key that already has one run waiting are coalesced into it
// (reconcile is level-triggered: one more pass reads the latest spec anyway).
export class KeyedQueue {
  private readonly running = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly onError: (key: string, error: unknown) => void = () => {}) {}

  /** Runs `work` for `key` after the current run of that key; resolves when a run that started after this call ends. */
  run(key: string, work: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    const before = this.running.get(key);
    const next = (async () => {
      if (before) await before;
      this.pending.delete(key);
      if (this.closed) return;
      try {
        await work();
      } catch (e) {
        this.onError(key, e);
      }
    })();
    if (before) this.pending.set(key, next);
    this.running.set(key, next);
    void next.finally(() => {
      if (this.running.get(key) === next) this.running.delete(key);
    });
    return next;
  }

  /** Resolves when nothing is running or waiting. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  /** Stops taking new work; waits for what runs, at most `timeoutMs`. */
  async close(timeoutMs = Infinity): Promise<void> {
    this.closed = true;
    if (timeoutMs === Infinity) return this.idle();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }
}
