// HTTP probes of an instance (liveness and readiness), and the counting rules of Kubernetes/Azure ML:
// `failure_threshold` consecutive failures flip a probe to failing, `success_threshold` consecutive
// successes flip it back.
import { request } from 'node:http';
import type { ProbeSettings } from '../../spec/types.js';
import { INSTANCE_SECRET_HEADER } from '../../gateway/upstream.js';

/** GET url (presenting the instance's secret, when given); true on a 2xx/3xx answer within timeoutMs. */
export function httpProbe(url: string, timeoutMs: number, secret?: string): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(ok);
      req.destroy();
    };
    const headers: Record<string, string> = { 'user-agent': 'switchyard-probe' };
    if (secret) headers[INSTANCE_SECRET_HEADER] = secret;
    const req = request(url, { method: 'GET', agent: false, headers }, (res) => {
      res.resume();
      finish((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    req.on('error', () => finish(false));
    req.end();
  });
}

/** Counts consecutive probe results against a probe's thresholds. */
export class ProbeCounter {
  private failures = 0;
  private successes = 0;
  passing = true;

  constructor(private readonly settings: ProbeSettings) {}

  /** Record one result; returns true when `passing` changed. */
  record(ok: boolean): boolean {
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (!this.passing && this.successes >= Math.max(1, this.settings.success_threshold)) {
        this.passing = true;
        return true;
      }
    } else {
      this.successes = 0;
      this.failures++;
      if (this.passing && this.failures >= Math.max(1, this.settings.failure_threshold)) {
        this.passing = false;
        return true;
      }
    }
    return false;
  }

  reset(): void {
    this.failures = 0;
    this.successes = 0;
    this.passing = true;
  }
}

/** How long an instance may take to become ready: the readiness probe's initial delay plus its failure budget. */
export function startupTimeoutMs(readiness: ProbeSettings): number {
  return Math.max(5, readiness.initial_delay + readiness.period * readiness.failure_threshold) * 1000;
}
