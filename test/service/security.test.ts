import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { bearerMatches, checkExposure, isLoopbackHost } from '../../src/service/security.js';

describe('isLoopbackHost', () => {
  it('recognises loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
  });
  it('treats wildcard and other addresses as exposed', () => {
    for (const h of [
      '0.0.0.0',
      '::',
      '192.168.1.10',
      '10.0.0.1',
      'example.org',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe('checkExposure', () => {
  it('refuses a non-loopback bind without a token', () => {
    let err: unknown;
    try {
      checkExposure('0.0.0.0', undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('USAGE');
    expect((err as PdsegError).message).toContain("refusing to serve on '0.0.0.0' without a token");
  });
  it('accepts loopback without a token and exposure with one', () => {
    expect(() => checkExposure('127.0.0.1', undefined)).not.toThrow();
    expect(() => checkExposure('0.0.0.0', 'a-long-secret')).not.toThrow();
    expect(() => checkExposure('::', 'short')).toThrow(/at least 8/);
  });
});

describe('bearerMatches', () => {
  it('accepts only the exact bearer token', () => {
    expect(bearerMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerMatches('bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerMatches('Bearer s3cret-tokeN', 's3cret-token')).toBe(false);
    expect(bearerMatches('Basic s3cret-token', 's3cret-token')).toBe(false);
    expect(bearerMatches(undefined, 's3cret-token')).toBe(false);
    expect(bearerMatches('Bearer ', 's3cret-token')).toBe(false);
  });
});
