/**
 * The source pane's index: from the nodes' `source` frames, which nodes a file line built,
 * which nodes a function built across all its calls, and each node's call path (outermost
 * function first) for the function tree. Also finds function ranges in TypeScript/JavaScript
 * and Python text, so selecting a node can highlight its enclosing function and selecting a
 * function can highlight every node built inside it.
 */
import type { SourceRef, ViewGraph } from './view-types.js';

/** Lookup tables of a graph's source frames. */
export interface SourceIndex {
  /** file → line → node indices whose stack has a frame at that line. */
  lines: Record<string, Record<number, number[]>>;
  /** function name → node indices whose stack has a frame in that function. */
  functions: Record<string, number[]>;
  /** Each node's call path, outermost first, as `function` (or `file:line` when unnamed). */
  callPaths: string[][];
}

/** A function's extent in a source text, 1-based inclusive lines. */
export interface FunctionRange {
  name: string;
  start: number;
  end: number;
}

/** Builds the {@link SourceIndex} of `graph` from every node's `source` frames. */
export function buildSourceIndex(graph: ViewGraph): SourceIndex {
  const lines: SourceIndex['lines'] = {};
  const functions: SourceIndex['functions'] = {};
  const callPaths: string[][] = [];
  const add = <K extends string | number>(table: Record<K, number[]>, key: K, id: number) => {
    const list = table[key];
    if (list === undefined) table[key] = [id];
    else if (list.at(-1) !== id) list.push(id);
  };
  graph.nodes.forEach((node, id) => {
    const frames: SourceRef[] = node.source ?? [];
    for (const f of frames) {
      let byLine = lines[f.file];
      if (byLine === undefined) {
        byLine = {};
        lines[f.file] = byLine;
      }
      add(byLine, f.line, id);
      if (f.func) add(functions, f.func, id);
    }
    callPaths.push(frames.map((f) => f.func ?? `${f.file}:${f.line}`).reverse());
  });
  return { lines, functions, callPaths };
}

/** Nodes built at `file:line` (the file matched by {@link matchSourceFile} against the index). */
export function nodesAtLine(index: SourceIndex, file: string, line: number): number[] {
  const key = matchSourceFile(file, Object.keys(index.lines));
  return key === undefined ? [] : [...(index.lines[key]![line] ?? [])];
}

/** Nodes with a frame in `file` between lines `from` and `to` inclusive, sorted. */
export function nodesInLines(index: SourceIndex, file: string, from: number, to: number): number[] {
  const key = matchSourceFile(file, Object.keys(index.lines));
  if (key === undefined) return [];
  const out = new Set<number>();
  for (const [line, ids] of Object.entries(index.lines[key]!)) {
    const n = Number(line);
    if (n >= from && n <= to) for (const id of ids) out.add(id);
  }
  return [...out].sort((a, b) => a - b);
}

/** Nodes built by `name` across all its calls (a frame of theirs is in that function). */
export function nodesOfFunction(index: SourceIndex, name: string): number[] {
  return [...(index.functions[name] ?? [])];
}

/**
 * The entry of `candidates` that names the same file as `path`: equal, or else the one
 * sharing the longest run of trailing path segments (at least the file name). Lets an
 * absolute path from a Paddle call stack find the file under a `--source` folder.
 */
export function matchSourceFile(path: string, candidates: readonly string[]): string | undefined {
  if (candidates.includes(path)) return path;
  const split = (p: string) => p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const target = split(path);
  let best: string | undefined;
  let bestScore = 0;
  for (const c of candidates) {
    const parts = split(c);
    let k = 0;
    while (
      k < parts.length &&
      k < target.length &&
      parts[parts.length - 1 - k] === target[target.length - 1 - k]
    )
      k++;
    if (k > bestScore) {
      best = c;
      bestScore = k;
    }
  }
  return best;
}

