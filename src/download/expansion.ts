/**
 * The expansion limit of extraction (an archive bomb: 14 MB of gzip that expands to 3 GB):
 * the total size an archive's listing declares is checked before anything is extracted,
 * against an absolute limit and a ratio to the archive's own size. PaddleSeg's archives
 * (weights, images, PNG labels) are already dense: their ratios stay near 1, so the defaults
 * leave a wide margin; `pdseg download --max-extract-size / --max-expansion-ratio` move them.
 */
import { PdsegError } from '../errors.js';

/** Limits of one extraction. */
export interface ExpansionLimit {
  /** Largest total of the entries' sizes, bytes (default 64 GiB). */
  maxBytes?: number;
  /** Largest total ÷ archive size (default 100). */
  maxRatio?: number;
}

export const DEFAULT_MAX_EXTRACT_BYTES = 64 * 1024 ** 3;
export const DEFAULT_MAX_EXPANSION_RATIO = 100;

/** Throws ARCHIVE_UNSAFE when `total` declared bytes exceed the limit for an archive of `archiveBytes`. */
export function checkExpansion(
  archive: string,
  total: number,
  archiveBytes: number,
  limit: ExpansionLimit = {},
): void {
  const maxBytes = limit.maxBytes ?? DEFAULT_MAX_EXTRACT_BYTES;
  const maxRatio = limit.maxRatio ?? DEFAULT_MAX_EXPANSION_RATIO;
  if (total > maxBytes) {
    throw new PdsegError(
      'ARCHIVE_UNSAFE',
      `archive '${archive}' would expand to ${total} bytes, over the ${maxBytes}-byte limit; nothing was extracted. If the archive is genuine, raise the limit with --max-extract-size`,
    );
  }
  const ratio = total / Math.max(archiveBytes, 1);
  if (ratio > maxRatio) {
    throw new PdsegError(
      'ARCHIVE_UNSAFE',
      `archive '${archive}' (${archiveBytes} bytes) would expand to ${total} bytes, ${ratio.toFixed(0)}× its size, over the ${maxRatio}× limit (an archive bomb?); nothing was extracted. If the archive is genuine, raise the limit with --max-expansion-ratio`,
    );
  }
}

/** Parses a size like `64G`, `500M`, `1024` (bytes) for the CLI. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?$/.exec(text.trim());
  if (!m)
    throw new PdsegError('USAGE', `${flag} "${text}" is not a size; write e.g. 64G, 500M or a byte count`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[
    m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'
  ];
  return Math.round(Number(m[1]) * unit);
}
