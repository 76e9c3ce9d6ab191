/**
 * Per-client upload rate limit (issue 8, `--rate`): a sliding window of the last `count`
 * upload times per client address. A refused attempt learns how many seconds to wait,
 * which the server sends as `Retry-After`. Expired clients are swept so memory stays
 * proportional to the clients seen within one window.
 */
import type { RateSpec } from './limits.js';

/** Outcome of {@link RateLimiter.take}. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Sliding-window limiter keyed by client address. The clock is injectable for tests. */
export class RateLimiter {
  readonly #spec: RateSpec;
  readonly #now: () => number;
  readonly #hits = new Map<string, number[]>();
  #nextSweep = 0;

  constructor(spec: RateSpec, now: () => number = Date.now) {
    this.#spec = spec;
    this.#now = now;
  }

  /** Records an attempt by `client` when allowed; otherwise says how long to wait. */
  take(client: string): RateDecision {
    const now = this.#now();
    this.#sweep(now);
    const since = now - this.#spec.windowMs;
    const times = (this.#hits.get(client) ?? []).filter((t) => t > since);
    if (times.length >= this.#spec.count) {
      this.#hits.set(client, times);
      const waitMs = times[0]! + this.#spec.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    times.push(now);
    this.#hits.set(client, times);
    return { allowed: true };
  }

  /** Number of clients currently remembered (for tests of the sweep). */
  get size(): number {
    return this.#hits.size;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#spec.windowMs;
    const since = now - this.#spec.windowMs;
    for (const [client, times] of this.#hits) {
      if (times[times.length - 1]! <= since) this.#hits.delete(client);
    }
  }
}

/**
 * The rate-limit key of a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by its
 * /64 prefix, since one host usually owns a whole /64 and could otherwise rotate addresses.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
