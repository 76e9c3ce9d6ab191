/**
 * `feed` and `fetch`, which `save_inference_model` puts around an inference program
 * (spec §5.3): each feed op's `Out` becomes a graph input (the batch `-1` a symbolic `N`),
 * each fetch op's `X` a graph output.
 */
import { attr, type PaddleOpDef } from '../op-def.js';

/** feed. */
export const feed: PaddleOpDef = {
  type: 'feed',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.int('col', 0)],
  lower() {
    // Graph inputs are declared by the lowering before any op (lower-onnx.ts).
  },
};

/** fetch. */
export const fetch: PaddleOpDef = {
  type: 'fetch',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.int('col', 0)],
  lower() {
    // Graph outputs are declared by the lowering after every op (lower-onnx.ts).
  },
};
