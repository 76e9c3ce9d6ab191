/**
 * ICNet (PaddleSeg v0.7 `modeling/icnet.py`): the parameter list against the one the
 * independent reference derives (test/reference/icnet-forward.ts), the pruned heads, the
 * key checks, and the export against the reference with calibrated batch-norm statistics,
 * at two crops (one not square), depth multipliers 0.5 and 0.25, and all three layouts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { paramSpecs } from '../../src/program/program.js';
import { ROOT, tempDir } from '../helpers.js';
import { icnetForward } from '../reference/icnet-forward.js';
import { expectExportMatches, type Layout, randomImage, writeReferenceCheckpoint } from './faithful.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-icnet-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const cfgOf = (o: {
  crop: [number, number];
  classes: number;
  scale: number;
  dir: string;
  extra?: string[];
}) =>
  loadConfig({
    cfgFile: join(ROOT, 'configs', 'icnet_optic.yaml'),
    overrides: [
      'EVAL_CROP_SIZE',
      `(${o.crop[0]}, ${o.crop[1]})`,
      'TRAIN_CROP_SIZE',
      `(${o.crop[0]}, ${o.crop[1]})`,
      'DATASET.NUM_CLASSES',
      String(o.classes),
      'MODEL.ICNET.DEPTH_MULTIPLIER',
      String(o.scale),
      'TEST.TEST_MODEL',
      join(o.dir, 'checkpoint'),
      'FREEZE.SAVE_DIR',
      join(o.dir, 'freeze_model'),
      ...(o.extra ?? []),
    ],
  });

describe('ICNet parameters and program', () => {
  test('names and shapes equal the reference walk; only logit124 of the three heads', async () => {
    const list: Array<[string, number[]]> = [];
    icnetForward(
      new Map(),
      randomImage(3, 112, 128, 1),
      { numClasses: 2, layers: 50, scale: 0.5, collect: true },
      list,
    );
    const program = buildPredictProgram(
      await cfgOf({ crop: [128, 112], classes: 2, scale: 0.5, dir: tmp.dir }),
    );
    const built = paramSpecs(program).map((p): [string, number[]] => [p.name, [...p.dims]]);
    expect(new Map(built)).toEqual(new Map(list));
    const names = new Set(built.map(([n]) => n));
    for (const n of [
      'conv1_1_weights',
      'bnv1_1_scale',
      'res4f_branch2b_weights',
      'conv5_4_k1/weights',
      'conv3_sub1_proj/BatchNorm/moving_mean',
      'logit124/biases',
    ])
      expect(names.has(n), n).toBe(true);
    expect([...names].some((n) => n.startsWith('logit4/') || n.startsWith('logit24/'))).toBe(false);
    expect([...names].some((n) => n.endsWith('_biases') && !n.includes('/'))).toBe(false);
    // Fixed-kernel average pools of the pyramid: ceil(112/32) = 4, ceil(128/32) = 4 → 4, 2, 1, 1.
    const pools = program.ops.filter(
      (op) => op.type === 'pool2d' && op.attrs.get('pooling_type')?.value === 'avg',
    );
    expect(pools.map((op) => op.attrs.get('ksize')?.value)).toEqual([
      [4, 4],
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
    // build_model resizes logit124 (1/4) back to the input before the softmax.
    const tail = program.ops.slice(-7).map((op) => op.type);
    expect(tail).toEqual([
      'elementwise_add',
      'bilinear_interp',
      'transpose2',
      'softmax',
      'transpose2',
      'scale',
      'fetch',
    ]);
  });

  test('a crop too small for the pyramid pools is refused, naming the key and the rule', async () => {
    let caught: unknown;
    try {
      buildPredictProgram(await cfgOf({ crop: [96, 128], classes: 2, scale: 0.5, dir: tmp.dir }));
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK')).toBe(true);
    expect((caught as Error).message).toContain('EVAL_CROP_SIZE (96, 128) is too small for ICNet');
  });

  test('a basic-block ResNet depth is refused, naming MODEL.ICNET.LAYERS', async () => {
    await expect(
      (async () =>
        buildPredictProgram(
          await cfgOf({
            crop: [128, 128],
            classes: 2,
            scale: 0.5,
            dir: tmp.dir,
            extra: ['MODEL.ICNET.LAYERS', '18'],
          }),
        ))(),
    ).rejects.toThrow('MODEL.ICNET.LAYERS 18');
  });
});

describe('exported ICNet matches the independent forward pass', () => {
  const cases: Array<{ crop: [number, number]; classes: number; scale: number; layout: Layout }> = [
    { crop: [128, 112], classes: 3, scale: 0.5, layout: 'per-file' },
    { crop: [104, 136], classes: 2, scale: 0.25, layout: 'combined' },
    { crop: [100, 100], classes: 4, scale: 0.25, layout: 'pdparams' },
  ];
  test.each(cases)(
    'crop $crop, ×$scale, $classes classes, $layout',
    async (c) => {
      const dir = join(tmp.dir, `${c.crop.join('x')}-${c.layout}`);
      const [w, h] = c.crop;
      const weights = new Map<string, Float32Array>();
      const list: Array<[string, number[]]> = [];
      const x = randomImage(3, h, w, 2);
      const ref = { numClasses: c.classes, layers: 50 as const, scale: c.scale };
      icnetForward(weights, x, { ...ref, collect: true }, list);
      icnetForward(weights, x, { ...ref, calibrate: true });
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      const cfg = await cfgOf({ crop: c.crop, classes: c.classes, scale: c.scale, dir });
      await expectExportMatches(cfg, x, icnetForward(weights, x, ref), `ICNet ${c.crop.join('×')}`);
    },
    240_000,
  );
});
