/**
 * OCRNet (PaddleSeg v0.7 `modeling/ocrnet.py`): the parameter list against the one the
 * independent reference derives (test/reference/ocrnet-forward.ts), the op sequence of the
 * OCR head, key checks, and the export against the reference with calibrated batch-norm
 * statistics, at W18 widths with the default OCR widths and at small ones, square and not,
 * in all three checkpoint layouts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { paramSpecs } from '../../src/program/program.js';
import { ROOT, tempDir } from '../helpers.js';
import type { HrnetRefStages } from '../reference/hrnet-forward.js';
import { type OcrnetRefOptions, ocrnetForward } from '../reference/ocrnet-forward.js';
import { expectExportMatches, type Layout, randomImage, writeReferenceCheckpoint } from './faithful.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-ocrnet-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const W18_SHORT: HrnetRefStages = {
  modules: [1, 1, 1],
  channels: [
    [18, 36],
    [18, 36, 72],
    [18, 36, 72, 144],
  ],
};
const TINY: HrnetRefStages = {
  modules: [1, 1, 1],
  channels: [
    [8, 16],
    [8, 16, 24],
    [8, 16, 24, 32],
  ],
};

const cfgOf = (
  r: Omit<OcrnetRefOptions, 'collect' | 'calibrate'>,
  crop: [number, number],
  dir: string,
  extra: string[] = [],
) =>
  loadConfig({
    cfgFile: join(ROOT, 'configs', 'ocrnet_w18_bn_cityscapes.yaml'),
    overrides: [
      'EVAL_CROP_SIZE',
      `(${crop[0]}, ${crop[1]})`,
      'TRAIN_CROP_SIZE',
      `(${crop[0]}, ${crop[1]})`,
      'DATASET.NUM_CLASSES',
      String(r.numClasses),
      ...[2, 3, 4].flatMap((k, i) => [
        `MODEL.HRNET.STAGE${k}.NUM_MODULES`,
        String(r.stages.modules[i]),
        `MODEL.HRNET.STAGE${k}.NUM_CHANNELS`,
        `[${r.stages.channels[i]!.join(', ')}]`,
      ]),
      'MODEL.OCR.OCR_MID_CHANNELS',
      String(r.mid),
      'MODEL.OCR.OCR_KEY_CHANNELS',
      String(r.key),
      'TEST.TEST_MODEL',
      join(dir, 'checkpoint'),
      'FREEZE.SAVE_DIR',
      join(dir, 'freeze_model'),
      ...extra,
    ],
  });

describe('OCRNet parameters and program', () => {
  test('names and shapes equal the reference walk; the OCR head records reshape/matmul/softmax', async () => {
    const r = { numClasses: 19, stages: W18_SHORT, mid: 512, key: 256 };
    const list: Array<[string, number[]]> = [];
    ocrnetForward(new Map(), randomImage(3, 32, 32, 1), { ...r, collect: true }, list);
    const program = buildPredictProgram(await cfgOf(r, [32, 32], tmp.dir));
    const built = paramSpecs(program).map((p): [string, number[]] => [p.name, [...p.dims]]);
    expect(new Map(built)).toEqual(new Map(list));
    const names = new Set(built.map(([n]) => n));
    for (const n of [
      'aux_head_conv2_bias',
      'conv3x3_ocr_bn_scale',
      'f_object_conv2_weights',
      'spatial_ocr_conv_bn_variance',
      'cls_head_conv_bias',
    ])
      expect(names.has(n), n).toBe(true);
    expect([...names].some((n) => n.startsWith('conv-'))).toBe(false);
    const types = program.ops.map((o) => o.type);
    const count = (t: string) => types.filter((x) => x === t).length;
    expect([count('matmul'), count('reshape2'), count('unsqueeze2'), count('dropout')]).toEqual([3, 6, 1, 1]);
    // Spatial softmax over HW (axis 2), attention softmax over the regions (−1), output softmax.
    expect(program.ops.filter((o) => o.type === 'softmax').map((o) => o.attrs.get('axis')?.value)).toEqual([
      2, -1, -1,
    ]);
    const scaleOp = program.ops.find((o) => o.type === 'scale' && o.attrs.get('scale')?.value !== 1)!;
    expect(scaleOp.attrs.get('scale')?.value).toBeCloseTo(1 / 16, 7);
  });

  test('a zero OCR width is refused, naming the key', async () => {
    let caught: unknown;
    try {
      buildPredictProgram(await cfgOf({ numClasses: 2, stages: TINY, mid: 512, key: 0 }, [32, 32], tmp.dir));
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK')).toBe(true);
    expect((caught as Error).message).toContain('MODEL.OCR.OCR_KEY_CHANNELS 0');
  });
});

describe('exported OCRNet matches the independent forward pass', () => {
  const cases: Array<{
    r: Omit<OcrnetRefOptions, 'collect' | 'calibrate'>;
    crop: [number, number];
    layout: Layout;
  }> = [
    { r: { numClasses: 4, stages: W18_SHORT, mid: 512, key: 256 }, crop: [48, 40], layout: 'combined' },
    { r: { numClasses: 3, stages: TINY, mid: 48, key: 24 }, crop: [64, 64], layout: 'per-file' },
    { r: { numClasses: 5, stages: TINY, mid: 32, key: 16 }, crop: [72, 44], layout: 'pdparams' },
  ];
  test.each(cases)(
    'crop $crop, mid $r.mid, key $r.key, $layout',
    async (c) => {
      const dir = join(tmp.dir, `${c.crop.join('x')}-${c.layout}`);
      const [w, h] = c.crop;
      const weights = new Map<string, Float32Array>();
      const list: Array<[string, number[]]> = [];
      const x = randomImage(3, h, w, 2);
      ocrnetForward(weights, x, { ...c.r, collect: true }, list);
      ocrnetForward(weights, x, { ...c.r, calibrate: true });
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      await expectExportMatches(
        await cfgOf(c.r, c.crop, dir),
        x,
        ocrnetForward(weights, x, c.r),
        `OCRNet ${c.crop.join('×')}`,
      );
    },
    240_000,
  );
});
