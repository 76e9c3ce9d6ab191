/**
 * DeepLabv3+ (PaddleSeg v0.7 `modeling/deeplab.py`) with Xception and MobileNetV2: the
 * parameter list against the one the independent reference derives, the key checks, and the
 * export against the independent forward pass (test/reference/deeplab-forward.ts) with
 * calibrated batch-norm statistics: output strides 8 and 16, with and without encoder and
 * decoder, batch and group norm, MobileNetV2 ×0.5 and ×1.0, and the one-channel head.
 */
import { join } from 'node:path';
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
import { expectExportMatches, writeReferenceCheckpoint } from './faithful.js';

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

/** The MobileNetV3 configs' encoder/decoder keys of a reference case. */
function headWords(h: DeeplabRefOptions['head']): string[] {
  if (!h) return [];
  const b = (v: boolean | undefined) => (v ? 'True' : 'False');
  const E = 'MODEL.DEEPLAB.ENCODER.';
  return [
    ...(h.asppFilters ? [`${E}ASPP_CONVS_FILTERS`, String(h.asppFilters)] : []),
    ...(h.imageLevel === false ? [`${E}ADD_IMAGE_LEVEL_FEATURE`, 'False'] : []),
    ...(h.projection === false ? [`${E}ASPP_WITH_CONCAT_PROJECTION`, 'False'] : []),
    ...(h.poolCrop ? [`${E}POOLING_CROP_SIZE`, `(${h.poolCrop.join(', ')})`] : []),
    ...(h.poolStride ? [`${E}POOLING_STRIDE`, `(${h.poolStride.join(', ')})`] : []),
    `${E}ASPP_WITH_SE`,
    b(h.se),
    `${E}SE_USE_QSIGMOID`,
    b(h.qsigmoid),
    'MODEL.DEEPLAB.DECODER.USE_SUM_MERGE',
    b(h.sumMerge),
    ...(h.decoderFilters ? ['MODEL.DEEPLAB.DECODER.CONV_FILTERS', String(h.decoderFilters)] : []),
    'MODEL.DEEPLAB.DECODER.OUTPUT_IS_LOGITS',
    b(h.logits),
  ];
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
    ...headWords(r.head),
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
  {
    name: 'MobileNetV3-large, the cityscapes config head (OS 32, pooled SE, q-sigmoid, sum merge, logits)',
    ref: {
      numClasses: 5,
      backbone: 'mobilenetv3_large',
      outputStride: 32,
      encoder: true,
      decoder: true,
      norm: 'bn',
      head: {
        asppFilters: 128,
        imageLevel: false,
        projection: false,
        poolCrop: [97, 65],
        poolStride: [1, 2],
        se: true,
        qsigmoid: true,
        sumMerge: true,
        decoderFilters: 5,
        logits: true,
      },
    },
    crop: [161, 129],
    layout: 'combined',
  },
  {
    name: 'MobileNetV3-small ×0.75, OS 16, encoder + decoder',
    ref: {
      numClasses: 3,
      backbone: 'mobilenetv3_small',
      outputStride: 16,
      depthMultiplier: 0.75,
      encoder: true,
      decoder: true,
      norm: 'bn',
    },
    crop: [64, 56],
    layout: 'per-file',
  },
  {
    name: 'ResNet50_vd, OS 16, encoder + decoder',
    ref: {
      numClasses: 4,
      backbone: 'resnet_vd_50',
      outputStride: 16,
      encoder: true,
      decoder: true,
      norm: 'bn',
    },
    crop: [64, 48],
    layout: 'pdparams',
  },
  {
    name: 'ResNet50_vd, OS 8, encoder, no decoder',
    ref: {
      numClasses: 2,
      backbone: 'resnet_vd_50',
      outputStride: 8,
      encoder: true,
      decoder: false,
      norm: 'bn',
    },
    crop: [41, 33],
    layout: 'per-file',
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

  test('MobileNetV3 and ResNet_vd record the ops the notes list', async () => {
    const v3 = buildPredictProgram(
      await cfgOf(CASES.find((c) => c.ref.backbone === 'mobilenetv3_large')!, tmp.dir),
    );
    const types = v3.ops.map((o) => o.type);
    for (const t of ['hard_swish', 'hard_sigmoid', 'relu6', 'depthwise_conv2d', 'elementwise_mul'])
      expect(types).toContain(t);
    const se = v3.ops.find((o) => o.type === 'elementwise_mul')!;
    expect(se.attrs.get('axis')?.value).toBe(0);
    const valid = v3.ops.find(
      (o) => o.type === 'pool2d' && o.attrs.get('padding_algorithm')?.value === 'VALID',
    )!;
    expect([valid.attrs.get('ksize')?.value, valid.attrs.get('strides')?.value]).toEqual([
      [3, 4],
      [1, 2],
    ]);
    expect(v3.ops.filter((o) => o.type === 'concat' && o.inputs.X!.length === 1)).toHaveLength(1);
    expect(paramSpecs(v3).some((p) => p.name.startsWith('logit/'))).toBe(false);
    expect(paramSpecs(v3).map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'conv5_se_1_offset',
        'conv_last_bn_mean',
        'encoder/image_pool/weights',
        'decoder/merge/weights',
      ]),
    );
    const vd = buildPredictProgram(
      await cfgOf(CASES.find((c) => c.ref.backbone === 'resnet_vd_50')!, tmp.dir),
    );
    const ceil = vd.ops.filter((o) => o.type === 'pool2d' && o.attrs.get('ceil_mode')?.value === true);
    // res3a and res4a stride at output stride 16; res5a is dilated and keeps a plain 1×1.
    expect(ceil).toHaveLength(2);
    expect(
      vd.ops.filter((o) => o.type === 'pad').map((o) => (o.attrs.get('paddings')!.value as number[])[4]),
    ).toEqual([2, 4, 8]);
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
  test('an output stride ResNet_vd cannot give', () =>
    refuse(
      ['MODEL.DEEPLAB.BACKBONE', 'resnet_vd_50', 'MODEL.DEEPLAB.OUTPUT_STRIDE', '32'],
      'MODEL.DEEPLAB.OUTPUT_STRIDE 32: DeepLabv3+ on ResNet_vd takes output stride 8 or 16',
    ));
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
  test('a pooling crop larger than the eval crop allows', () =>
    refuse(
      ['MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE', '(769, 769)'],
      'MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE [769,769]: the image-pool kernel',
    ));
  test('logits from a decoder whose width is not the class count', () =>
    refuse(
      ['MODEL.DEEPLAB.DECODER.OUTPUT_IS_LOGITS', 'True'],
      'set MODEL.DEEPLAB.DECODER.CONV_FILTERS to 3',
    ));
  test('softmax and a one-channel loss together', () =>
    refuse(['SOLVER.LOSS', "['softmax_loss', 'dice_loss']"], 'mixes dice_loss'));
});

