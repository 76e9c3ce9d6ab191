/**
 * DeepLabv3+ (PaddleSeg v0.7 `modeling/deeplab.py`) with Xception and MobileNetV2: the
 * parameter list against the one the independent reference derives, the key checks, and the
 * export against the independent forward pass (test/reference/deeplab-forward.ts) with
 * calibrated batch-norm statistics: output strides 8 and 16, with and without encoder and
 * decoder, batch and group norm, MobileNetV2 ×0.5 and ×1.0, and the one-channel head.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import { exportModel } from '../../src/export/export-model.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { paramSpecs } from '../../src/program/program.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { ROOT, tempDir } from '../helpers.js';
import { type DeeplabRefOptions, deeplabForward, groupsFor } from '../reference/deeplab-forward.js';
import { chw } from '../reference/paddle-ops.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-deeplab-');
});
afterAll(async () => {
  await tmp.cleanup();
});

interface Case {
  name: string;
  ref: Omit<DeeplabRefOptions, 'collect' | 'calibrate'>;
  crop: [number, number];
  layout: 'per-file' | 'pdparams' | 'combined';
}

function words(c: Case, dir: string): string[] {
  const r = c.ref;
  return [
    'EVAL_CROP_SIZE',
    `(${c.crop[0]}, ${c.crop[1]})`,
    'TRAIN_CROP_SIZE',
    `(${c.crop[0]}, ${c.crop[1]})`,
    'DATASET.NUM_CLASSES',
    String(r.numClasses),
    'MODEL.DEEPLAB.BACKBONE',
    r.backbone,
    'MODEL.DEEPLAB.OUTPUT_STRIDE',
    String(r.outputStride),
    'MODEL.DEEPLAB.DEPTH_MULTIPLIER',
    String(r.depthMultiplier ?? 1),
    'MODEL.DEEPLAB.ENCODER_WITH_ASPP',
    r.encoder ? 'True' : 'False',
    'MODEL.DEEPLAB.ENABLE_DECODER',
    r.decoder ? 'True' : 'False',
    'MODEL.DEFAULT_NORM_TYPE',
    r.norm,
    ...(r.oneChannel ? ['SOLVER.LOSS', "['lovasz_hinge_loss']"] : []),
    'TEST.TEST_MODEL',
    join(dir, 'checkpoint'),
    'FREEZE.SAVE_DIR',
    join(dir, 'freeze_model'),
  ];
}

const cfgOf = (c: Case, dir: string) =>
  loadConfig({
    cfgFile: join(ROOT, 'configs', 'deeplabv3p_xception65_cityscapes.yaml'),
    overrides: words(c, dir),
  });

const CASES: Case[] = [
  {
    name: 'Xception65 BN, OS 16, encoder + decoder',
    ref: {
      numClasses: 3,
      backbone: 'xception_65',
      outputStride: 16,
      encoder: true,
      decoder: true,
      norm: 'bn',
    },
    crop: [64, 48],
    layout: 'combined',
  },
  {
    name: 'Xception65 GN, OS 16, encoder + decoder',
    ref: {
      numClasses: 2,
      backbone: 'xception_65',
      outputStride: 16,
      encoder: true,
      decoder: true,
      norm: 'gn',
    },
    crop: [48, 48],
    layout: 'per-file',
  },
  {
    name: 'Xception41 BN, OS 8, encoder, no decoder',
    ref: {
      numClasses: 4,
      backbone: 'xception_41',
      outputStride: 8,
      encoder: true,
      decoder: false,
      norm: 'bn',
    },
    crop: [40, 40],
    layout: 'pdparams',
  },
  {
    name: 'MobileNetV2 ×0.5, no encoder or decoder (the pet config)',
    ref: {
      numClasses: 3,
      backbone: 'mobilenetv2',
      outputStride: 16,
      depthMultiplier: 0.5,
      encoder: false,
      decoder: false,
      norm: 'bn',
    },
    crop: [65, 49],
    layout: 'per-file',
  },
  {
    name: 'MobileNetV2 ×1.0, OS 8, encoder + decoder',
    ref: {
      numClasses: 2,
      backbone: 'mobilenetv2',
      outputStride: 8,
      depthMultiplier: 1,
      encoder: true,
      decoder: true,
      norm: 'bn',
    },
    crop: [48, 40],
    layout: 'combined',
  },
  {
    name: 'MobileNetV2 ×1.0, one-channel head (lovasz_hinge)',
    ref: {
      numClasses: 2,
      backbone: 'mobilenetv2',
      outputStride: 16,
      depthMultiplier: 1,
      encoder: false,
      decoder: false,
      norm: 'bn',
      oneChannel: true,
    },
    crop: [48, 48],
    layout: 'pdparams',
  },
];

function image(h: number, w: number, seed: number) {
  const r = mulberry32(seed);
  const x = chw(3, h, w);
  for (let i = 0; i < x.data.length; i++) x.data[i] = r() * 2 - 1;
  return x;
}

describe('DeepLabv3+ parameters', () => {
  test.each(CASES)('$name: names and shapes equal the reference walk', async (c) => {
    const list: Array<[string, number[]]> = [];
    deeplabForward(new Map(), image(c.crop[1], c.crop[0], 1), { ...c.ref, collect: true }, list);
    const built = paramSpecs(buildPredictProgram(await cfgOf(c, tmp.dir))).map((p): [string, number[]] => [
      p.name,
      [...p.dims],
    ]);
    // The reference reads no BN statistics in gn mode and, collecting, records every name it reads.
    expect(new Map(built)).toEqual(new Map(list));
  });

  test('the zoo names appear as the notes give them', async () => {
    const names = new Set(
      paramSpecs(buildPredictProgram(await cfgOf(CASES[0]!, tmp.dir))).map((p) => p.name),
    );
    for (const n of [
      'xception_65/entry_flow/conv1/weights',
      'xception_65/entry_flow/block1/separable_conv1/depthwise/weights',
      'xception_65/entry_flow/block1/shortcut/BatchNorm/moving_variance',
      'xception_65/middle_flow/block16/separable_conv3/pointwise/BatchNorm/gamma',
      'xception_65/exit_flow/block2/separable_conv3/pointwise/weights',
      'encoder/image_pool/weights',
      'encoder/aspp1/depthwise/weights',
      'encoder/concat/BatchNorm/beta',
      'decoder/concat/weights',
      'decoder/separable_conv2/pointwise/BatchNorm/moving_mean',
      'logit/weights',
      'logit/biases',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  test('group counts follow the ±d search (728 → 28, 48 → 24)', () => {
    expect([groupsFor(728, 32), groupsFor(48, 32), groupsFor(256, 32)]).toEqual([28, 24, 32]);
  });
});

describe('DeepLabv3+ bad keys: one clear error naming key and value', () => {
  const base = CASES[0]!;
  const refuse = async (extra: string[], phrase: string) => {
    const cfg = await loadConfig({
      cfgFile: join(ROOT, 'configs', 'deeplabv3p_xception65_cityscapes.yaml'),
      overrides: [...words(base, tmp.dir), ...extra],
    });
    let caught: unknown;
    try {
      buildPredictProgram(cfg);
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK'), String(caught)).toBe(true);
    expect((caught as Error).message).toContain(phrase);
  };
  test('an unknown backbone lists the known ones and the nearest', () =>
    refuse(['MODEL.DEEPLAB.BACKBONE', 'xception65'], 'did you mean "xception_65"'));
  test('an output stride the ASPP cannot take', () =>
    refuse(['MODEL.DEEPLAB.OUTPUT_STRIDE', '32'], 'MODEL.DEEPLAB.OUTPUT_STRIDE 32'));
  test('an odd output stride for MobileNetV2', () =>
    refuse(
      [
        'MODEL.DEEPLAB.BACKBONE',
        'mobilenetv2',
        'MODEL.DEEPLAB.ENCODER_WITH_ASPP',
        'False',
        'MODEL.DEEPLAB.OUTPUT_STRIDE',
        '7',
      ],
      'needs an even output stride',
    ));
  test('a backbone pdseg does not build yet says so', () =>
    refuse(['MODEL.DEEPLAB.BACKBONE', 'mobilenetv3_large'], 'not built by pdseg yet'));
  test('softmax and a one-channel loss together', () =>
    refuse(['SOLVER.LOSS', "['softmax_loss', 'dice_loss']"], 'mixes dice_loss'));
});

describe('exported DeepLabv3+ matches the independent forward pass', () => {
  test.each(CASES)(
    '$name, crop $crop, $layout',
    async (c) => {
      const dir = join(tmp.dir, c.name.replace(/[^a-z0-9]+/gi, '-'));
      const [w, h] = c.crop;
      const weights = new Map<string, Float32Array>();
      const list: Array<[string, number[]]> = [];
      const x = image(h, w, 2);
      deeplabForward(weights, x, { ...c.ref, collect: true }, list);
      deeplabForward(weights, x, { ...c.ref, calibrate: true });
      await writeCheckpoint(
        join(dir, 'checkpoint'),
        list.map(([name, dims]) => ({ name, dims, dtype: 'float32' as const, data: weights.get(name)! })),
        c.layout,
      );
      const result = await exportModel(await cfgOf(c, dir));
      const session = await ort.InferenceSession.create(result.modelPath!);
      const out = await session.run({ image: new ort.Tensor('float32', x.data, [1, 3, h, w]) });
      const got = out['save_infer_model/scale_0.tmp_0']!;
      const ref = deeplabForward(weights, x, c.ref);
      const classes = c.ref.oneChannel ? 2 : c.ref.numClasses;
      expect([...got.dims]).toEqual([1, classes, h, w]);
      const data = got.data as Float32Array;
      const n = h * w;
      let worst = 0;
      let unsaturated = 0;
      for (let p = 0; p < n; p++) {
        const probs = Array.from({ length: classes }, (_, k) => ref.data[k * n + p]!);
        const mine = Array.from({ length: classes }, (_, k) => data[k * n + p]!);
        for (let k = 0; k < classes; k++) worst = Math.max(worst, Math.abs(mine[k]! - probs[k]!));
        if (Math.max(...probs) < 0.99) unsaturated++;
        const sorted = [...probs].sort((a, b) => b - a);
        if (sorted[0]! - sorted[1]! > 1e-3)
          expect(mine.indexOf(Math.max(...mine))).toBe(probs.indexOf(sorted[0]!));
      }
      console.log(
        `${c.name}: max |onnx − reference| = ${worst.toExponential(2)}; ${unsaturated}/${n} pixels below 0.99`,
      );
      expect(worst).toBeLessThan(1e-4);
      expect(unsaturated / n).toBeGreaterThan(0.5);
    },
    240_000,
  );
});
