// Progress of a long-running operation on stderr: a spinner with the elapsed time and the current
// state, redrawn in place. Only on a terminal; scripts (stderr redirected) get nothing.
import type { Io } from './command.js';

const FRAMES = ['|', '/', '-', '\\'];

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private state = '';
  private readonly started = Date.now();

  constructor(private readonly io: Io, private readonly label: string, private readonly enabled = io.stderrIsTTY) {}

  start(state = ''): this {
    this.state = state;
    if (!this.enabled) return this;
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
    return this;
  }

  update(state: string): void {
    this.state = state;
  }

  elapsedSeconds(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  /** Clears the spinner line; prints `final` (a line) in its place when given. */
  stop(final?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.enabled) return;
    this.io.err('\r\x1b[K' + (final ? final + '\n' : ''));
  }

  private draw(): void {
    const frame = FRAMES[this.frame++ % FRAMES.length];
    const state = this.state ? `: ${this.state}` : '';
    this.io.err(`\r\x1b[K${frame} ${this.label}${state} (${this.elapsedSeconds()}s)`);
  }
}
