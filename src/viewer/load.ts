/**
 * Opens a model file for `pdseg graph` (issue 6): reads it, decodes it with the adapter
 * registry and, for Paddle programs, attaches the weights stored beside it. A folder is
 * searched for `model.onnx`, `__model__` or one `*.pdmodel`/`*.onnx`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdsegError } from '../errors.js';
import { openModel } from './adapters/index.js';
import { HEAD_LENGTH } from './adapters/tensor-summary.js';
import type { ViewGraph } from './model.js';
import { attachPaddleWeights, type PaddleWeightsReport } from './paddle-weights.js';

/** A model opened for viewing. */
export interface LoadedModel {
  path: string;
  fileName: string;
  format: string;
  graph: ViewGraph;
  /** For Paddle programs: what happened with the weights. */
  weights?: PaddleWeightsReport;
}

/** Options of {@link loadModelForView}. */
export interface LoadOptions {
  /** Keep every weight value (for `--with-weights`), not only the first few. */
  withWeights?: boolean;
  /** Extra folders to look for source files named by nodes' frames (default: the model's folder and pdseg's root). */
  sourceRoots?: string[];
}

/** Most bytes of source text embedded for the source pane. */
const SOURCE_BUDGET = 4 * 1024 * 1024;

/** pdseg's own root (where `src/models/…` of its exports' doc_strings live). */
function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

/** `a/b/c.py` → `['a/b/c.py', 'b/c.py', 'c.py']` (at most four segments, no `..`). */
function trailingPaths(file: string): string[] {
  const parts = file.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
  const out: string[] = [];
  for (let k = Math.min(4, parts.length); k >= 1; k--) out.push(parts.slice(-k).join('/'));
  return out;
}

/**
 * Fills `graph.sources` with the text of the source files (`.py`, `.ts`, `.js`) its nodes'
 * frames name, when found inside one of `roots`: relative frames under a root, absolute ones
 * when they lie inside a root or a file of that name sits directly in one (a Python file beside
 * the model). Files that cannot be read are skipped: the source pane is an extra.
 */
export async function attachSources(graph: ViewGraph, roots: string[]): Promise<number> {
  const files = new Set<string>();
  for (const n of graph.nodes) for (const f of n.source ?? []) files.add(f.file);
  const sources: Record<string, string> = {};
  let budget = SOURCE_BUDGET;
  for (const file of files) {
    if (!/\.(py|ts|js|mjs|cjs)$/.test(file)) continue;
    // Only files inside a root: a model cannot make pdseg embed an arbitrary file.
    const candidates = isAbsolute(file)
      ? [
          ...roots.filter((r) => file.startsWith(join(r, '/'))).map(() => file),
          // A file from another machine: its trailing path segments under a root (`--source DIR`).
          ...roots.flatMap((r) => trailingPaths(file).map((tail) => join(r, tail))),
        ]
      : roots.map((r) => join(r, file)).filter((p, i) => p.startsWith(join(roots[i]!, '/')));
    for (const path of candidates) {
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile() || st.size > budget) continue;
      try {
        sources[file] = await readFile(path, 'utf8');
        budget -= st.size;
        break;
      } catch {
        // unreadable: try the next root
      }
    }
  }
  const count = Object.keys(sources).length;
  if (count > 0) graph.sources = { ...graph.sources, ...sources };
  return count;
}

async function resolveModelPath(path: string): Promise<string> {
  const st = await stat(path).catch(() => undefined);
  if (!st)
    throw new PdsegError(
      'MODEL_FORMAT',
      `model file '${path}' does not exist; pass an .onnx, __model__ or .pdmodel file`,
    );
  if (st.isFile()) return path;
  const names = await readdir(path);
  for (const n of ['model.onnx', '__model__', 'model.pdmodel']) if (names.includes(n)) return join(path, n);
  const candidates = names.filter((n) => /\.(onnx|pdmodel)$/i.test(n));
  if (candidates.length === 1) return join(path, candidates[0]!);
  throw new PdsegError(
    'MODEL_FORMAT',
    `folder '${path}' has ${candidates.length === 0 ? 'no' : 'several'} model files (${candidates.join(', ') || 'none of model.onnx, __model__, *.pdmodel'}); pass the file itself`,
  );
}

/** Reads, decodes and (Paddle) attaches weights. Throws `MODEL_FORMAT` for files that are not models. */
export async function loadModelForView(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const file = await resolveModelPath(path);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new PdsegError('IO', `cannot read '${file}': ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  const headLength = options.withWeights ? Number.MAX_SAFE_INTEGER : HEAD_LENGTH;
  const { format, graph } = openModel(bytes, basename(file), { headLength });
  const out: LoadedModel = { path: file, fileName: basename(file), format, graph };
  if (format === 'paddle') out.weights = await attachPaddleWeights(graph, file, headLength);
  await attachSources(graph, [...(options.sourceRoots ?? []), dirname(file), packageRoot()]);
  return out;
}
