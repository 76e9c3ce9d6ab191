/**
 * The proof that `pdseg export` is faithful to Paddle (issue 4): seeded checkpoints in each
 * of the three layouts are exported by the real pipeline, run with onnxruntime-node, and
 * compared with the independent naive forward pass of test/reference (spec formulas):
 * within 1e-4 absolute, and the argmax agrees wherever the top two probabilities differ
 * by more than 1e-3. The model predict runs with the PSP fold is held to the same 1e-4.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { foldUpsampledConcat } from '../../src/predict/fold-upsampled-concat.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { tempDir } from '../helpers.js';
import { chw } from '../reference/paddle-ops.js';
import { pspnetForward } from '../reference/pspnet-forward.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-faithful-');
});
afterAll(async () => {
  await tmp.cleanup();
});

interface Case {
  layout: 'per-file' | 'pdparams' | 'combined';
  numClasses: number;
  crop: [number, number];
  layers: 50 | 101;
  depthMultiplier: number;
}

const CASES: Case[] = [
  { layout: 'per-file', numClasses: 2, crop: [64, 64], layers: 50, depthMultiplier: 0.125 },
  { layout: 'pdparams', numClasses: 19, crop: [97, 97], layers: 50, depthMultiplier: 0.125 },
  { layout: 'combined', numClasses: 19, crop: [64, 64], layers: 50, depthMultiplier: 0.125 },
  { layout: 'combined', numClasses: 3, crop: [72, 56], layers: 101, depthMultiplier: 0.0625 },
  { layout: 'per-file', numClasses: 2, crop: [40, 40], layers: 50, depthMultiplier: 0.25 },
];

describe('exported PSPNet matches the reference forward pass', () => {
  // The naive reference takes tens of seconds on the larger crops: a generous timeout.
  test.each(CASES)(
    '$layout, $numClasses classes, crop $crop, ResNet$layers ×$depthMultiplier',
    async (c) => {
      const dir = `${tmp.dir}/${c.layout}-${c.numClasses}-${c.crop.join('x')}-${c.layers}-${c.depthMultiplier}`;
      const fx = await makePspnetFixture({
        dir,
        numClasses: c.numClasses,
        cropSize: c.crop,
        layers: c.layers,
        depthMultiplier: c.depthMultiplier,
        layout: c.layout,
        seed: 7,
      });
      // Debian's python3-onnx checker accepts every exported model.
      execFileSync('/usr/bin/python3', [
        '-c',
        'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)',
        fx.modelPath,
      ]);
      const [w, h] = c.crop;
      const rnd = mulberry32(99);
      const image = chw(3, h, w);
      for (let i = 0; i < image.data.length; i++) image.data[i] = rnd() * 2 - 1;
      const session = await ort.InferenceSession.create(fx.modelPath);
      const out = await session.run({ image: new ort.Tensor('float32', image.data, [1, 3, h, w]) });
      const got = out['save_infer_model/scale_0.tmp_0']!;
      expect(got.dims).toEqual([1, c.numClasses, h, w]);
      const onnx = got.data as Float32Array;
      const ref = pspnetForward(fx.weights, image, {
        layers: c.layers,
        depthMultiplier: c.depthMultiplier,
        numClasses: c.numClasses,
      });
      let maxDiff = 0;
      for (let i = 0; i < onnx.length; i++) maxDiff = Math.max(maxDiff, Math.abs(onnx[i]! - ref.data[i]!));
      console.info(`max |onnx − reference| = ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-4);
      // predict's PSP fold (src/predict/fold-upsampled-concat.ts) is held to the same bound.
      const fold = foldUpsampledConcat(decodeModel(await readFile(fx.modelPath)));
      expect(fold.folded).toEqual(['psp_end/conv2d']);
      const foldedSession = await ort.InferenceSession.create(encodeModel(fold.model));
      const foldedOut = await foldedSession.run({
        image: new ort.Tensor('float32', image.data, [1, 3, h, w]),
      });
      const folded = foldedOut['save_infer_model/scale_0.tmp_0']!.data as Float32Array;
      let foldDiff = 0;
      for (let i = 0; i < folded.length; i++)
        foldDiff = Math.max(foldDiff, Math.abs(folded[i]! - ref.data[i]!));
      console.info(`max |folded − reference| = ${foldDiff.toExponential(2)}`);
      expect(foldDiff).toBeLessThan(1e-4);
      // argmax agreement where the decision is clear, and the decision is not trivial.
      const n = h * w;
      let checked = 0;
      const seen = new Set<number>();
      for (let p = 0; p < n; p++) {
        const probs = Array.from({ length: c.numClasses }, (_, k) => ref.data[k * n + p]!);
        const sorted = [...probs].sort((a, b) => b - a);
        const refArg = probs.indexOf(sorted[0]!);
        seen.add(refArg);
        if (sorted[0]! - sorted[1]! <= 1e-3) continue;
        let onnxArg = 0;
        for (let k = 1; k < c.numClasses; k++) if (onnx[k * n + p]! > onnx[onnxArg * n + p]!) onnxArg = k;
        expect(onnxArg).toBe(refArg);
        checked++;
      }
      expect(checked).toBeGreaterThan(n / 2);
      // The comparison is not trivial: probabilities are not saturated at most pixels, and
      // with several classes more than one class wins somewhere.
      let soft = 0;
      for (let p = 0; p < n; p++) {
        let top = 0;
        for (let k = 0; k < c.numClasses; k++) top = Math.max(top, ref.data[k * n + p]!);
        if (top < 0.999) soft++;
      }
      expect(soft).toBeGreaterThan(n / 2);
      if (c.numClasses > 2) expect(seen.size).toBeGreaterThan(1);
    },
    300_000,
  );
});
