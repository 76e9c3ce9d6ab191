/**
 * The export-faithfulness check every architecture's test runs: write the reference's
 * calibrated weights as a checkpoint in the given layout, export with the config, run the
 * ONNX model with onnxruntime on the same image, and compare with the independent forward
 * pass — probabilities within 1e-4, identical argmax wherever the reference's top-two
 * margin exceeds 1e-3, and (calibration working) most pixels not saturated.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { SegConfig } from '../../src/config/index.js';
import { exportModel } from '../../src/export/export-model.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { type Chw, chw } from '../reference/paddle-ops.js';

export type Layout = 'per-file' | 'pdparams' | 'combined';

/** A seeded random CHW image in [−1, 1). */
export function randomImage(c: number, h: number, w: number, seed: number): Chw {
  const r = mulberry32(seed);
  const x = chw(c, h, w);
  for (let i = 0; i < x.data.length; i++) x.data[i] = r() * 2 - 1;
  return x;
}

/** Writes `list`'s weights from `weights` as a checkpoint in `dir/checkpoint`. */
export async function writeReferenceCheckpoint(
  dir: string,
  list: ReadonlyArray<[string, number[]]>,
  weights: Map<string, Float32Array>,
  layout: Layout,
): Promise<void> {
  await writeCheckpoint(
    join(dir, 'checkpoint'),
    list.map(([name, dims]) => ({ name, dims, dtype: 'float32' as const, data: weights.get(name)! })),
    layout,
  );
}

/** Exports `cfg`, runs it on `x` and checks it against `ref` (CHW probabilities). */
export async function expectExportMatches(cfg: SegConfig, x: Chw, ref: Chw, label: string): Promise<void> {
  const result = await exportModel(cfg);
  const session = await ort.InferenceSession.create(result.modelPath!);
  const out = await session.run({ image: new ort.Tensor('float32', x.data, [1, x.c, x.h, x.w]) });
  await session.release();
  const got = out['save_infer_model/scale_0.tmp_0']!;
  expect([...got.dims]).toEqual([1, ref.c, x.h, x.w]);
  const data = got.data as Float32Array;
  const n = x.h * x.w;
  let worst = 0;
  let unsaturated = 0;
  let checked = 0;
  let agree = 0;
  for (let p = 0; p < n; p++) {
    const probs = Array.from({ length: ref.c }, (_, k) => ref.data[k * n + p]!);
    const mine = Array.from({ length: ref.c }, (_, k) => data[k * n + p]!);
    for (let k = 0; k < ref.c; k++) worst = Math.max(worst, Math.abs(mine[k]! - probs[k]!));
    if (Math.max(...probs) < 0.99) unsaturated++;
    const sorted = [...probs].sort((a, b) => b - a);
    if (sorted[0]! - sorted[1]! > 1e-3) {
      checked++;
      if (mine.indexOf(Math.max(...mine)) === probs.indexOf(sorted[0]!)) agree++;
    }
  }
  console.log(
    `${label}: max |onnx − reference| = ${worst.toExponential(2)}; ${unsaturated}/${n} pixels below 0.99; argmax ${agree}/${checked}`,
  );
  expect(worst).toBeLessThan(1e-4);
  expect(agree).toBe(checked);
  expect(checked / n).toBeGreaterThan(0.5);
  expect(unsaturated / n).toBeGreaterThan(0.5);
}
