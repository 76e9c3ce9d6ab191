/**
 * An independent forward pass of PaddleSeg v0.7's Fast-SCNN (PREDICT), written from the
 * architecture with naive kernels, never from src/:
 *
 * learning to downsample (3×3 stride-2 conv **without padding** to 32, bn, relu; two
 * separable stride-2 convs to 48 and 64) → global feature extractor (inverted residuals
 * t 6: 64/96/128 channels × 3 units, strides 2, 2, 1, relu6; pyramid pooling: adaptive
 * average 1, 2, 3, 6 → 1×1 conv to 32, bn, relu → bilinear back, concat
 * [x, psp1, psp2, psp3, psp6]; 1×1 conv to 128, bn, relu) → feature fusion (the 1/32
 * features up to 1/8, 1×1 conv-bn-relu, 1×1 conv with bias + bn; the 1/8 features 1×1
 * conv with bias + bn; sum, relu) → classifier (two separable convs to 128, relu;
 * ×(1 − 0.1); 1×1 conv with bias) → bilinear to the input → softmax.
 */
import {
  adaptiveAvgPool,
  add,
  bilinearInterp,
  type Chw,
  concatChannels,
  conv2d,
  depthwiseConv,
  relu,
  relu6,
  scale,
  softmaxChannels,
} from './paddle-ops.js';
import { refParams } from './ref-params.js';

export interface FastScnnRefOptions {
  numClasses: number;
  collect?: boolean;
  calibrate?: boolean;
}

const f = Math.fround;

export function fastScnnForward(
  w: Map<string, Float32Array>,
  image: Chw,
  o: FastScnnRefOptions,
  list: Array<[string, number[]]> = [],
): Chw {
  const P = refParams(w, { ...o, floor: 1 }, list);
  const up = (x: Chw, h: number, wd: number) => bilinearInterp(x, h, wd, true, 0);
  const lconv = (x: Chw, s: string, cout: number, k: number, stride = 1, pad = 0, bias = false) =>
    conv2d(x, P.param(`${s}/weights`, [cout, x.c, k, k]), cout, k, {
      stride,
      pad,
      dilation: 1,
      ...(bias ? { bias: P.param(`${s}/biases`, [cout]) } : {}),
    });
  const sep = (x: Chw, s: string, cout: number, stride: number) => {
    const d = relu(
      P.libsBn(
        depthwiseConv(x, P.param(`${s}/depthwise/weights`, [x.c, 1, 3, 3]), 3, stride, 1, 1),
        `${s}/depthwise`,
      ),
    );
    return relu(P.libsBn(lconv(d, `${s}/pointwise`, cout, 1), `${s}/pointwise`));
  };
  // Fast-SCNN's own conv_bn_layer (unscoped names, relu6).
  const cbn = (x: Chw, name: string, cout: number, k: number, stride: number, act: boolean, dw = false) => {
    const y = dw
      ? depthwiseConv(x, P.param(`${name}_weights`, [cout, 1, k, k]), k, stride, (k - 1) / 2, 1)
      : conv2d(x, P.param(`${name}_weights`, [cout, x.c, k, k]), cout, k, {
          stride,
          pad: (k - 1) / 2,
          dilation: 1,
        });
    const z = P.suffixBn(y, `${name}_bn`);
    return act ? relu6(z) : z;
  };

  let x = relu(P.libsBn(lconv(image, 'learning_to_downsample', 32, 3, 2), 'learning_to_downsample'));
  x = sep(x, 'learning_to_downsample/dsconv1', 48, 2);
  const higher = sep(x, 'learning_to_downsample/dsconv2', 64, 2);

  let g = higher;
  let inC = 64;
  [
    [64, 2],
    [96, 2],
    [128, 1],
  ].forEach(([c, s], b) => {
    for (let i = 0; i < 3; i++) {
      const name = `inverted_block_${b + 1}_${i + 1}`;
      const cin = i === 0 ? inC : c!;
      const e = cbn(g, `${name}_expand`, cin * 6, 1, 1, true);
      const d = cbn(e, `${name}_dwise`, cin * 6, 3, i === 0 ? s! : 1, true, true);
      const lin = cbn(d, `${name}_linear`, c!, 1, 1, false);
      g = i === 0 ? lin : add(g, lin);
    }
    inC = c!;
  });
  const G = 'global_feature_extractor';
  const pyramid = [1, 2, 3, 6].map((size) =>
    up(
      relu(P.libsBn(lconv(adaptiveAvgPool(g, size, size), `${G}/psp${size}`, 32, 1), `${G}/psp${size}`)),
      g.h,
      g.w,
    ),
  );
  g = concatChannels([g, ...pyramid]);
  const lower = relu(P.libsBn(lconv(g, `${G}/out`, 128, 1), `${G}/out`));

  const F = 'feature_fusion';
  let low = up(lower, higher.h, higher.w);
  low = relu(P.libsBn(lconv(low, `${F}/dwconv`, 128, 1), `${F}/dwconv`));
  low = P.libsBn(lconv(low, `${F}/conv_lower_res`, 128, 1, 1, 0, true), `${F}/conv_lower_res`);
  const high = P.libsBn(lconv(higher, `${F}/conv_higher_res`, 128, 1, 1, 0, true), `${F}/conv_higher_res`);
  const fused = relu(add(high, low));

  let c = sep(fused, 'classifier/dsconv1', 128, 1);
  c = scale(sep(c, 'classifier/dsconv2', 128, 1), f(1 - f(0.1)));
  const logit = P.unitLogits(
    () => lconv(c, 'classifier', o.numClasses, 1, 1, 0, true),
    'classifier/weights',
    'classifier/biases',
  );
  return softmaxChannels(up(logit, image.h, image.w));
}
