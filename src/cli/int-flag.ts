/** Whole-number flags of the commands (`--threads`, `--batch-size`, `--shards`…). */
import { PdsegError } from '../errors.js';

/** `text` as a whole number ≥ `min` (undefined when the flag was not given); a USAGE error names the flag. */
export function intFlag(text: string | undefined, flag: string, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new PdsegError(
      'USAGE',
      min === 1
        ? `${flag} must be a positive integer, got "${text}"`
        : `${flag} must be a whole number ≥ ${min}, got "${text}"`,
    );
  }
  return n;
}
