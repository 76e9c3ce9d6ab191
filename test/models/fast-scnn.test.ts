/**
 * Fast-SCNN (PaddleSeg v0.7 `modeling/fast_scnn.py`): the parameter list against the one
 * the independent reference derives (test/reference/fast-scnn-forward.ts), the unpadded
 * first conv and PSP concat order, and the export against the reference with calibrated
 * batch-norm statistics, square and not, in all three checkpoint layouts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { paramSpecs } from '../../src/program/program.js';
import { ROOT, tempDir } from '../helpers.js';
import { fastScnnForward } from '../reference/fast-scnn-forward.js';
import { expectExportMatches, type Layout, randomImage, writeReferenceCheckpoint } from './faithful.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-fast-scnn-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const cfgOf = (crop: [number, number], classes: number, dir: string) =>
  loadConfig({
    cfgFile: join(ROOT, 'configs', 'fast_scnn_pet.yaml'),
    overrides: [
      'EVAL_CROP_SIZE',
      `(${crop[0]}, ${crop[1]})`,
      'TRAIN_CROP_SIZE',
      `(${crop[0]}, ${crop[1]})`,
      'DATASET.NUM_CLASSES',
      String(classes),
      'TEST.TEST_MODEL',
      join(dir, 'checkpoint'),
      'FREEZE.SAVE_DIR',
      join(dir, 'freeze_model'),
    ],
  });

describe('Fast-SCNN parameters and program', () => {
  test('names and shapes equal the reference walk; 512 → 255 first conv; PSP concat input first', async () => {
    const list: Array<[string, number[]]> = [];
    fastScnnForward(new Map(), randomImage(3, 64, 64, 1), { numClasses: 19, collect: true }, list);
    const program = buildPredictProgram(await cfgOf([64, 64], 19, tmp.dir));
    const built = paramSpecs(program).map((p): [string, number[]] => [p.name, [...p.dims]]);
    expect(new Map(built)).toEqual(new Map(list));
    const names = new Set(built.map(([n]) => n));
    for (const n of [
      'learning_to_downsample/weights',
      'learning_to_downsample/dsconv1/depthwise/weights',
      'inverted_block_1_1_expand_weights',
      'inverted_block_3_3_linear_bn_variance',
      'global_feature_extractor/psp6/BatchNorm/gamma',
      'feature_fusion/conv_lower_res/biases',
      'classifier/weights',
      'classifier/biases',
    ])
      expect(names.has(n), n).toBe(true);
    const big = buildPredictProgram(await cfgOf([512, 512], 3, tmp.dir));
    const first = big.ops.find((o) => o.type === 'conv2d')!;
    expect(big.vars.get(first.outputs.Output![0]!)!.shape).toEqual([-1, 32, 255, 255]);
    const cat = big.ops.find((o) => o.type === 'concat')!;
    const widths = cat.inputs.X!.map((n) => big.vars.get(n)!.shape[1]);
    expect(widths).toEqual([128, 32, 32, 32, 32]);
    const pools = big.ops.filter((o) => o.attrs.get('adaptive')?.value === true);
    expect(pools.map((o) => (o.attrs.get('ksize')!.value as number[])[0])).toEqual([1, 2, 3, 6]);
  });
});

describe('exported Fast-SCNN matches the independent forward pass', () => {
  const cases: Array<{ crop: [number, number]; classes: number; layout: Layout }> = [
    { crop: [96, 96], classes: 3, layout: 'per-file' },
    { crop: [128, 80], classes: 2, layout: 'combined' },
    { crop: [72, 100], classes: 5, layout: 'pdparams' },
  ];
  test.each(cases)(
    'crop $crop, $classes classes, $layout',
    async (c) => {
      const dir = join(tmp.dir, `${c.crop.join('x')}-${c.layout}`);
      const [w, h] = c.crop;
      const weights = new Map<string, Float32Array>();
      const list: Array<[string, number[]]> = [];
      const x = randomImage(3, h, w, 2);
      fastScnnForward(weights, x, { numClasses: c.classes, collect: true }, list);
      fastScnnForward(weights, x, { numClasses: c.classes, calibrate: true });
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      const ref = fastScnnForward(weights, x, { numClasses: c.classes });
      await expectExportMatches(await cfgOf(c.crop, c.classes, dir), x, ref, `Fast-SCNN ${c.crop.join('×')}`);
    },
    240_000,
  );
});
