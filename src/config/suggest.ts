/**
 * "Did you mean …?" for unknown config keys: the nearest existing dotted keys by edit
 * distance, plus keys that share the misspelt key's last component (`NUM_CLASSES` →
 * `DATASET.NUM_CLASSES`).
 */
import { editDistance } from '../util/edit-distance.js';

/** Up to `limit` existing keys closest to `key`, best first. */
export function nearestKeys(key: string, known: readonly string[], limit = 3): string[] {
  const upper = key.toUpperCase();
  const last = upper.slice(upper.lastIndexOf('.') + 1);
  const scored: Array<[string, number]> = [];
  for (const k of known) {
    const d = editDistance(upper, k);
    const kLast = k.slice(k.lastIndexOf('.') + 1);
    const threshold = Math.max(2, Math.floor(key.length / 4));
    if (d <= threshold) scored.push([k, d]);
    else if (kLast === last || editDistance(last, kLast) <= 1)
      scored.push([k, threshold + editDistance(last, kLast)]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.slice(0, limit).map(([k]) => k);
}
