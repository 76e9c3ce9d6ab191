/**
 * ResNet backbone of PaddleSeg's `resnet.py` with `stem='pspnet'` or `'icnet'` (spec §4.2,
 * §4.5, §4.6, Appendix B): three-conv stem (with conv biases for 'pspnet' only), max pool,
 * then bottleneck blocks (layers 50/101/152) or basic blocks (18/34), dilation by stage with
 * an explicit zero `Pad` before each dilated 3×3 conv, widths scaled by DEPTH_MULTIPLIER.
 * `net()`'s layer counter (1 after the pool, +3 per bottleneck) drives three sets of points:
 * a decode point records the block's output, the end point returns, and a resize point
 * halves the feature map (bilinear, `ceil(size / 2)`) before the next block — ICNet's
 * backbone uses all three. The residual add is named `<block>.add.output.5`, as in the
 * original. Op name scopes are `resnet/<block>/<branch>` (e.g. `resnet/res2a/branch2a`).
 */

import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { convBnLayer } from '../libs/conv-bn-layer.js';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  /** 18, 34, 50, 101 or 152. */
  layers: number;
  /** DEPTH_MULTIPLIER: every backbone width is `int(w · scale)` (bottleneck and stem). */
  scale: number;
  /** Stage index → dilation; PSPNet passes {2: 2, 3: 4}. */
  dilationDict: Readonly<Record<number, number>>;
  /** Stop when the layer counter reaches this value; PSPNet passes `layers − 1`. */
  endPoints: number;
  /** 'pspnet' (default: stem convs and all others with biases) or 'icnet' (no conv biases). */
  stem?: 'pspnet' | 'icnet';
  /** Counter value whose block output is returned as `decodeEnds.get(point)`. */
  decodePoint?: number;
  /** Counter value after which the feature map is resized to `ceil(size / 2)`. */
  resizePoint?: number;
  /** The config key LAYERS came from, for the error message. */
  layersKey?: string;
}

/** The feature map and the outputs recorded at the decode point. */
export interface ResNetOutput {
  data: Var;
  decodeEnds: Map<number, Var>;
}

const DEPTHS: Readonly<Record<number, readonly number[]>> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
};
const NUM_FILTERS = [64, 128, 256, 512];

/** The block name Paddle uses (`res4b22` for ResNet101/152 stage 3, else `res3c`). */
export function blockName(layers: number, block: number, i: number): string {
  if ((layers === 101 || layers === 152) && block === 2) return i === 0 ? 'res4a' : `res4b${i}`;
  return `res${block + 2}${String.fromCharCode(97 + i)}`;
}

/** `shortcut`: a 1×1 conv_bn when the shape changes, else identity. */
function shortcut(
  p: ProgramBuilder,
  block: string,
  x: Var,
  chOut: number,
  stride: number,
  isFirst: boolean,
  bias: boolean,
): Var {
  if (x.shape[1] !== chOut || stride !== 1 || isFirst) {
    return p.nameScope('branch1', () =>
      convBnLayer(p, x, { name: `${block}_branch1`, numFilters: chOut, filterSize: 1, stride, bias }),
    );
  }
  return x;
}

/**
 * `bottleneck_block`: 1×1 → (pad d) → 3×3 dilated → 1×1, plus shortcut, add, relu.
 * ResNet101 with the pspnet stem strides the 3×3, the others the first 1×1 (spec §4.2).
 */
function bottleneckBlock(
  p: ProgramBuilder,
  x: Var,
  o: { name: string; numFilters: number; stride: number; dilation: number; layers: number; stem: string },
): Var {
  const bias = o.stem === 'pspnet';
  return p.nameScope(o.name, () => {
    const strides = o.stem === 'pspnet' && o.layers === 101 ? [1, o.stride] : [o.stride, 1];
    const nf = o.numFilters;
    let conv0 = p.nameScope('branch2a', () =>
      convBnLayer(p, x, {
        name: `${o.name}_branch2a`,
        numFilters: nf,
        filterSize: 1,
        stride: strides[0]!,
        act: 'relu',
        bias,
      }),
    );
    if (o.dilation > 1) {
      const d = o.dilation;
      // `zero_padding` (spec §9.5): N and C untouched, H and W by d on both sides.
      conv0 = p.nameScope('branch2b', () => L.pad(p, conv0, [0, 0, 0, 0, d, d, d, d]));
    }
    const conv1 = p.nameScope('branch2b', () =>
      convBnLayer(p, conv0, {
        name: `${o.name}_branch2b`,
        numFilters: nf,
        filterSize: 3,
        stride: strides[1]!,
        dilation: o.dilation,
        act: 'relu',
        bias,
      }),
    );
    const conv2 = p.nameScope('branch2c', () =>
      convBnLayer(p, conv1, { name: `${o.name}_branch2c`, numFilters: nf * 4, filterSize: 1, bias }),
    );
    const short = shortcut(p, o.name, x, o.numFilters * 4, o.stride, false, bias);
    return L.elementwiseAdd(p, short, conv2, { act: 'relu', name: `${o.name}.add.output.5` });
  });
}

