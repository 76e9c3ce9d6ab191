/**
 * ICNet of PaddleSeg v0.7's `modeling/icnet.py`, PREDICT branch: three resolutions fused by
 * cascade feature fusion, and only the finest head `logit124` (the `logit24` and `logit4`
 * heads feed nothing at inference and are pruned from the export).
 *
 * - The input is first resized to `ceil(H/2) × ceil(W/2)` (`image_sub2`) for the ResNet
 *   backbone (backbone/resnet.ts with `stem='icnet'`: no conv biases; widths ×
 *   `MODEL.ICNET.DEPTH_MULTIPLIER`; dilation {2: 2, 3: 4}; for 50/101/152 layers the end
 *   point is `layers − 1`, and at counter 13 — after `res3a`, 1/16 of the input — the block
 *   output is kept (`res3_s2`) and the map halved to 1/32 before `res3b`).
 * - `sub_net_4`: pyramid pooling of the 1/32 map `res5` with fixed average pools of
 *   kernel = stride = (h, w), (h/2, w/2), (h/3, w/3), (h/4, w/4) for (h, w) = ceil(input/32),
 *   each resized back and summed onto the map (`res5 + p4 + p3 + p2 + p1`), then
 *   `conv5_4_k1` (1×1 to 256, bn, relu) and a resize to ceil(input/16).
 * - `sub_net_2`: `conv3_1_sub2_proj` (1×1 to 128, bn) on `res3_s2`.
 * - `sub_net_1` on the full input: `conv1_sub1`, `conv2_sub1`, `conv3_sub1` (3×3 stride 2
 *   padding 1 to 32, 32, 64, bn, relu) and `conv3_sub1_proj` (1×1 to 128, bn).
 * - `CCF24`: `conv_sub4` (3×3 dilation 2 padding 2 to 128, bn) + sub2, relu, resize to
 *   ceil(input/8). `CCF124`: zero pad 2, `conv_sub2` (3×3 dilation 2, no conv padding, bn)
 *   + sub1, relu, resize to floor(input/4).
 * - `logit124`: 1×1 conv with bias to the classes (`logit124/weights`, `logit124/biases`);
 *   `build_model` then resizes it to the input size.
 *
 * Heads' convs and batch norms are `model_libs` ones (`<scope>/weights`,
 * `<scope>/BatchNorm/*`, ε `MODEL.DEFAULT_EPSILON`, momentum `MODEL.BN_MOMENTUM`).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { resnet } from '../backbone/resnet.js';
import { type BnOptions, bn, conv, spatial } from '../libs/model-libs.js';

/** Options of {@link icnet}. */
export interface IcnetOptions {
  numClasses: number;
  /** MODEL.ICNET.LAYERS. */
  layers: number;
  /** MODEL.ICNET.DEPTH_MULTIPLIER. */
  depthMultiplier: number;
  norm: Omit<BnOptions, 'act'>;
}

/**
 * Checks the keys against ICNet's rules before anything is built: the backbone depth pdseg
 * builds, and a crop large enough that the smallest pyramid pool (kernel ceil(size/32)/4)
 * is at least one pixel.
 */
