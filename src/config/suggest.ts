/**
 * "Did you mean …?" for unknown config keys: the nearest existing dotted keys by edit
 * distance, plus keys that share the misspelt key's last component (`NUM_CLASSES` →
 * `DATASET.NUM_CLASSES`).
 */

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

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
