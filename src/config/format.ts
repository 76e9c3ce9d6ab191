/**
 * Printing a config as YAML (reloadable by pdseg and by PaddleSeg: tuples are written as
 * PaddleSeg's configs write them, `(512, 512)`, and strings that would literal-evaluate to
 * something else are Python-quoted) or as JSON (tuples as arrays).
 */
import { dump } from 'js-yaml';
import { isTuple, leafTypes } from './defaults.js';
import { literalOrString } from './python-literal.js';
import { pythonRepr } from './python-repr.js';

/** YAML text of a config tree, keys in PaddleSeg's order (spec §1.2). */
export function treeToYaml(tree: Record<string, unknown>): string {
  const types = leafTypes();
  const lines: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string, indent: string) => {
    for (const [k, v] of Object.entries(node)) {
      const dotted = prefix === '' ? k : `${prefix}.${k}`;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        lines.push(`${indent}${k}:`);
        walk(v as Record<string, unknown>, dotted, `${indent}  `);
      } else {
        lines.push(`${indent}${k}: ${yamlScalar(v, types.get(dotted) ?? '')}`);
      }
    }
  };
  walk(tree, '', '');
  return `${lines.join('\n')}\n`;
}

function yamlScalar(v: unknown, type: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberText(v, type.split('|').includes('float'));
  if (typeof v === 'string') return yamlString(literalOrString(v) === v ? v : pythonRepr(v));
  if (Array.isArray(v)) {
    if (isTuple(v)) return yamlString(pythonRepr(v));
    const floats = /list\[float\]/.test(type);
    return `[${v.map((x) => (typeof x === 'number' ? numberText(x, floats) : flowItem(x))).join(', ')}]`;
  }
  return yamlString(String(v));
}

function numberText(n: number, float: boolean): string {
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : n < 0 ? '-.inf' : '.nan';
  return float && Number.isInteger(n) ? `${n}.0` : String(n);
}

function flowItem(x: unknown): string {
  return dump(x, { flowLevel: 0, lineWidth: -1 }).trimEnd();
}

function yamlString(s: string): string {
  const text = dump(s, { lineWidth: -1, forceQuotes: s.includes('\n') }).trimEnd();
  return text;
}
