import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { formatRate, parseRate, parseSize } from '../../src/service/limits.js';

describe('parseSize', () => {
  it('reads decimal and binary units', () => {
    expect(parseSize('100MB', '--max-size')).toBe(100_000_000);
    expect(parseSize('512KiB', '--max-size')).toBe(524_288);
    expect(parseSize('2g', '--max-size')).toBe(2 * 1024 ** 3);
    expect(parseSize('1.5 GB', '--max-size')).toBe(1_500_000_000);
    expect(parseSize('4096', '--max-size')).toBe(4096);
  });

  it('rejects text that is not a size, naming the flag', () => {
    const err = (() => {
      try {
        parseSize('lots', '--max-storage');
      } catch (e) {
        return e;
      }
    })() as PdsegError;
    expect(err).toBeInstanceOf(PdsegError);
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain("--max-storage 'lots' is not a size");
    expect(() => parseSize('0MB', '--max-size')).toThrow(/larger than zero/);
  });
});

describe('parseRate', () => {
  it("reads VisualDL's one upload per five minutes and other windows", () => {
    expect(parseRate('1/5min')).toEqual({ count: 1, windowMs: 300_000 });
    expect(parseRate('10/1h')).toEqual({ count: 10, windowMs: 3_600_000 });
    expect(parseRate('3/30s')).toEqual({ count: 3, windowMs: 30_000 });
    expect(parseRate('5/min')).toEqual({ count: 5, windowMs: 60_000 });
  });

  it('treats 0 as disabled', () => {
    expect(parseRate('0')).toBeUndefined();
    expect(parseRate('0/5min')).toBeUndefined();
  });

  it('rejects malformed rates with the flag and an example', () => {
    expect(() => parseRate('fast')).toThrow(/--rate 'fast' is not a rate.*1\/5min/);
    expect(() => parseRate('1/5parsecs')).toThrow(PdsegError);
  });

  it('formats rates back', () => {
    expect(formatRate({ count: 1, windowMs: 300_000 })).toBe('1/5min');
    expect(formatRate({ count: 2, windowMs: 7_200_000 })).toBe('2/2h');
    expect(formatRate({ count: 3, windowMs: 30_000 })).toBe('3/30s');
    expect(formatRate(undefined)).toBe('off');
  });
});
