/**
 * Every config in `configs/` builds its network and lowers to ONNX at its own crop size,
 * with the output shape the shape rules give: `[N, classes, H, W]` (2 channels for the
 * one-channel sigmoid heads). No weights are involved: this checks that each config's keys
 * are accepted and every shape follows through, not the numbers (test/models/* do those).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { buildPredictProgram, classCount } from '../../src/models/model-builder.js';
import { lowerToOnnx } from '../../src/program/lower-onnx.js';
import { ROOT } from '../helpers.js';

const CONFIGS = readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));

test('all 16 configs of PaddleSeg v0.7 are here', () => {
  expect(CONFIGS).toHaveLength(16);
});

test.each(CONFIGS)(
  '%s builds and lowers at its EVAL_CROP_SIZE',
  async (file) => {
    const cfg = await loadConfig({ cfgFile: join(ROOT, 'configs', file) });
    const program = buildPredictProgram(cfg);
    const lowered = lowerToOnnx(program, { name: file });
    const [w, h] = cfg.EVAL_CROP_SIZE;
    const classes = classCount(cfg) === 1 ? 2 : cfg.DATASET.NUM_CLASSES;
    expect(lowered.outputs.map((o) => [...o.shape])).toEqual([['N', classes, h, w]]);
  },
  60_000,
);
