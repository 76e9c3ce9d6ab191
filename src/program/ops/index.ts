/**
 * The op table (STYLE.md §7: a registry is data): Paddle op type → its definition, from
 * the op files beside this one. A type given twice is an error. These are the 26 op types
 * a PaddleSeg v0.7 export can contain (`../shared/spec/paddleseg-architectures.md` §3), plus
 * `mul` (the fc layer real programs such as Paddle.js's gesture model use).
 */
import type { PaddleOpDef } from '../op-def.js';
import { hardSigmoid, hardSwish, relu, relu6, sigmoid } from './activation.js';
import { conv2d, conv2dTranspose, depthwiseConv2d } from './conv.js';
import { elementwiseAdd, elementwiseMul } from './elementwise.js';
import { bilinearInterp } from './interp.js';
import { feed, fetch } from './io.js';
import { matmul, mul, reduceMean, softmax } from './math.js';
import { batchNorm, groupNorm } from './norm.js';
import { pool2d } from './pool.js';
import { concat, dropout, pad, reshape2, scale, transpose2, unsqueeze2 } from './tensor.js';

/** Makes the table; a type given twice throws. */
export function createOpTable(defs: readonly PaddleOpDef[]): ReadonlyMap<string, PaddleOpDef> {
  const map = new Map<string, PaddleOpDef>();
  for (const d of defs) {
    if (map.has(d.type)) throw new RangeError(`Paddle op "${d.type}" is defined twice`);
    map.set(d.type, d);
  }
  return map;
}

/** Every Paddle op type pdseg records and lowers. */
export const PADDLE_OPS: ReadonlyMap<string, PaddleOpDef> = createOpTable([
  feed,
  fetch,
  conv2d,
  depthwiseConv2d,
  conv2dTranspose,
  batchNorm,
  groupNorm,
  elementwiseAdd,
  elementwiseMul,
  relu,
  relu6,
  sigmoid,
  hardSwish,
  hardSigmoid,
  scale,
  pool2d,
  pad,
  bilinearInterp,
  concat,
  reduceMean,
  dropout,
  reshape2,
  transpose2,
  unsqueeze2,
  matmul,
  softmax,
  mul,
]);
