/**
 * HRNet (PaddleSeg v0.7 `modeling/hrnet.py`): parameter names and shapes against a list
 * derived independently from the structure (test/reference/hrnet-forward.ts), the stage
 * keys' rules, and the export checked against the independent forward pass with calibrated
 * batch-norm statistics, at a square and a non-square crop, W18-like and tiny widths.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { isPdsegError } from '../../src/errors.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import { paramSpecs } from '../../src/program/program.js';
import { mulberry32, seededValues } from '../fixtures/seeded-weights.js';
import { ROOT, tempDir } from '../helpers.js';
import { type HrnetRefStages, hrnetForward, hrnetParamList } from '../reference/hrnet-forward.js';
import { chw } from '../reference/paddle-ops.js';
import { expectExportMatches, writeReferenceCheckpoint } from './faithful.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-hrnet-');
});
afterAll(async () => {
  await tmp.cleanup();
});

function stageWords(s: HrnetRefStages): string[] {
  return [2, 3, 4].flatMap((k, i) => [
    `MODEL.HRNET.STAGE${k}.NUM_MODULES`,
    String(s.modules[i]),
    `MODEL.HRNET.STAGE${k}.NUM_CHANNELS`,
    `[${s.channels[i]!.join(', ')}]`,
  ]);
}

async function hrnetConfig(o: {
  crop: [number, number];
  classes: number;
  stages: HrnetRefStages;
  dir: string;
  extra?: string[];
}) {
  return loadConfig({
    cfgFile: join(ROOT, 'configs', 'hrnet_optic.yaml'),
    overrides: [
      'EVAL_CROP_SIZE',
      `(${o.crop[0]}, ${o.crop[1]})`,
      'TRAIN_CROP_SIZE',
      `(${o.crop[0]}, ${o.crop[1]})`,
      'DATASET.NUM_CLASSES',
      String(o.classes),
      'TEST.TEST_MODEL',
      join(o.dir, 'checkpoint'),
      'FREEZE.SAVE_DIR',
      join(o.dir, 'freeze_model'),
      ...stageWords(o.stages),
      ...(o.extra ?? []),
    ],
  });
}

const W18: HrnetRefStages = {
  modules: [1, 4, 3],
  channels: [
    [18, 36],
    [18, 36, 72],
    [18, 36, 72, 144],
  ],
};
/** W18's widths with fewer modules: deep enough to chain modules, shallow enough not to saturate. */
const W18_SHORT: HrnetRefStages = { modules: [1, 2, 2], channels: W18.channels };
const TINY: HrnetRefStages = {
  modules: [1, 1, 1],
  channels: [
    [8, 16],
    [8, 16, 24],
    [8, 16, 24, 32],
  ],
};

describe('HRNet parameters and config rules', () => {
  test.each([
    ['W18', W18],
    ['tiny', TINY],
  ] as const)('%s: every name and shape equals the list derived from the structure', async (_n, stages) => {
    const cfg = await hrnetConfig({ crop: [64, 64], classes: 19, stages, dir: tmp.dir });
    const built = paramSpecs(buildPredictProgram(cfg)).map((p): [string, number[]] => [p.name, [...p.dims]]);
    const derived = hrnetParamList({ numClasses: 19, inChannels: 3, stages });
    expect(new Map(built)).toEqual(new Map(derived));
    expect(built.length).toBe(derived.length);
  });

  test('the zoo names appear as PaddleSeg writes them', async () => {
    const cfg = await hrnetConfig({ crop: [64, 64], classes: 19, stages: W18, dir: tmp.dir });
    const names = new Set(paramSpecs(buildPredictProgram(cfg)).map((p) => p.name));
    for (const n of [
      'layer1_1_weights',
      'layer1_1_bn_scale',
      'layer2_1_downsample_weights',
      'tr1_layer_2_weights',
      'st2_1_branch_layer_1_1_conv1_weights',
      'st3_1_layer_1_2_weights',
      'st4_3_layer_4_1_3_bn_variance',
      'conv-2_weights',
      'conv-1_weights',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  test('a stage with fewer channel entries than branches is refused, naming the key', async () => {
    const cfg = await hrnetConfig({
      crop: [64, 64],
      classes: 2,
      stages: W18,
      dir: tmp.dir,
      extra: ['MODEL.HRNET.STAGE3.NUM_CHANNELS', '[18, 36]'],
    });
    let caught: unknown;
    try {
      buildPredictProgram(cfg);
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK')).toBe(true);
    expect((caught as Error).message).toContain(
      'MODEL.HRNET.STAGE3.NUM_CHANNELS [18,36] has 2 entries; stage 3 has 3 branches',
    );
  });
});

describe('exported HRNet matches the independent forward pass', () => {
  const cases = [
    { layout: 'per-file', stages: TINY, crop: [64, 64], classes: 3 },
    { layout: 'combined', stages: TINY, crop: [72, 50], classes: 2 },
    { layout: 'pdparams', stages: W18_SHORT, crop: [48, 40], classes: 4 },
  ] as const;
  test.each(cases)(
    '$layout, crop $crop, $classes classes',
    async (c) => {
      const dir = join(tmp.dir, `${c.layout}-${c.crop.join('x')}`);
      const [w, h] = c.crop;
      const stages = c.stages as HrnetRefStages;
      const list = hrnetParamList({ numClasses: c.classes, inChannels: 3, stages });
      const rnd = mulberry32(13);
      const weights = new Map<string, Float32Array>();
      for (const [name, dims] of list) weights.set(name, seededValues(name, dims, rnd));
      const img = (seed: number) => {
        const r = mulberry32(seed);
        const x = chw(3, h, w);
        for (let i = 0; i < x.data.length; i++) x.data[i] = r() * 2 - 1;
        return x;
      };
      // Calibrated on the image it is then run on: HRNet's many sums carry a small shift of
      // channel means between two noise images into saturated logits (measured: 100% against
      // 25% unsaturated pixels), and a saturated comparison proves little.
      const x = img(2);
      hrnetForward(weights, x, { numClasses: c.classes, stages, calibrate: true });
      await writeReferenceCheckpoint(dir, list, weights, c.layout);
      const cfg = await hrnetConfig({ crop: [w, h], classes: c.classes, stages, dir });
      await expectExportMatches(cfg, x, hrnetForward(weights, x, { numClasses: c.classes, stages }), 'HRNet');
    },
    180_000,
  );
});
