/**
 * Opens a model file for `pdseg graph` (issue 6): reads it, decodes it with the adapter
 * registry and, for Paddle programs, attaches the weights stored beside it. A folder is
 * searched for `model.onnx`, `__model__` or one `*.pdmodel`/`*.onnx`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
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
  return out;
}
