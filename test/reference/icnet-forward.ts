/**
 * An independent forward pass of PaddleSeg v0.7's ICNet (PREDICT: the `logit124` head,
 * resized to the input by build_model), written from the architecture with the naive
 * kernels of paddle-ops.ts, never from src/:
 *
 * input → bilinear to ceil(H/2) → ResNet (`icnet` stem 64/64/128 × multiplier, no conv
 * biases, dilation 2 in res4 and 4 in res5; res3a's output kept at 1/16 and the map halved
 * to 1/32 after it) → pyramid of fixed average pools (kernels ceil(H/32)/k, k = 1…4)
 * summed onto res5 → `conv5_4_k1` → up to 1/16; `conv3_1_sub2_proj` on res3a; three
 * stride-2 convs and a projection on the full input; cascade fusion (dilated 3×3 convs,
 * sums, relu, up to 1/8 and floor(H/4)); `logit124`; up to H×W; softmax.
 */
import {
  add,
  avgPool,
  bilinearInterp,
  type Chw,
  conv2d,
  maxPool,
  relu,
  softmaxChannels,
} from './paddle-ops.js';
import { refParams } from './ref-params.js';

export interface IcnetRefOptions {
  numClasses: number;
  layers: 50 | 101;
  scale: number;
  collect?: boolean;
  calibrate?: boolean;
  floor?: number;
}

export function icnetForward(
  w: Map<string, Float32Array>,
  image: Chw,
  o: IcnetRefOptions,
  list: Array<[string, number[]]> = [],
): Chw {
  // A variance floor of 1 (not 0.1): ICNet's 1/32 maps have 16–50 pixels per channel at
  // test sizes, and a small floor leaves the calibrated network so ill-conditioned that a
  // 1e-7 input change moves the probabilities by 1e-4 — float32 rounding alone would then
  // exceed the tolerance in any correct implementation.
  const P = refParams(w, { ...o, floor: o.floor ?? 1 }, list);
  const up = (x: Chw, h: number, wd: number) => bilinearInterp(x, h, wd, true, 1);
  // ResNet conv_bn_layer: `<name>_weights`, bn `bn` + name[3:], no bias.
  const rconv = (x: Chw, name: string, cout: number, k: number, stride = 1, dil = 1, act = true) => {
    const y = conv2d(x, P.param(`${name}_weights`, [cout, x.c, k, k]), cout, k, {
      stride,
      pad: dil === 1 ? (k - 1) / 2 : dil,
      dilation: dil,
    });
    const z = P.suffixBn(y, `bn${name.slice(3)}`);
    return act ? relu(z) : z;
  };
  // model_libs conv + bn in a scope.
  const lconv = (
    x: Chw,
    s: string,
    cout: number,
    k: number,
    o2: { stride?: number; pad?: number; dil?: number; act?: boolean },
  ) => {
    const y = conv2d(x, P.param(`${s}/weights`, [cout, x.c, k, k]), cout, k, {
      stride: o2.stride ?? 1,
      pad: o2.pad ?? 0,
      dilation: o2.dil ?? 1,
    });
    const z = P.libsBn(y, s);
    return o2.act ? relu(z) : z;
  };
  const [H, W] = [image.h, image.w];
  const wd = (n: number) => Math.trunc(n * o.scale);

  let x = up(image, Math.ceil(H / 2), Math.ceil(W / 2));
  x = rconv(x, 'conv1_1', wd(64), 3, 2);
  x = rconv(x, 'conv1_2', wd(64), 3);
  x = rconv(x, 'conv1_3', wd(128), 3);
  x = maxPool(x, 3, 2, 1);
  const depth = o.layers === 50 ? [3, 4, 6, 3] : [3, 4, 23, 3];
  const dil = [1, 1, 2, 4];
  let res3: Chw | undefined;
  for (let b = 0; b < 4; b++)
    for (let i = 0; i < depth[b]!; i++) {
      const name =
        o.layers === 101 && b === 2
          ? i === 0
            ? 'res4a'
            : `res4b${i}`
          : `res${b + 2}${'abcdefghijklmnopqrstuvw'[i]}`;
      const nf = wd([64, 128, 256, 512][b]!);
      const stride = b === 1 && i === 0 ? 2 : 1;
      const a = rconv(x, `${name}_branch2a`, nf, 1, stride);
      const c = rconv(a, `${name}_branch2b`, nf, 3, 1, dil[b]!);
      const d = rconv(c, `${name}_branch2c`, nf * 4, 1, 1, 1, false);
      const short =
        x.c !== nf * 4 || stride !== 1 ? rconv(x, `${name}_branch1`, nf * 4, 1, stride, 1, false) : x;
      x = relu(add(short, d));
      if (b === 1 && i === 0) {
        res3 = x;
        x = up(x, Math.ceil(x.h / 2), Math.ceil(x.w / 2));
      }
    }
  // sub_net_4
  const [h, w32] = [Math.ceil(H / 32), Math.ceil(W / 32)];
  let sum = x;
  for (const k of [4, 3, 2, 1]) {
    const kh = Math.floor(h / k);
    const kw = Math.floor(w32 / k);
    sum = add(sum, up(avgPool(x, { kh, kw, sh: kh, sw: kw }), h, w32));
  }
  let sub4 = lconv(sum, 'conv5_4_k1', 256, 1, { act: true });
  sub4 = up(sub4, Math.ceil(H / 16), Math.ceil(W / 16));
  const sub2 = lconv(res3!, 'conv3_1_sub2_proj', 128, 1, {});
  let s1 = lconv(image, 'conv1_sub1', 32, 3, { stride: 2, pad: 1, act: true });
  s1 = lconv(s1, 'conv2_sub1', 32, 3, { stride: 2, pad: 1, act: true });
  s1 = lconv(s1, 'conv3_sub1', 64, 3, { stride: 2, pad: 1, act: true });
  const sub1 = lconv(s1, 'conv3_sub1_proj', 128, 1, {});
  let s24 = relu(add(lconv(sub4, 'conv_sub4', 128, 3, { pad: 2, dil: 2 }), sub2));
  s24 = up(s24, Math.ceil(H / 8), Math.ceil(W / 8));
  let s124 = relu(add(lconv(s24, 'conv_sub2', 128, 3, { pad: 2, dil: 2 }), sub1));
  s124 = up(s124, Math.floor(H / 4), Math.floor(W / 4));
  const logit = P.unitLogits(
    () =>
      conv2d(s124, P.param('logit124/weights', [o.numClasses, 128, 1, 1]), o.numClasses, 1, {
        stride: 1,
        pad: 0,
        dilation: 1,
        bias: P.param('logit124/biases', [o.numClasses]),
      }),
    'logit124/weights',
    'logit124/biases',
  );
  return softmaxChannels(up(logit, H, W));
}
