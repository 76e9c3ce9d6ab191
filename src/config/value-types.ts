/**
 * Type checking of config values against the types of the default tree (spec §1.2), one
 * of pdseg's deliberate differences from PaddleSeg, which checks nothing (spec §1.1): a
 * value that does not fit is a `CONFIG_TYPE` error naming the key, the value and the type.
 * Also converts literal-evaluated Python values into plain config values (tuples become
 * tuple-marked arrays).
 */
import { tuple } from './defaults.js';
import { PyBytes, PyComplex, PySet, PyTuple } from './py-values.js';
import { pythonRepr } from './python-repr.js';

/** A readable description of a Python-ish value, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the int ${value}` : `the float ${value}`;
  if (value instanceof PyTuple) return `the tuple ${pythonRepr(toConfigValue(value))}`;
  if (value instanceof PySet) return 'a set';
  if (value instanceof PyBytes) return 'bytes';
  if (value instanceof PyComplex) return 'a complex number';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return `the list ${pythonRepr(value)}`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** What went wrong when a value does not fit a type; `undefined` when it fits. */
export function typeMismatch(value: unknown, type: string): string | undefined {
  const alternatives = splitAlternatives(type);
  for (const alt of alternatives) if (fits(value, alt)) return undefined;
  return `expected ${alternatives.map(humanType).join(' or ')}, got ${describeValue(value)}`;
}

function splitAlternatives(type: string): string[] {
  return type.split('|');
}

function humanType(t: string): string {
  const m = /^(list|tuple)\[(.+)\]$/.exec(t);
  if (m) return `a list or tuple of ${m[2]}s`;
  if (t === 'list') return 'a list';
  if (t === 'None') return 'None';
  if (t === 'number') return 'a number';
  return `${t === 'int' ? 'an' : 'a'} ${t}`;
}

function fits(value: unknown, t: string): boolean {
  switch (t) {
    case 'any':
      return true;
    case 'None':
      return value === null;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'number':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'str':
      return typeof value === 'string';
    case 'list':
      return Array.isArray(value) || value instanceof PyTuple;
  }
  const m = /^(?:list|tuple)\[(.+)\]$/.exec(t);
  if (!m) throw new Error(`bad type string ${t}`);
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  return items?.every((item) => fits(item, m[1] as string)) ?? false;
}

/** Converts a literal-evaluated value into a config value: tuples → tuple-marked arrays. */
export function toConfigValue(value: unknown): unknown {
  if (value instanceof PyTuple) return tuple(...value.items.map(toConfigValue));
  if (Array.isArray(value)) return value.map(toConfigValue);
  return value;
}
