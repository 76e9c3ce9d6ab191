/**
 * Fast-SCNN of PaddleSeg v0.7's `modeling/fast_scnn.py`, PREDICT branch (the auxiliary
 * heads that `MODEL.MULTI_LOSS_WEIGHT` adds for training feed nothing at inference):
 *
 * - `learning_to_downsample`: conv 3×3 stride 2 with **no padding** to 32 (512 → 255),
 *   bn, relu; `dsconv1`, `dsconv2`: separable convs stride 2 to 48 and 64 (relu) → 1/8.
 * - `global_feature_extractor`: MobileNetV2 inverted-residual stages (t 6) of 64, 96, 128
 *   channels, 3 units each, strides 2, 2, 1 (unscoped `inverted_block_k_i_{expand,dwise,
 *   linear}` parameters, relu6); a pyramid pooling module of its own (adaptive average
 *   pools 1, 2, 3, 6 → 1×1 conv to 32, bn, relu → bilinear back; concat
 *   **[input, psp1, psp2, psp3, psp6]**, PSPNet's order reversed); `out`: 1×1 conv to 128,
 *   bn, relu.
 * - `feature_fusion`: the 1/32 features resized to the 1/8 size, `dwconv` (1×1 to 128, bn,
 *   relu), `conv_lower_res` and `conv_higher_res` (1×1 with bias to 128, bn), summed, relu.
 * - `classifier`: `dsconv1`, `dsconv2` (separable 3×3 to 128, relu), dropout 0.1
 *   (×float32(0.9) at inference), 1×1 conv with bias to the classes; resize to the input.
 *
 * Convs and norms of the scoped parts are `model_libs` ones (`<scope>/weights`,
 * `<scope>/BatchNorm/*`, ε `MODEL.DEFAULT_EPSILON`, momentum `MODEL.BN_MOMENTUM`).
 */
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { invertedResidual } from '../backbone/mobilenet-v2.js';
import { type BnOptions, bn, bnRelu, conv, separateConv, spatial } from '../libs/model-libs.js';

type Norm = Omit<BnOptions, 'act'>;

/** `inverted_blocks(input, in_c, t, c, n, s, name)`: n units, the first strided, the rest residual. */
function invertedBlocks(
  p: ProgramBuilder,
  x: Var,
  o: { inCh: number; t: number; c: number; n: number; s: number; name: string },
): Var {
  let y = invertedResidual(p, x, {
    inCh: o.inCh,
    outCh: o.c,
    shortcut: false,
    stride: o.s,
    t: o.t,
    name: `${o.name}_1`,
  }).out;
  for (let i = 1; i < o.n; i++) {
    y = invertedResidual(p, y, {
      inCh: o.c,
      outCh: o.c,
      shortcut: true,
      stride: 1,
      t: o.t,
      name: `${o.name}_${i + 1}`,
    }).out;
  }
  return y;
}

/** Fast-SCNN's `psp_module(input, out_features)`. */
function pspModule(p: ProgramBuilder, input: Var, outFeatures: number, norm: Norm): Var {
  const branches = [1, 2, 3, 6].map((size) =>
    p.scope(`psp${size}`, () => {
      const pool = L.adaptivePool2d(p, input, { poolSize: [size, size], poolType: 'avg' });
      const y = bn(p, conv(p, pool, { numFilters: outFeatures, filterSize: 1 }), { ...norm, act: 'relu' });
      return L.resizeBilinear(p, y, { outShape: spatial(input), alignMode: 0 });
    }),
  );
  return L.concat(p, [input, ...branches], 1);
}

/** `fast_scnn(img, num_classes)` → logits `[N, numClasses, H, W]`. */
export function fastScnn(p: ProgramBuilder, img: Var, o: { numClasses: number; norm: Norm }): Var {
  const norm = o.norm;
  const sep = (x: Var, scope: string, channel: number, stride: number) =>
    p.scope(scope, () => separateConv(p, x, { channel, stride, filter: 3, act: true, ...norm }));
  const higher = p.scope('learning_to_downsample', () => {
    const x = bnRelu(p, conv(p, img, { numFilters: 32, filterSize: 3, stride: 2 }), norm);
    return sep(sep(x, 'dsconv1', 48, 2), 'dsconv2', 64, 2);
  });
  const lower = p.scope('global_feature_extractor', () => {
    let x = invertedBlocks(p, higher, { inCh: 64, t: 6, c: 64, n: 3, s: 2, name: 'inverted_block_1' });
    x = invertedBlocks(p, x, { inCh: 64, t: 6, c: 96, n: 3, s: 2, name: 'inverted_block_2' });
    x = invertedBlocks(p, x, { inCh: 96, t: 6, c: 128, n: 3, s: 1, name: 'inverted_block_3' });
    x = pspModule(p, x, 128 / 4, norm);
    return p.scope('out', () => bnRelu(p, conv(p, x, { numFilters: 128, filterSize: 1 }), norm));
  });
  const fused = p.scope('feature_fusion', () => {
    let low = L.resizeBilinear(p, lower, { outShape: spatial(higher), alignMode: 0 });
    low = p.scope('dwconv', () => bnRelu(p, conv(p, low, { numFilters: 128, filterSize: 1 }), norm));
    low = p.scope('conv_lower_res', () =>
      bn(p, conv(p, low, { numFilters: 128, filterSize: 1, bias: true }), norm),
    );
    const high = p.scope('conv_higher_res', () =>
      bn(p, conv(p, higher, { numFilters: 128, filterSize: 1, bias: true }), norm),
    );
    // `higher_res_feature + lower_res_feature`: Python `+` on Variables.
    return L.act(p, 'relu', L.plus(p, high, low));
  });
  return p.scope('classifier', () => {
    const x = sep(sep(fused, 'dsconv1', 128, 1), 'dsconv2', 128, 1);
    const dropped = L.dropout(p, x, { dropoutProb: 0.1 });
    const logit = conv(p, dropped, { numFilters: o.numClasses, filterSize: 1, bias: true });
    return L.resizeBilinear(p, logit, { outShape: spatial(img), alignMode: 0 });
  });
}