/** Function ranges of a source text; Python for `.py` files, brace languages otherwise. */
export function functionRanges(text: string, file: string): FunctionRange[] {
  return file.endsWith('.py') ? pythonFunctions(text.split('\n')) : braceFunctions(text.split('\n'));
}

/** The innermost range containing `line`, if any. */
export function enclosingFunction(ranges: readonly FunctionRange[], line: number): FunctionRange | undefined {
  let best: FunctionRange | undefined;
  for (const r of ranges) {
    if (line >= r.start && line <= r.end && (best === undefined || r.end - r.start < best.end - best.start))
      best = r;
  }
  return best;
}

function pythonFunctions(lines: string[]): FunctionRange[] {
  const out: FunctionRange[] = [];
  const indent = (s: string) => s.length - s.trimStart().length;
  lines.forEach((text, k) => {
    const m = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(text);
    if (!m) return;
    const level = m[1]!.length;
    let end = k;
    for (let j = k + 1; j < lines.length; j++) {
      const t = lines[j]!;
      if (t.trim() === '') continue;
      if (indent(t) <= level && !/^\s*[)\]]/.test(t)) break;
      end = j;
    }
    out.push({ name: m[2]!, start: k + 1, end: end + 1 });
  });
  return out;
}

const KEYWORDS: ReadonlySet<string> = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'return',
  'function',
  'with',
]);

function braceFunctions(lines: string[]): FunctionRange[] {
  const out: FunctionRange[] = [];
  const patterns = [
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/,
    /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/,
    /^\s*(?:(?:public|private|protected|static|async|override|readonly)\s+)*([A-Za-z_$][\w$]*)\s*\([^;]*\)\s*(?::\s*[^{;]+)?\{\s*$/,
  ];
  lines.forEach((text, k) => {
    let name: string | undefined;
    for (const p of patterns) {
      const m = p.exec(text);
      if (m && !KEYWORDS.has(m[1]!)) {
        name = m[1]!;
        break;
      }
    }
    if (name === undefined) return;
    const end = closingLine(lines, k);
    if (end !== undefined) out.push({ name, start: k + 1, end: end + 1 });
  });
  return out;
}

/**
 * Line of the brace closing a function body that starts at line `start`: the first `{` after
 * the parameter list (braces of parameter types are inside the parentheses and skipped).
 * Strings and comments are skipped.
 */
function closingLine(lines: string[], start: number): number | undefined {
  let depth = 0;
  let parens = 0;
  let sawParams = false;
  let opened = false;
  let quote: string | undefined;
  let blockComment = false;
  let arrow = false;
  for (let k = start; k < lines.length; k++) {
    const t = lines[k]!;
    for (let i = 0; i < t.length; i++) {
      const ch = t[i]!;
      if (arrow && ch.trim() !== '') {
        // An arrow function with an expression body has no braces to match.
        if (ch !== '{') return undefined;
        arrow = false;
      }
      if (blockComment) {
        if (ch === '*' && t[i + 1] === '/') {
          blockComment = false;
          i++;
        }
      } else if (quote !== undefined) {
        if (ch === '\\') i++;
        else if (ch === quote) quote = undefined;
      } else if (ch === '/' && t[i + 1] === '/') break;
      else if (ch === '/' && t[i + 1] === '*') {
        blockComment = true;
        i++;
      } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      else if (ch === '=' && t[i + 1] === '>' && parens === 0) {
        sawParams = true;
        arrow = !opened;
        i++;
      } else if (ch === '(') parens++;
      else if (ch === ')') {
        parens--;
        if (parens === 0) sawParams = true;
      } else if (parens > 0 || (!opened && !sawParams)) {
        // inside the parameter list, or before it: not the body
      } else if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') {
        depth--;
        if (opened && depth === 0) return k;
      }
    }
    if (quote !== '`') quote = undefined;
    if (!opened && k > start + 20) return undefined;
  }
  return undefined;
}
