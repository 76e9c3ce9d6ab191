/** Predict settings from model metadata: DATA_DIM, and MEAN/STD checked against it up front. */
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { settingsFromMetadata } from '../../src/predict/settings.js';

const meta = (over: Record<string, unknown>) =>
  Object.entries({
    NUM_CLASSES: 2,
    EVAL_CROP_SIZE: [64, 64],
    MEAN: [0.5, 0.5, 0.5],
    STD: [0.5, 0.5, 0.5],
    IMAGE_TYPE: 'rgb',
    DATA_DIM: 3,
    TO_RGB: false,
    'AUG.AUG_METHOD': 'unpadding',
    'AUG.FIX_RESIZE_SIZE': [64, 64],
    'AUG.INF_RESIZE_VALUE': 64,
    ...over,
  }).map(([key, value]) => ({ key, value: JSON.stringify(value) }));

describe('settingsFromMetadata', () => {
  it('reads DATA_DIM as the channel count; PADDING_VALUE follows MEAN × 255', () => {
    const s = settingsFromMetadata(
      meta({ IMAGE_TYPE: 'rgba', DATA_DIM: 4, MEAN: [0.1, 0.2, 0.3, 0.4], STD: [1, 1, 1, 1] }),
      'm.onnx',
    );
    expect(s.channels).toBe(4);
    expect(s.paddingValue.map((v) => Math.round(v * 10) / 10)).toEqual([25.5, 51, 76.5, 102]);
  });

  it('refuses MEAN or STD whose length is not the channel count, naming the key', () => {
    for (const [key, over] of [
      ['MEAN', { DATA_DIM: 4, STD: [1, 1, 1, 1] }],
      ['STD', { DATA_DIM: 4, MEAN: [0.5, 0.5, 0.5, 0.5] }],
    ] as const) {
      let err: unknown;
      try {
        settingsFromMetadata(meta(over), 'm.onnx');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PdsegError);
      expect((err as PdsegError).code).toBe('CONFIG_CHECK');
      expect((err as PdsegError).message).toContain(`${key} has 3 values but images have 4 channels`);
    }
  });
});
