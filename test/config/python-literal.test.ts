import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PyBytes, PyComplex, PySet, PyTuple, type PyValue } from '../../src/config/py-values.js';
import { literalOrString, NotALiteral, parsePythonLiteral } from '../../src/config/python-literal.js';
import { ROOT } from '../helpers.js';

/** Expected values produced by CPython 3.11's ast.literal_eval (make-python-literal.py). */
interface Case {
  text: string;
  value?: unknown;
  kept?: true;
  raises?: string;
}
const reference = JSON.parse(
  readFileSync(join(ROOT, 'test/reference/config/python-literal.json'), 'utf8'),
) as { cases: Case[] };

/** Decodes the tagged JSON written by the Python script into comparable JS values. */
function decode(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if ('int' in o) return Number(o.int);
  if ('float' in o) return o.float === 'inf' ? Infinity : o.float === '-inf' ? -Infinity : Number(o.float);
  if ('complex' in o) return { complex: o.complex };
  if ('bytes' in o) return { bytes: o.bytes };
  if ('tuple' in o) return { tuple: (o.tuple as unknown[]).map(decode) };
  if ('list' in o) return (o.list as unknown[]).map(decode);
  if ('set' in o) return { set: (o.set as unknown[]).map(decode) };
  if ('dict' in o) return { dict: (o.dict as [unknown, unknown][]).map(([k, x]) => [decode(k), decode(x)]) };
  throw new Error(`bad reference value ${JSON.stringify(v)}`);
}

/** Puts a parsed PyValue into the same shape as {@link decode}'s output. */
function shape(v: PyValue): unknown {
  if (v instanceof PyTuple) return { tuple: v.items.map(shape) };
  if (v instanceof PySet) {
    const items = v.items.map(shape);
    return { set: items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  }
  if (v instanceof PyBytes) return { bytes: v.text };
  if (v instanceof PyComplex) return { complex: [v.real, v.imag] };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [shape(k), shape(x)]) };
  if (Array.isArray(v)) return v.map(shape);
  return v;
}

describe('parsePythonLiteral against CPython ast.literal_eval', () => {
  for (const c of reference.cases) {
    it(`${JSON.stringify(c.text)} → ${c.kept ? 'kept' : c.raises ? c.raises : JSON.stringify(c.value)}`, () => {
      if (c.kept) {
        expect(() => parsePythonLiteral(c.text)).toThrow(NotALiteral);
        expect(literalOrString(c.text)).toBe(c.text);
      } else if (c.raises) {
        let thrown: unknown;
        try {
          parsePythonLiteral(c.text);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(Error);
        expect(thrown).not.toBeInstanceOf(NotALiteral);
      } else {
        expect(shape(parsePythonLiteral(c.text))).toEqual(decode(c.value));
      }
    });
  }
});

describe('spec §1.1 consequences, stated directly', () => {
  it('turns "(512, 512)" into a tuple and "[1.0, 0.4, 0.16]" into a list', () => {
    const t = parsePythonLiteral('(512, 512)');
    expect(t).toBeInstanceOf(PyTuple);
    expect((t as PyTuple).items).toEqual([512, 512]);
    expect(parsePythonLiteral('[1.0, 0.4, 0.16]')).toEqual([1, 0.4, 0.16]);
  });

  it('evaluates booleans, None, ints, floats and quoted strings', () => {
    expect(parsePythonLiteral('True')).toBe(true);
    expect(parsePythonLiteral('False')).toBe(false);
    expect(parsePythonLiteral('None')).toBe(null);
    expect(parsePythonLiteral('8')).toBe(8);
    expect(parsePythonLiteral('1e-4')).toBe(0.0001);
    expect(parsePythonLiteral('"10"')).toBe('10');
    expect(parsePythonLiteral('u"stepscaling"')).toBe('stepscaling');
    expect(parsePythonLiteral('101')).toBe(101);
  });

  it('keeps every non-literal of the spec verbatim', () => {
    for (const s of ['pspnet', './dataset/x/', 'a b', '12abc', '|', ' ', '']) {
      expect(literalOrString(s)).toBe(s);
    }
  });

  it('passes non-string values through untouched', () => {
    const list = [1, 'x'];
    expect(literalOrString(list)).toBe(list);
    expect(literalOrString(3)).toBe(3);
    expect(literalOrString(null)).toBe(null);
  });
});
