import { describe, expect, it } from 'vitest';
import { clientKey, RateLimiter } from '../../src/service/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows count uploads per window per client and says how long to wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ count: 2, windowMs: 60_000 }, () => now);
    expect(limiter.take('a')).toEqual({ allowed: true });
    now += 10_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    now += 5_000;
    // The first upload was 15 s ago; it leaves the window in 45 s.
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(limiter.take('b')).toEqual({ allowed: true });
    now += 45_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('rounds the wait up to whole seconds, at least one', () => {
    let now = 0;
    const limiter = new RateLimiter({ count: 1, windowMs: 300_000 }, () => now);
    limiter.take('c');
    now = 299_999.5;
    expect(limiter.take('c')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 100;
    expect(limiter.take('c')).toEqual({ allowed: false, retryAfterSeconds: 300 });
  });

  it('forgets clients whose window has passed', () => {
    let now = 0;
    const limiter = new RateLimiter({ count: 1, windowMs: 1000 }, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`client-${i}`);
    expect(limiter.size).toBe(100);
    now = 5000;
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });
});

describe('clientKey', () => {
  it('keeps IPv4 addresses and groups IPv6 by /64', () => {
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8:0:1:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
