// Rate limit of failed authentication per source: a fixed window per source address, counting requests
// that carried no valid token. Past `limit` failures in a window, the source's further failures answer
// 429 with Retry-After (the seconds left in its window) instead of 401. Requests with a valid token are
// never limited, so an attacker sharing an address (NAT, a proxy) cannot lock real users out; with
// 256-bit tokens the limit is about cost (log rows, CPU), not about guessing.
// Memory is bounded: at most `maxSources` sources are remembered; when full, the one whose window
// started longest ago is forgotten. IPv6 sources count per /64, the block one host usually holds.

export interface AuthFailureVerdict {
  limited: boolean;
  /** Seconds until the source's window ends (when limited). */
  retryAfterSeconds: number;
}

export interface AuthFailureLimiterOptions {
  limit: number;
  windowMs: number;
  maxSources: number;
  now?: () => number;
}

/** The key a source counts under: an IPv4 address as is, an IPv6 address by its /64 prefix. */
export function sourceKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => (parseInt(g || '0', 16) || 0).toString(16)).join(':')}::/64`;
}

export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  private readonly now: () => number;

  constructor(private readonly options: AuthFailureLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records one failed authentication from `address`; says whether it is over the limit. */
  fail(address: string | undefined): AuthFailureVerdict {
    const key = sourceKey(address);
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.options.windowMs) {
      // Re-inserted so that Map order is the order windows started in (the oldest is evicted first).
      if (w !== undefined) this.windows.delete(key);
      else if (this.windows.size >= this.options.maxSources) this.windows.delete(this.windows.keys().next().value!);
      w = { start: now, failures: 0 };
      this.windows.set(key, w);
    }
    w.failures++;
    if (w.failures <= this.options.limit) return { limited: false, retryAfterSeconds: 0 };
    return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.options.windowMs - now) / 1000)) };
  }

  /** Sources remembered now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }
}
