// Denied attempts (401, 403, and 429 of the failed-authentication limit), kept apart from the audit log
// of real actions so that no amount of anonymous traffic can push real actions out. They are counted
// in memory per (minute, source, principal, action, reason) and written in one transaction every few
// seconds: a flood of bad tokens costs a map update per request, not a synchronous disk write. Memory is
// bounded (past `maxPending` distinct keys, further ones are counted under source "(other)"), and so is
// the table (retention days and a row cap, enforced at each flush).
import type { Logger } from '../logger.js';
import type { DeniedAttempt, Store } from '../store/store.js';

/** Why a request was denied. */
export type DeniedReason = 'missing-token' | 'invalid-token' | 'expired-token' | 'forbidden' | 'rate-limited';

export interface DeniedAttemptsOptions {
  retentionDays: number;
  maxRows: number;
  /** Distinct keys held between flushes (default 10,000). */
  maxPending?: number;
  /** How often pending counts are written (default 5 s). */
  flushMs?: number;
  now?: () => Date;
}

const OTHER_SOURCE = '(other)';
const MINUTE = 60_000;

export class DeniedAttempts {
  private pending = new Map<string, DeniedAttempt>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => Date;
  private readonly maxPending: number;

  constructor(private readonly store: Store, private readonly logger: Logger, private readonly options: DeniedAttemptsOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxPending = options.maxPending ?? 10_000;
    this.timer = setInterval(() => this.flush(), options.flushMs ?? 5000);
    this.timer.unref();
  }

  record(attempt: { source: string; principal: string; action: string; reason: DeniedReason; status: number }): void {
    const at = this.now();
    const window = new Date(Math.floor(at.getTime() / MINUTE) * MINUTE).toISOString();
    let source = attempt.source;
    let key = `${window}\n${source}\n${attempt.principal}\n${attempt.action}\n${attempt.reason}`;
    let row = this.pending.get(key);
    if (row === undefined && this.pending.size >= this.maxPending) {
      source = OTHER_SOURCE;
      key = `${window}\n${source}\n${attempt.principal}\n${attempt.action}\n${attempt.reason}`;
      row = this.pending.get(key);
    }
    const stamp = at.toISOString();
    if (row === undefined) {
      row = { window, source, principal: attempt.principal, action: attempt.action, reason: attempt.reason, status: attempt.status, count: 0, first_at: stamp, last_at: stamp };
      this.pending.set(key, row);
    }
    row.count++;
    row.last_at = stamp;
    row.status = attempt.status;
  }

  /** Writes pending counts (one transaction) and prunes old or excess rows. Never throws. */
  flush(): void {
    if (this.pending.size === 0) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    try {
      this.store.addDeniedAttempts(rows);
      const cutoff = new Date(this.now().getTime() - this.options.retentionDays * 86_400_000).toISOString();
      this.store.pruneDeniedAttempts(cutoff, this.options.maxRows);
    } catch (e) {
      this.logger.error({ err: e, rows: rows.length }, 'could not write denied attempts to the audit log');
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
