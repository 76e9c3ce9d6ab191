import { describe, expect, it } from 'vitest';
import { checkExpansion, parseSize } from '../../src/download/expansion.js';

describe('expansion limits', () => {
  it('parses sizes for --max-extract-size and refuses what is not one', () => {
    expect([
      parseSize('64G', 'f'),
      parseSize('500M', 'f'),
      parseSize('1.5k', 'f'),
      parseSize('1024', 'f'),
      parseSize('2GiB', 'f'),
    ]).toEqual([64 * 1024 ** 3, 500 * 1024 ** 2, 1536, 1024, 2 * 1024 ** 3]);
    expect(() => parseSize('lots', '--max-extract-size')).toThrow(/--max-extract-size "lots" is not a size/);
  });

  it('dense archives pass; over-ratio and over-size ones name the limit and the flag', () => {
    expect(() => checkExpansion('a.tgz', 190e6, 178e6)).not.toThrow();
    expect(() => checkExpansion('a.tgz', 3.1e9, 14e6)).toThrow(
      /221× its size, over the 100× limit.*--max-expansion-ratio/,
    );
    expect(() => checkExpansion('a.tgz', 2e9, 1.9e9, { maxBytes: 1e9 })).toThrow(
      /over the 1000000000-byte limit.*--max-extract-size/,
    );
  });
});
