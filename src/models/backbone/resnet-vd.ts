/**
 * ResNet_vd of PaddleSeg v0.7's `backbone/resnet_vd.py` as DeepLabv3+ builds it
 * (`stem='deeplab'`): the "vd" stem of three 3×3 convs (`conv1_1` 32 stride 2, `conv1_2`
 * 32, `conv1_3` 64, relu), max pool 3/2/1, then bottlenecks (50 or 101 layers) whose stride
 * sits on the 3×3 conv, and a downsampling shortcut that average-pools 2×2 stride 2 with
 * `ceil_mode` (exclusive) before its 1×1 conv — used where the block strides and is not
 * the first; a plain 1×1 conv where the width changes at stride 1.
 *
 * Output stride 16 dilates stage 3 by 2, output stride 8 stages 2 and 3 by 2 and 4; the
 * last stage multiplies its rate by the multi-grid (1, 2, 4) unit by unit. A dilated 3×3
 * conv gets an explicit zero `pad` of its rate and no padding of its own, as in resnet.py.
 * Convs have no bias; batch norms are fluid's defaults named `bn` + `name[3:]`
 * (`res3a_branch1` → `bn3a_branch1`, `conv1_1` → `bnv1_1`). DeepLab stops at counter
 * `layers − 1` and takes the decoder skip at counter 10 (after `res2c`, 1/4).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { convBnLayer, FLUID_BN_EPSILON, namedBatchNorm, resnetBnName } from '../libs/conv-bn-layer.js';
import { blockName } from './resnet.js';

const DEPTHS: Readonly<Record<number, readonly number[]>> = { 50: [3, 4, 6, 3], 101: [3, 4, 23, 3] };
const NUM_FILTERS = [64, 128, 256, 512];
const MULTI_GRID = [1, 2, 4];

/** `conv_bn_layer`, unnamed layers and no bias. */
function convBn(
  p: ProgramBuilder,
  x: Var,
  o: {
    name: string;
    numFilters: number;
    filterSize: number;
    stride?: number;
    dilation?: number;
    act?: 'relu';
  },
): Var {
  return convBnLayer(p, x, { ...o, bias: false, layerNames: false });
}

/** `conv_bn_layer_new`: avg pool 2×2 stride 2 `ceil_mode` → 1×1 conv → batch norm. */
function poolConvBn(p: ProgramBuilder, x: Var, o: { name: string; numFilters: number }): Var {
  const pool = L.pool2d(p, x, {
    poolSize: 2,
    poolStride: 2,
    poolPadding: 0,
    poolType: 'avg',
    ceilMode: true,
  });
  const y = L.conv2d(p, pool, { numFilters: o.numFilters, filterSize: 1, paramName: `${o.name}_weights` });
  return namedBatchNorm(p, y, resnetBnName(o.name), { epsilon: FLUID_BN_EPSILON });
}

function shortcut(
  p: ProgramBuilder,
  x: Var,
  chOut: number,
  stride: number,
  isFirst: boolean,
  name: string,
): Var {
  if (x.shape[1] !== chOut || stride !== 1) {
    return isFirst || stride === 1
      ? convBn(p, x, { name, numFilters: chOut, filterSize: 1, stride })
      : poolConvBn(p, x, { name, numFilters: chOut });
  }
  return isFirst ? convBn(p, x, { name, numFilters: chOut, filterSize: 1, stride }) : x;
}

function bottleneck(
  p: ProgramBuilder,
  x: Var,
  o: { name: string; numFilters: number; stride: number; dilation: number; isFirst: boolean },
): Var {
  const { name, numFilters: nf, dilation: d } = o;
  return p.nameScope(name, () => {
    let conv0 = convBn(p, x, { name: `${name}_branch2a`, numFilters: nf, filterSize: 1, act: 'relu' });
    if (d > 1) conv0 = L.pad(p, conv0, [0, 0, 0, 0, d, d, d, d]);
    const conv1 = convBn(p, conv0, {
      name: `${name}_branch2b`,
      numFilters: nf,
      filterSize: 3,
      stride: o.stride,
      dilation: d,
      act: 'relu',
    });
    const conv2 = convBn(p, conv1, { name: `${name}_branch2c`, numFilters: nf * 4, filterSize: 1 });
    const short = p.nameScope('shortcut', () =>
      shortcut(p, x, nf * 4, o.stride, o.isFirst, `${name}_branch1`),
    );
    return L.elementwiseAdd(p, short, conv2, { act: 'relu' });
  });
}

/** The layer count a `resnet_vd_<n>` backbone name asks for (`'50' in name`, then `'101'`). */
export function resnetVdLayers(backbone: string): number {
  if (backbone.includes('50')) return 50;
  if (backbone.includes('101')) return 101;
  throw new PdsegError(
    'CONFIG_CHECK',
    `MODEL.DEEPLAB.BACKBONE "${backbone}": the ResNet_vd backbone has 50 or 101 layers ("resnet_vd backbone only support layers 50 or 101"); use resnet_vd_50 or resnet_vd_101`,
  );
}

/** DeepLab's `resnet_vd(input)`: the 1/output-stride features and the 1/4 decoder skip. */
export function resnetVd(
  p: ProgramBuilder,
  input: Var,
  o: { layers: number; outputStride: number },
): { data: Var; shortcut: Var } {
  const dilations: Record<number, Record<number, number>> = { 8: { 2: 2, 3: 4 }, 16: { 3: 2 } };
  const dilationDict = dilations[o.outputStride];
  if (!dilationDict) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.OUTPUT_STRIDE ${o.outputStride}: DeepLabv3+ on ResNet_vd takes output stride 8 or 16 ("deeplab only support stride 8 or 16")`,
    );
  }
  const depth = DEPTHS[o.layers]!;
  return p.nameScope('resnet_vd', () => {
    let x = input;
    for (const [name, filters, stride] of [
      ['conv1_1', 32, 2],
      ['conv1_2', 32, 1],
      ['conv1_3', 64, 1],
    ] as const) {
      x = convBn(p, x, { name, numFilters: filters, filterSize: 3, stride, act: 'relu' });
    }
    x = L.pool2d(p, x, { poolSize: 3, poolStride: 2, poolPadding: 1, poolType: 'max' });
    let count = 1;
    let skip: Var | undefined;
    for (let block = 0; block < depth.length; block++) {
      for (let i = 0; i < depth[block]!; i++) {
        let d = dilationDict[block] ?? 1;
        if (block === 3) d *= MULTI_GRID[i]!;
        x = bottleneck(p, x, {
          name: blockName(o.layers, block, i),
          numFilters: NUM_FILTERS[block]!,
          stride: i === 0 && block !== 0 && d === 1 ? 2 : 1,
          dilation: d,
          isFirst: block === 0 && i === 0,
        });
        count += 3;
        if (count === 10) skip = x;
        if (count === o.layers - 1) return { data: x, shortcut: skip! };
      }
    }
    return { data: x, shortcut: skip! };
  });
}