export function checkIcnet(o: IcnetOptions, size: readonly [number, number]): void {
  if (![50, 101, 152].includes(o.layers)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.ICNET.LAYERS ${o.layers}: pdseg builds ICNet on the bottleneck ResNets (50, 101, 152); the zoo's icnet_bn_cityscapes and configs/icnet_optic.yaml use 50`,
    );
  }
  if (!(o.depthMultiplier > 0) || Math.trunc(64 * o.depthMultiplier) < 1) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.ICNET.DEPTH_MULTIPLIER ${o.depthMultiplier} must be positive and leave the 64-wide stem at least one channel (≥ 1/64)`,
    );
  }
  const [h, w] = size;
  if (Math.ceil(h / 32) < 4 || Math.ceil(w / 32) < 4) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `EVAL_CROP_SIZE (${w}, ${h}) is too small for ICNet: its pyramid pools use kernels ceil(size/32)/k for k = 1…4, which needs ceil(size/32) ≥ 4, i.e. width and height ≥ 97`,
    );
  }
}

/** `pyramis_pooling(input, input_shape)`: the map plus its four fixed-kernel average pools, resized back. */
function pyramidPooling(p: ProgramBuilder, input: Var, inputShape: readonly [number, number]): Var {
  const [h, w] = [Math.ceil(inputShape[0] / 32), Math.ceil(inputShape[1] / 32)];
  const pooled = [1, 2, 3, 4].map((k) => {
    const kernel: [number, number] = [Math.floor(h / k), Math.floor(w / k)];
    const pool = L.pool2d(p, input, { poolSize: kernel, poolStride: kernel, poolType: 'avg' });
    return L.resizeBilinear(p, pool, { outShape: [h, w] });
  });
  // `input + pool4_interp + pool3_interp + pool2_interp + pool1_interp`, left to right.
  return [pooled[3]!, pooled[2]!, pooled[1]!, pooled[0]!].reduce((sum, x) => L.plus(p, sum, x), input);
}

/** `icnet(input, num_classes)` → `logit124` at floor(input/4); build_model resizes it. */
export function icnet(p: ProgramBuilder, input: Var, o: IcnetOptions): Var {
  const inputShape = spatial(input);
  checkIcnet(o, inputShape);
  const norm = o.norm;
  const ceilOf = (d: number): [number, number] => [
    Math.ceil(inputShape[0] / d),
    Math.ceil(inputShape[1] / d),
  ];
  const imageSub2 = L.resizeBilinear(p, input, { outShape: ceilOf(2) });
  const { data: res5, decodeEnds } = resnet(p, imageSub2, {
    layers: o.layers,
    scale: o.depthMultiplier,
    stem: 'icnet',
    dilationDict: { 2: 2, 3: 4 },
    endPoints: o.layers - 1,
    decodePoint: 13,
    resizePoint: 13,
    layersKey: 'MODEL.ICNET.LAYERS',
  });
  const res3 = decodeEnds.get(13)!;
  const sub4 = p.nameScope('sub_net_4', () => {
    const sum = pyramidPooling(p, res5, inputShape);
    const y = p.scope('conv5_4_k1', () =>
      bn(p, conv(p, sum, { numFilters: 256, filterSize: 1 }), { ...norm, act: 'relu' }),
    );
    return L.resizeBilinear(p, y, { outShape: ceilOf(16) });
  });
  const sub2 = p.nameScope('sub_net_2', () =>
    p.scope('conv3_1_sub2_proj', () => bn(p, conv(p, res3, { numFilters: 128, filterSize: 1 }), norm)),
  );
  const sub1 = p.nameScope('sub_net_1', () => {
    let y = input;
    for (const [name, filters] of [
      ['conv1_sub1', 32],
      ['conv2_sub1', 32],
      ['conv3_sub1', 64],
    ] as const) {
      y = p.scope(name, () =>
        bn(p, conv(p, y, { numFilters: filters, filterSize: 3, stride: 2, padding: 1 }), {
          ...norm,
          act: 'relu',
        }),
      );
    }
    return p.scope('conv3_sub1_proj', () => bn(p, conv(p, y, { numFilters: 128, filterSize: 1 }), norm));
  });
  const sub24 = p.nameScope('CCF24', () => {
    const y = p.scope('conv_sub4', () =>
      bn(p, conv(p, sub4, { numFilters: 128, filterSize: 3, dilation: 2, padding: 2 }), norm),
    );
    // `tmp + sub2_out`: Python `+` on Variables.
    const fused = L.act(p, 'relu', L.plus(p, y, sub2));
    return L.resizeBilinear(p, fused, { outShape: ceilOf(8) });
  });
  const sub124 = p.nameScope('CCF124', () => {
    const padded = L.pad(p, sub24, [0, 0, 0, 0, 2, 2, 2, 2]);
    const y = p.scope('conv_sub2', () =>
      bn(p, conv(p, padded, { numFilters: 128, filterSize: 3, dilation: 2 }), norm),
    );
    const fused = L.act(p, 'relu', L.plus(p, y, sub1));
    // `input_shape // 4`: floor, unlike the other sizes.
    return L.resizeBilinear(p, fused, {
      outShape: [Math.floor(inputShape[0] / 4), Math.floor(inputShape[1] / 4)],
    });
  });
  return p.scope('logit124', () => conv(p, sub124, { numFilters: o.numClasses, filterSize: 1, bias: true }));
}