describe('ImageNet backbones (backbone-only checkpoints)', () => {
  test.each([
    ['mobilenetv2', (n: string) => !n.includes('/')],
    ['mobilenetv3_large', (n: string) => !n.includes('/')],
    ['resnet_vd_50', (n: string) => !n.includes('/')],
    ['xception_65', (n: string) => n.startsWith('xception_65/')],
  ] as const)(
    '%s: loads with --skip-mismatch and reports exactly the head missing',
    async (backbone, isBackbone) => {
      const dir = join(tmp.dir, `imagenet-${backbone}`);
      const c: Case = {
        name: backbone,
        ref: { numClasses: 2, backbone, outputStride: 16, encoder: true, decoder: true, norm: 'bn' },
        crop: [64, 64],
        layout: 'per-file',
      };
      const cfg = await loadConfig({
        cfgFile: join(ROOT, 'configs', 'deeplabv3p_xception65_cityscapes.yaml'),
        overrides: [...words(c, dir), 'MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE', 'None'],
      });
      const specs = paramSpecs(buildPredictProgram(cfg));
      const backboneParams = specs.filter((p) => isBackbone(p.name));
      const rnd = mulberry32(3);
      await writeCheckpoint(
        join(dir, 'checkpoint'),
        [
          ...backboneParams.map((p) => ({
            name: p.name,
            dims: [...p.dims],
            dtype: 'float32' as const,
            data: Float32Array.from({ length: p.dims.reduce((a, b) => a * b, 1) }, () => rnd() - 0.5),
          })),
          // A classification checkpoint's own head, which the segmentation network does not use.
          { name: 'fc_weights', dims: [8, 1000], dtype: 'float32' as const, data: new Float32Array(8000) },
        ],
        'per-file',
      );
      const result = await exportModel(cfg, { skipMismatch: true });
      const head = specs.filter((p) => !isBackbone(p.name)).map((p) => p.name);
      expect(head.length).toBeGreaterThan(0);
      expect([...result.skipped].sort()).toEqual([...head].sort());
      expect(head.every((n) => /^(encoder|decoder|logit)\//.test(n))).toBe(true);
    },
    60_000,
  );
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
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      // The reference's CHW output has the head's channels: 2 for the one-channel sigmoid head.
      await expectExportMatches(await cfgOf(c, dir), x, deeplabForward(weights, x, c.ref), c.name);
    },
    240_000,
  );
});
