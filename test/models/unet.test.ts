/**
 * UNet (PaddleSeg v0.7 `modeling/unet.py`): the parameter list against one derived
 * independently from the scope rules (test/reference/unet-forward.ts), the Paddle op
 * sequence, and the proof that the export is faithful: seeded checkpoints whose batch-norm
 * statistics are calibrated on an image (so probabilities are neither flat nor saturated),
 * in each checkpoint layout, bilinear and deconv, square and not, run with onnxruntime and
 * compared with the independent forward pass within 1e-4.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import { exportModel } from '../../src/export/export-model.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { paramSpecs } from '../../src/program/program.js';
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import { ROOT, tempDir } from '../helpers.js';
import { chw } from '../reference/paddle-ops.js';
import { unetForward, unetParamList } from '../reference/unet-forward.js';
import { expectExportMatches, writeReferenceCheckpoint } from './faithful.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-unet-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const overrides = (o: { crop: [number, number]; classes: number; mode: string; dir: string }) => [
  'EVAL_CROP_SIZE',
  `(${o.crop[0]}, ${o.crop[1]})`,
  'TRAIN_CROP_SIZE',
  `(${o.crop[0]}, ${o.crop[1]})`,
  'DATASET.NUM_CLASSES',
  String(o.classes),
  'MODEL.UNET.UPSAMPLE_MODE',
  o.mode,
  'TEST.TEST_MODEL',
  join(o.dir, 'checkpoint'),
  'FREEZE.SAVE_DIR',
  join(o.dir, 'freeze_model'),
];

async function unetConfig(o: { crop: [number, number]; classes: number; mode: string; dir: string }) {
  return loadConfig({ cfgFile: join(ROOT, 'configs', 'unet_optic.yaml'), overrides: overrides(o) });
}

function image(c: number, h: number, w: number, seed: number) {
  const rnd = mulberry32(seed);
  const x = chw(c, h, w);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rnd() * 2 - 1;
  return x;
}

describe('UNet parameters and program', () => {
  test.each(['bilinear', 'deconv'])(
    '%s: every name and shape equals the list derived from the scope rules',
    async (mode) => {
      const cfg = await unetConfig({ crop: [32, 48], classes: 2, mode, dir: tmp.dir });
      const built = paramSpecs(buildPredictProgram(cfg)).map((p) => [p.name, [...p.dims]]);
      const derived = unetParamList({ numClasses: 2, inChannels: 3, deconv: mode !== 'bilinear' });
      expect(new Map(built as Array<[string, number[]]>)).toEqual(new Map(derived));
      expect(built).toHaveLength(mode === 'bilinear' ? 18 * 5 + 1 : 18 * 5 + 5);
    },
  );

  test('op sequence: conv2d → batch_norm → relu, max pools, bilinear ups, concat, no bias anywhere', async () => {
    const cfg = await unetConfig({ crop: [32, 32], classes: 2, mode: 'bilinear', dir: tmp.dir });
    const program = buildPredictProgram(cfg);
    const types = program.ops.map((o) => o.type);
    expect(types.slice(0, 8)).toEqual([
      'feed',
      'conv2d',
      'batch_norm',
      'relu',
      'conv2d',
      'batch_norm',
      'relu',
      'pool2d',
    ]);
    const count = (t: string) => types.filter((x) => x === t).length;
    expect([
      count('conv2d'),
      count('batch_norm'),
      count('relu'),
      count('pool2d'),
      count('bilinear_interp'),
      count('concat'),
    ]).toEqual([19, 18, 18, 4, 4, 4]);
    expect(count('elementwise_add')).toBe(0);
    const bn = program.ops.find((o) => o.type === 'batch_norm')!;
    expect(bn.inputs.Scale).toEqual(['encode/block1/conv0/BatchNorm/gamma']);
    expect(bn.attrs.get('momentum')?.value).toBe(0.99);
    expect(types.slice(-6)).toEqual(['conv2d', 'transpose2', 'softmax', 'transpose2', 'scale', 'fetch']);
    const deconv = buildPredictProgram(
      await unetConfig({ crop: [32, 32], classes: 2, mode: 'deconv', dir: tmp.dir }),
    );
    expect(deconv.ops.filter((o) => o.type === 'conv2d_transpose')).toHaveLength(4);
  });

  test('deconv with a crop not divisible by 16 is refused, naming the key and the rule', async () => {
    const cfg = await unetConfig({ crop: [40, 40], classes: 2, mode: 'deconv', dir: tmp.dir });
    let caught: unknown;
    try {
      buildPredictProgram(cfg);
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK')).toBe(true);
    expect((caught as Error).message).toContain('MODEL.UNET.UPSAMPLE_MODE');
    expect((caught as Error).message).toContain('divisible by 16');
  });

  test('a checkpoint of the wrong architecture names UNet and its keys', async () => {
    const dir = join(tmp.dir, 'wrong');
    await writeCheckpoint(
      join(dir, 'checkpoint'),
      [{ name: 'logit/weights', dims: [2, 64, 3, 3], dtype: 'float32', data: new Float32Array(1152) }],
      'per-file',
    );
    const cfg = await unetConfig({ crop: [32, 32], classes: 2, mode: 'bilinear', dir });
    let caught: unknown;
    try {
      await exportModel(cfg);
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'WEIGHT_MISSING')).toBe(true);
    expect((caught as Error).message).toContain(
      'a UNet checkpoint with the configured MODEL.UNET.UPSAMPLE_MODE and MODEL.DEFAULT_NORM_TYPE',
    );
  });
});

describe('exported UNet matches the independent forward pass', () => {
  const cases = [
    { layout: 'per-file', mode: 'bilinear', crop: [32, 32], classes: 2 },
    { layout: 'pdparams', mode: 'bilinear', crop: [40, 28], classes: 3 },
    { layout: 'combined', mode: 'deconv', crop: [48, 32], classes: 4 },
  ] as const;
  test.each(cases)(
    '$layout, $mode, crop $crop, $classes classes',
    async (c) => {
      const dir = join(tmp.dir, `${c.layout}-${c.mode}`);
      const crop: [number, number] = [c.crop[0], c.crop[1]];
      const [w, h] = crop;
      const deconv = c.mode !== 'bilinear';
      const rnd = mulberry32(21);
      const weights = new Map<string, Float32Array>();
      for (const [name, dims] of unetParamList({ numClasses: c.classes, inChannels: 3, deconv }))
        weights.set(name, seededValues(name, dims, rnd));
      // Calibrate the batch-norm statistics on one image, then test on another.
      unetForward(weights, image(3, h, w, 1), { numClasses: c.classes, deconv, calibrate: true });
      const list = unetParamList({ numClasses: c.classes, inChannels: 3, deconv });
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      const cfg = await unetConfig({ crop, classes: c.classes, mode: c.mode, dir });
      const x = image(3, h, w, 2);
      await expectExportMatches(cfg, x, unetForward(weights, x, { numClasses: c.classes, deconv }), 'UNet');
    },
    120_000,
  );
});
