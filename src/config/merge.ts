/**
 * Merging into the config tree (spec §1.1): `update_from_segconfig` (a YAML mapping, walked
 * key by key; mappings are descended, other values assigned) and `update_from_list`
 * (`KEY VALUE` pairs). Every string value is literal-evaluated on assignment, like
 * `SegConfig.__setitem__`. Deliberate differences from PaddleSeg: unknown keys are errors
 * with suggestions and `file:line`; values must fit the type of their default; a scalar may
 * not replace a sub-tree; an odd number of override words is an error showing the pairs.
 */
import { PdsegError } from '../errors.js';
import { type ConfigTree, DEFAULT_ROWS, leafTypes } from './defaults.js';
import { checkValueLength } from './limits.js';
import { PyBytes, PyComplex, type PyDict, PySet, type PyValue } from './py-values.js';
import { literalOrString } from './python-literal.js';
import { nearestKeys } from './suggest.js';
import { describeValue, toConfigValue, typeMismatch } from './value-types.js';
import { lineOfKey, type YamlSource } from './yaml-source.js';

/** Where a value came from, for messages. */
export type Origin = { kind: 'file'; source: YamlSource } | { kind: 'cli' };

/** Every dotted key of the default tree, groups included (`DATASET`, `DATASET.NUM_CLASSES`). */
function allKeys(): string[] {
  const keys = new Set<string>();
  for (const [key] of DEFAULT_ROWS) {
    const parts = key.split('.');
    for (let i = 1; i <= parts.length; i++) keys.add(parts.slice(0, i).join('.'));
  }
  return [...keys];
}

function where(origin: Origin, key: string): string {
  if (origin.kind === 'cli') return ' (command line)';
  const line = lineOfKey(origin.source, key);
  return line === undefined ? ` (${origin.source.file})` : ` (${origin.source.file}:${line})`;
}

function unknownKey(key: string, origin: Origin, detail = ''): PdsegError {
  const near = nearestKeys(key, allKeys());
  const hint =
    near.length > 0 ? ` — did you mean ${near.join(' or ')}?` : ' — see `pdseg config` for every key';
  return new PdsegError(
    'CONFIG_UNKNOWN_KEY',
    `Non-existent config key: ${key}${detail}${hint}${where(origin, key)}`,
  );
}

function isGroup(v: unknown): v is ConfigTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies a YAML mapping (or a dict literal) under `prefix` (spec §1.1 update_from_segconfig).
 * `evaluated` is true for the items of a dict literal, which were literal-evaluated already.
 */
export function mergeMapping(
  tree: ConfigTree,
  mapping: Record<string, unknown>,
  prefix: string,
  origin: Origin,
  evaluated = false,
): void {
  for (const [k, v] of Object.entries(mapping)) {
    const dotted = prefix === '' ? k : `${prefix}.${k}`;
    if (isPlainMapping(v)) {
      const target = lookup(tree, dotted, origin);
      if (!isGroup(target.value)) {
        throw new PdsegError(
          'CONFIG_TYPE',
          `${dotted} is a single value, not a group of keys, but a mapping was given${where(origin, dotted)}`,
        );
      }
      mergeMapping(tree, v, dotted, origin, evaluated);
    } else {
      setValue(tree, dotted, v, origin, evaluated);
    }
  }
}

/** Applies `KEY VALUE` words from the command line (spec §1.1 update_from_list). */
export function mergeOverrides(tree: ConfigTree, words: readonly string[]): void {
  if (words.length % 2 !== 0) {
    const pairs: string[] = [];
    for (let i = 0; i < words.length; i += 2) {
      pairs.push(i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : `${words[i]} <missing value>`);
    }
    throw new PdsegError(
      'CONFIG_OVERRIDES',
      `Command line options config format error: ${words.length} words do not form KEY VALUE pairs: ${pairs.join(' | ')}; give each key exactly one value (quote values with spaces)`,
    );
  }
  for (let i = 0; i < words.length; i += 2) {
    checkValueLength((words[i + 1] as string).length, `command line value of ${words[i]}`);
    setValue(tree, words[i] as string, words[i + 1], { kind: 'cli' });
  }
}

function isPlainMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** Finds the slot of `dotted`: its parent group and current value. */
function lookup(
  tree: ConfigTree,
  dotted: string,
  origin: Origin,
): { parent: ConfigTree; last: string; value: unknown } {
  const parts = dotted.split('.');
  let node: ConfigTree = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i] as string];
    if (!Object.hasOwn(node, parts[i] as string)) throw unknownKey(dotted, origin);
    if (!isGroup(next)) {
      const leaf = parts.slice(0, i + 1).join('.');
      throw unknownKey(dotted, origin, ` (${leaf} is a single value, not a group)`);
    }
    node = next;
  }
  const last = parts[parts.length - 1] as string;
  if (!Object.hasOwn(node, last)) throw unknownKey(dotted, origin);
  return { parent: node, last, value: node[last] };
}

/** Assigns one value: literal-evaluates strings, checks the type, stores it. */
function setValue(tree: ConfigTree, dotted: string, raw: unknown, origin: Origin, evaluated = false): void {
  const slot = lookup(tree, dotted, origin);
  let value: unknown;
  try {
    value = evaluated ? raw : literalOrString(raw);
  } catch (e) {
    // ast.literal_eval raised something other than ValueError/SyntaxError (e.g. `{[1]: 2}`).
    throw new PdsegError(
      'CONFIG_TYPE',
      `${dotted}: ${JSON.stringify(raw)} is not a usable value (${(e as Error).message})${where(origin, dotted)}`,
      { cause: e },
    );
  }
  if (isGroup(slot.value)) {
    if (value instanceof Map) {
      mergeMapping(tree, dictToRecord(value, dotted, origin), dotted, origin, true);
      return;
    }
    throw new PdsegError(
      'CONFIG_TYPE',
      `${dotted} is a group of keys; a single value (${describeValue(value)}) may not replace it — set its keys instead, e.g. ${firstLeaf(dotted)}${where(origin, dotted)}`,
    );
  }
  const type = leafTypes().get(dotted) as string;
  const problem =
    value instanceof PySet || value instanceof PyBytes || value instanceof PyComplex || value instanceof Map
      ? `expected ${type.replace(/\|/g, ' or ')}, got ${describeValue(value)}`
      : typeMismatch(value, type);
  if (problem !== undefined) {
    const hint =
      typeof value !== 'string' && type.split('|').includes('str') && typeof raw === 'string'
        ? `; to pass the text ${raw} as a string, quote it Python-style: '"${raw}"'`
        : '';
    throw new PdsegError('CONFIG_TYPE', `${dotted}: ${problem}${hint}${where(origin, dotted)}`);
  }
  slot.parent[slot.last] = toConfigValue(value);
}

function dictToRecord(map: PyDict, dotted: string, origin: Origin): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) {
    if (typeof k !== 'string') {
      throw new PdsegError(
        'CONFIG_TYPE',
        `${dotted}: dict keys must be key names, got ${describeValue(k)}${where(origin, dotted)}`,
      );
    }
    out[k] = v instanceof Map ? dictToRecord(v, `${dotted}.${k}`, origin) : (v as PyValue);
  }
  return out;
}

function firstLeaf(group: string): string {
  const row = DEFAULT_ROWS.find(([key]) => key.startsWith(`${group}.`));
  return row ? `${row[0]} ${JSON.stringify(row[1])}` : `${group}.KEY VALUE`;
}