/** `basic_block` (layers 18/34): two 3×3 convs, widths not scaled, no dilation. */
function basicBlock(
  p: ProgramBuilder,
  x: Var,
  o: { name: string; numFilters: number; stride: number; isFirst: boolean; stem: string },
): Var {
  const bias = o.stem === 'pspnet';
  return p.nameScope(o.name, () => {
    const nf = o.numFilters;
    const conv0 = p.nameScope('branch2a', () =>
      convBnLayer(p, x, {
        name: `${o.name}_branch2a`,
        numFilters: nf,
        filterSize: 3,
        stride: o.stride,
        act: 'relu',
        bias,
      }),
    );
    const conv1 = p.nameScope('branch2b', () =>
      convBnLayer(p, conv0, { name: `${o.name}_branch2b`, numFilters: nf, filterSize: 3, bias }),
    );
    const short = shortcut(p, o.name, x, o.numFilters, o.stride, o.isFirst, bias);
    return L.elementwiseAdd(p, short, conv1, { act: 'relu' });
  });
}

/** `ResNet(layers, scale, stem).net(input, end_points, decode_points, resize_points, dilation_dict)`. */
export function resnet(p: ProgramBuilder, input: Var, o: ResNetOptions): ResNetOutput {
  const depth = DEPTHS[o.layers];
  if (!depth) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `${o.layersKey ?? 'MODEL.PSPNET.LAYERS'} ${o.layers} is not supported; use one of 18, 34, 50, 101, 152`,
    );
  }
  const stem = o.stem ?? 'pspnet';
  const decodeEnds = new Map<number, Var>();
  return p.nameScope('resnet', () => {
    const w = (n: number) => Math.trunc(n * o.scale);
    let x = input;
    const stemConvs: Array<[string, number, number]> = [
      ['conv1_1', w(64), 2],
      ['conv1_2', w(64), 1],
      ['conv1_3', w(128), 1],
    ];
    for (const [name, filters, stride] of stemConvs) {
      x = p.nameScope(name, () =>
        convBnLayer(p, x, {
          name,
          numFilters: filters,
          filterSize: 3,
          stride,
          act: 'relu',
          bias: stem === 'pspnet',
        }),
      );
    }
    x = L.pool2d(p, x, { poolSize: 3, poolStride: 2, poolPadding: 1, poolType: 'max' });
    let count = 1;
    // `check_points` in the order net() applies them: decode, end, resize.
    const points = (): boolean => {
      if (count === o.decodePoint) decodeEnds.set(count, x);
      if (count === o.endPoints) return true;
      if (count === o.resizePoint) {
        x = L.resizeBilinear(p, x, { outShape: [Math.ceil(x.shape[2]! / 2), Math.ceil(x.shape[3]! / 2)] });
      }
      return false;
    };
    if (points()) return { data: x, decodeEnds };
    for (let block = 0; block < depth.length; block++) {
      for (let i = 0; i < depth[block]!; i++) {
        const name = blockName(o.layers, block, i);
        if (o.layers >= 50) {
          const dilation = o.dilationDict[block] ?? 1;
          x = bottleneckBlock(p, x, {
            name,
            numFilters: w(NUM_FILTERS[block]!),
            stride: i === 0 && block !== 0 && dilation === 1 ? 2 : 1,
            dilation,
            layers: o.layers,
            stem,
          });
          count += 3;
        } else {
          x = basicBlock(p, x, {
            name,
            numFilters: NUM_FILTERS[block]!,
            stride: i === 0 && block !== 0 ? 2 : 1,
            isFirst: block === 0 && i === 0,
            stem,
          });
          count += 2;
        }
        if (points()) return { data: x, decodeEnds };
      }
    }
    return { data: x, decodeEnds };
  });
}
