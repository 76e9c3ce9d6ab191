/** Python `repr` of config values, for YAML output and error messages. */
import { isTuple } from './defaults.js';

/** Python's `repr` for the values a config holds (strings, numbers, bools, None, lists, tuples). */
export function pythonRepr(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? '1e999' : '-1e999';
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of v) {
      const c = ch.codePointAt(0) as number;
      if (ch === '\\' || ch === q) out += `\\${ch}`;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
      else out += ch;
    }
    return `${q}${out}${q}`;
  }
  if (Array.isArray(v)) {
    const items = v.map(pythonRepr);
    if (isTuple(v)) return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    return `[${items.join(', ')}]`;
  }
  return String(v);
}
