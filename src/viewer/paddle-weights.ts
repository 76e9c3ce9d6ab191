/**
 * Node side of the Paddle adapter (issue 6): reads the weights beside a `__model__` /
 * `.pdmodel` (combined `__params__`/`params`/`*.pdiparams`, or one file per variable) with
 * `openCheckpoint` and attaches their summaries to the view graph's persistable tensors.
 */
import { dirname } from 'node:path';
import { openCheckpoint } from '../paddle/checkpoint.js';
import { float16Values, HEAD_LENGTH, summarizeValues } from './adapters/tensor-summary.js';
import type { ViewGraph } from './model.js';

/** What {@link attachPaddleWeights} found. */
export interface PaddleWeightsReport {
  /** Where the weights came from (file or folder), when found. */
  path?: string;
  /** Tensors summarised. */
  attached: number;
  /** Why no weights were attached, when none were. */
  reason?: string;
}

/**
 * Summarises the weights next to `modelPath` into `graph.tensors[*].initializer` (in place).
 * Missing or unreadable weights are not an error for a viewer: the reason is returned.
 */
export async function attachPaddleWeights(
  graph: ViewGraph,
  modelPath: string,
  headLength = HEAD_LENGTH,
): Promise<PaddleWeightsReport> {
  const names = Object.values(graph.tensors)
    .filter((t) => t.initializer)
    .map((t) => t.name);
  if (names.length === 0) return { attached: 0, reason: 'the program has no persistable tensors' };
  let ckpt: Awaited<ReturnType<typeof openCheckpoint>>;
  try {
    ckpt = await openCheckpoint(dirname(modelPath), { expectedNames: names });
  } catch (e) {
    return { attached: 0, reason: e instanceof Error ? e.message : String(e) };
  }
  let attached = 0;
  try {
    for (const name of names) {
      if (!ckpt.has(name)) continue;
      const t = await ckpt.read(name);
      const data = t.data;
      const values =
        data instanceof BigInt64Array
          ? Array.from(data, Number)
          : t.dtype === 'float16'
            ? float16Values(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
            : t.dtype === 'bfloat16'
              ? undefined
              : data;
      graph.tensors[name]!.initializer = summarizeValues(
        t.dims,
        t.dtype,
        data.byteLength,
        values,
        headLength,
      );
      attached++;
    }
  } finally {
    await ckpt.close();
  }
  return { path: ckpt.path, attached };
}
