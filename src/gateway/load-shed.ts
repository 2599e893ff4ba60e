// When the gateway is busy, mirror copies go first (a shadow must not hurt live traffic). Busy means,
// over the last sampling period, any of:
//   - the worker's event loop was active (not waiting for I/O) more than `utilization` of the time:
//     the data path's own thread has no headroom left, and copies cost it as much as live requests;
//   - its event loop was delayed by more than `loopDelayMs` on average: the thread is starved of CPU
//     (a saturated machine) or stalled; a lone stall does not count;
//   - more than `queuedRequests` live requests wait for an instance slot.
// Once busy it stays so until CALM_MS pass without any, so copies do not flap on and off. Checked once
// per copy (a field read); measured every SAMPLE_MS off the request path.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface ShedSettings {
  /** Event-loop utilization (0..1) above which copies are shed; 0: never. */
  utilization: number;
  /** Mean event-loop delay (ms) over a sampling period above which copies are shed; 0: never. */
  loopDelayMs: number;
  /** Live requests queued for an instance above which copies are shed; 0: never. */
  queuedRequests: number;
}

export const DEFAULT_SHED: ShedSettings = { utilization: 0.9, loopDelayMs: 50, queuedRequests: 16 };

const SAMPLE_MS = 100;
/** The delay histogram's resolution: its samples include it, so it is subtracted. */
const RESOLUTION_MS = 10;
const CALM_MS = 500;

export type ShedReason = 'utilization' | 'loop_delay' | 'queued';

export class LoadShed {
  busy = false;
  /** Why the last busy sample was busy, and the last sample's figures (metrics JSON). */
  reason: ShedReason | null = null;
  last = { utilization: 0, delayMs: 0, queued: 0 };
  private calmSince = 0;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly settings: ShedSettings, private readonly queued: () => number) {
    this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** For the mirror lanes: true while copies should be dropped. */
  readonly check = (): boolean => this.busy;

  sample(now = Date.now()): void {
    const elu = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(elu, this.elu).utilization;
    this.elu = elu;
    const mean = this.histogram.count > 0 ? this.histogram.mean / 1e6 : 0;
    this.histogram.reset();
    this.last = { utilization, delayMs: Math.max(0, mean - RESOLUTION_MS), queued: this.queued() };
    const s = this.settings;
    const reason: ShedReason | null =
      s.utilization > 0 && utilization > s.utilization ? 'utilization'
        : s.loopDelayMs > 0 && this.last.delayMs > s.loopDelayMs ? 'loop_delay'
          : s.queuedRequests > 0 && this.last.queued > s.queuedRequests ? 'queued'
            : null;
    if (reason !== null) {
      this.busy = true;
      this.reason = reason;
      this.calmSince = 0;
    } else if (this.busy) {
      if (this.calmSince === 0) this.calmSince = now;
      else if (now - this.calmSince >= CALM_MS) this.busy = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
