/**
 * The seeded synthetic checkpoint of `pdseg quickstart --offline`: every parameter the
 * configured network needs, in the model zoo's per-file layout (one Paddle LoDTensor file per
 * parameter, names with `/` as sub-folders, spec §3.2/§9.7), with deterministic values
 * (`initialValue`: seeded Xavier-uniform weights, batch-norm identity). It makes the flow
 * runnable without PaddleSeg's host; its predictions mean nothing and are labelled so.
 */
import { mkdir } from 'node:fs/promises';
import type { ExportConfig } from '../export/export-config.js';
import { initialValue } from '../export/initial-values.js';
import { buildPredictProgram } from '../models/model-builder.js';
import { writeCheckpoint } from '../paddle/checkpoint-writer.js';
import type { Tensor } from '../paddle/tensor.js';
import { paramSpecs } from '../program/program.js';

/** Writes the synthetic checkpoint for `cfg`'s network into `dir`; returns bytes and files written. */
export async function writeSyntheticCheckpoint(
  cfg: ExportConfig,
  dir: string,
): Promise<{ bytes: number; files: number }> {
  const params = paramSpecs(buildPredictProgram(cfg));
  await mkdir(dir, { recursive: true });
  // A generator keeps one parameter's data in memory at a time.
  function* tensors(): Generator<Tensor> {
    for (const p of params) {
      const data = initialValue(p);
      yield { name: p.name, dims: [...p.dims], dtype: 'float32', data } as Tensor;
    }
  }
  return writeCheckpoint(dir, tensors(), 'per-file');
}
