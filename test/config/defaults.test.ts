import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, isTuple } from '../../src/config/index.js';
import { PyTuple, type PyValue } from '../../src/config/py-values.js';
import { parsePythonLiteral } from '../../src/config/python-literal.js';
import { SHARED } from '../helpers.js';

/** Rows of the spec §1.2 table: key and the first backticked token of the default column. */
function specRows(): Array<{ key: string; literal: string }> {
  const spec = readFileSync(join(SHARED, 'spec', 'paddleseg-static.md'), 'utf8');
  const section = spec.slice(spec.indexOf('### 1.2'), spec.indexOf('## 2.'));
  const rows: Array<{ key: string; literal: string }> = [];
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z0-9_.]+)` \| `([^`]*)`/.exec(line);
    if (m) rows.push({ key: m[1] as string, literal: m[2] as string });
  }
  return rows;
}

function leaves(node: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [kk, vv] of leaves(v as Record<string, unknown>, key)) out.set(kk, vv);
    } else out.set(key, v);
  }
  return out;
}

function plain(v: PyValue): unknown {
  if (v instanceof PyTuple) return v.items.map(plain);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('default tree (spec §1.2)', () => {
  const rows = specRows();
  const cfg = leaves(defaultConfig());

  it('reads the whole spec table', () => {
    expect(rows.length).toBeGreaterThan(120);
  });

  it('has exactly the keys of the spec table, in its order', () => {
    expect([...cfg.keys()]).toEqual(rows.map((r) => r.key));
  });

  it('has every default value of the spec table', () => {
    for (const { key, literal } of rows) {
      expect({ key, value: cfg.get(key) }).toEqual({ key, value: plain(parsePythonLiteral(literal)) });
    }
  });

  it('stores tuple defaults as tuples and list defaults as lists', () => {
    const c = defaultConfig();
    expect(isTuple(c.AUG.FIX_RESIZE_SIZE)).toBe(true);
    expect(isTuple(c.EVAL_CROP_SIZE)).toBe(true);
    expect(isTuple(c.MEAN)).toBe(false);
  });

  it('is deeply frozen and fresh on every call', () => {
    const a = defaultConfig();
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.DATASET)).toBe(true);
    expect(Object.isFrozen(a.MEAN)).toBe(true);
    expect(defaultConfig()).not.toBe(a);
  });
});
