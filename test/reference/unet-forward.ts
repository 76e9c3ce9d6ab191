/**
 * An independent forward pass of PaddleSeg v0.7's UNet, written from the architecture
 * (encoder blocks of 64/128/256/512/512 channels, 2×2 max-pool downs, bilinear or 2×2
 * stride-2 transposed-conv ups, concat [up, skip], 3×3 logit) with the naive kernels of
 * paddle-ops.ts, never from src/. Parameter names are spelt out here from the scope rules
 * (`encode/block2/down/conv1/BatchNorm/gamma`…), independently of the builder.
 *
 * `calibrate`: instead of reading the batch-norm statistics, set each moving mean/variance
 * to the per-channel mean/variance of the layer's actual input on this image, so a
 * randomly initialised network keeps unit-scale activations (not saturated) end to end.
 */
import {
  batchNorm,
  bilinearInterp,
  type Chw,
  channelStats,
  chw,
  concatChannels,
  conv2d,
  maxPool,
  relu,
  softmaxChannels,
} from './paddle-ops.js';

/** Weights by Paddle name (mutable: calibration writes the statistics). */
export type MutableWeights = Map<string, Float32Array>;

/** The names and shapes of every UNet parameter, derived from the scope rules. */
export function unetParamList(o: {
  numClasses: number;
  inChannels: number;
  deconv: boolean;
}): Array<[string, number[]]> {
  const out: Array<[string, number[]]> = [];
  const doubleConv = (scope: string, cin: number, cout: number) => {
    for (const [i, c] of [cin, cout].entries()) {
      out.push([`${scope}/conv${i}/weights`, [cout, c, 3, 3]]);
      for (const s of ['gamma', 'beta', 'moving_mean', 'moving_variance'])
        out.push([`${scope}/conv${i}/BatchNorm/${s}`, [cout]]);
    }
  };
  doubleConv('encode/block1', o.inChannels, 64);
  const enc = [64, 128, 256, 512, 512];
  for (let b = 2; b <= 5; b++) doubleConv(`encode/block${b}/down`, enc[b - 2]!, enc[b - 1]!);
  const dec = [256, 128, 64, 64];
  let cin = 512;
  const skips = [512, 256, 128, 64];
  for (let d = 1; d <= 4; d++) {
    const out_ = dec[d - 1]!;
    let upCh = cin;
    if (o.deconv) {
      out.push([`decode/decode${d}/up/weights`, [cin, Math.floor(out_ / 2), 2, 2]]);
      upCh = Math.floor(out_ / 2);
    }
    doubleConv(`decode/decode${d}/up`, upCh + skips[d - 1]!, out_);
    cin = out_;
  }
  out.push(['logit/weights', [o.numClasses, 64, 3, 3]]);
  return out;
}

/** conv2d_transpose 2×2, stride 2, no padding, no bias: weight `[C_in, C_out, 2, 2]`. */
function deconv2x2(x: Chw, w: Float32Array, cout: number): Chw {
  const y = chw(cout, x.h * 2, x.w * 2);
  for (let co = 0; co < cout; co++)
    for (let i = 0; i < x.h; i++)
      for (let j = 0; j < x.w; j++)
        for (let u = 0; u < 2; u++)
          for (let v = 0; v < 2; v++) {
            let sum = 0;
            for (let ci = 0; ci < x.c; ci++)
              sum += x.data[(ci * x.h + i) * x.w + j]! * w[((ci * cout + co) * 2 + u) * 2 + v]!;
            y.data[(co * y.h + 2 * i + u) * y.w + 2 * j + v] = Math.fround(sum);
          }
  return y;
}

/** Runs UNet on one CHW image; returns the softmax probabilities (CHW). */
export function unetForward(
  w: MutableWeights,
  image: Chw,
  o: { numClasses: number; deconv: boolean; epsilon?: number; calibrate?: boolean },
): Chw {
  const eps = o.epsilon ?? 1e-5;
  const get = (n: string) => {
    const v = w.get(n);
    if (!v) throw new Error(`reference: no weight ${n}`);
    return v;
  };
  const bnRelu = (x: Chw, s: string): Chw => {
    if (o.calibrate) {
      const { mean, variance } = channelStats(x, 1e-3);
      w.set(`${s}/BatchNorm/moving_mean`, mean);
      w.set(`${s}/BatchNorm/moving_variance`, variance);
    }
    const p = {
      scale: get(`${s}/BatchNorm/gamma`),
      bias: get(`${s}/BatchNorm/beta`),
      mean: get(`${s}/BatchNorm/moving_mean`),
      variance: get(`${s}/BatchNorm/moving_variance`),
    };
    return relu(batchNorm(x, p, eps));
  };
  const conv3 = (x: Chw, name: string, cout: number) =>
    conv2d(x, get(name), cout, 3, { stride: 1, pad: 1, dilation: 1 });
  const doubleConv = (x: Chw, scope: string, cout: number) => {
    const a = bnRelu(conv3(x, `${scope}/conv0/weights`, cout), `${scope}/conv0`);
    return bnRelu(conv3(a, `${scope}/conv1/weights`, cout), `${scope}/conv1`);
  };
  const skips: Chw[] = [];
  let x = doubleConv(image, 'encode/block1', 64);
  skips.push(x);
  const enc = [128, 256, 512, 512];
  for (let b = 2; b <= 5; b++) {
    x = doubleConv(maxPool(x, 2, 2, 0), `encode/block${b}/down`, enc[b - 2]!);
    if (b < 5) skips.push(x);
  }
  const dec = [256, 128, 64, 64];
  for (let d = 1; d <= 4; d++) {
    const skip = skips[4 - d]!;
    const scope = `decode/decode${d}/up`;
    const upsampled = o.deconv
      ? deconv2x2(x, get(`${scope}/weights`), Math.floor(dec[d - 1]! / 2))
      : bilinearInterp(x, skip.h, skip.w, true, 1);
    x = doubleConv(concatChannels([upsampled, skip]), scope, dec[d - 1]!);
  }
  return softmaxChannels(conv3(x, 'logit/weights', o.numClasses));
}
