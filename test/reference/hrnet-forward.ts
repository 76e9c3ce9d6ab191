/**
 * An independent forward pass of PaddleSeg v0.7's HRNet segmentation network, written from
 * the architecture with the naive kernels of paddle-ops.ts, never from src/: stem (two 3×3
 * stride-2 conv-BN-relu), four bottlenecks, transitions, stages of high-resolution modules
 * (four basic blocks per branch, then fuse: 1×1 conv-BN + bilinear up from lower branches,
 * 3×3 stride-2 conv-BN chains down from higher ones, sum, relu), the head (upsample,
 * concat, 1×1 conv-BN-relu, 1×1 classifier, resize to the input). The parameter list is
 * produced by the same walk, so it is independent of the builder.
 *
 * `calibrate` sets every batch norm's moving statistics to its input's per-channel mean and
 * variance on this image, and scales the classifier to unit-spread logits, so random
 * weights give informative, unsaturated outputs.
 */
import {
  add,
  batchNorm,
  bilinearInterp,
  type Chw,
  channelStats,
  concatChannels,
  conv2d,
  relu,
  softmaxChannels,
} from './paddle-ops.js';

export interface HrnetRefStages {
  modules: [number, number, number];
  channels: [number[], number[], number[]];
}

/** HRNet's conv_bn_layer on the reference weights: `(x, k, cout, stride, act, name)`. */
export type RefConvBn = (x: Chw, k: number, cout: number, stride: number, act: boolean, name: string) => Chw;

/**
 * The HRNet body (stem to stage 4) on one CHW image: the four branch outputs, highest
 * resolution first, and the conv_bn_layer it used (calibrating as it goes if asked).
 */
export function hrnetBody(
  w: Map<string, Float32Array>,
  image: Chw,
  o: { stages: HrnetRefStages; calibrate?: boolean; floor?: number },
): { branches: Chw[]; convBn: RefConvBn } {
  const get = (n: string) => {
    const v = w.get(n);
    if (!v) throw new Error(`reference: no weight ${n}`);
    return v;
  };
  const convBn = (x: Chw, k: number, cout: number, stride: number, act: boolean, name: string): Chw => {
    const y = conv2d(x, get(`${name}_weights`), cout, k, {
      stride,
      pad: Math.floor((k - 1) / 2),
      dilation: 1,
    });
    const bn = `${name}_bn`;
    if (o.calibrate) {
      // A floor keeps near-constant channels from being blown up.
      const { mean, variance } = channelStats(y, o.floor ?? 0.1);
      w.set(`${bn}_mean`, mean);
      w.set(`${bn}_variance`, variance);
    }
    const z = batchNorm(
      y,
      {
        scale: get(`${bn}_scale`),
        bias: get(`${bn}_offset`),
        mean: get(`${bn}_mean`),
        variance: get(`${bn}_variance`),
      },
      1e-5,
    );
    return act ? relu(z) : z;
  };
  let x = convBn(image, 3, 64, 2, true, 'layer1_1');
  x = convBn(x, 3, 64, 2, true, 'layer1_2');
  for (let i = 0; i < 4; i++) {
    const name = `layer2_${i + 1}`;
    const a = convBn(x, 1, 64, 1, true, `${name}_conv1`);
    const b = convBn(a, 3, 64, 1, true, `${name}_conv2`);
    const c = convBn(b, 1, 256, 1, false, `${name}_conv3`);
    const res = i === 0 ? convBn(x, 1, 256, 1, false, `${name}_downsample`) : x;
    x = relu(add(res, c));
  }
  let branches: Chw[] = [x];
  let inCh = [256];
  for (let s = 0; s < 3; s++) {
    const outCh = o.stages.channels[s]!;
    const tr = `tr${s + 1}`;
    branches = outCh.map((c, i) => {
      if (i < inCh.length)
        return inCh[i] !== c ? convBn(branches[i]!, 3, c, 1, true, `${tr}_layer_${i + 1}`) : branches[i]!;
      return convBn(branches.at(-1)!, 3, c, 2, true, `${tr}_layer_${i + 1}`);
    });
    for (let m = 0; m < o.stages.modules[s]!; m++) {
      const mod = `st${s + 2}_${m + 1}`;
      const b = branches.map((xb, i) => {
        let r = xb;
        for (let j = 0; j < 4; j++) {
          const name = `${mod}_branch_layer_${i + 1}_${j + 1}`;
          const a = convBn(r, 3, outCh[i]!, 1, true, `${name}_conv1`);
          const c2 = convBn(a, 3, outCh[i]!, 1, false, `${name}_conv2`);
          r = relu(add(r, c2));
        }
        return r;
      });
      branches = outCh.map((ci, i) => {
        let residual = b[i]!;
        for (let j = 0; j < outCh.length; j++) {
          if (j > i) {
            const y = convBn(b[j]!, 1, ci, 1, false, `${mod}_layer_${i + 1}_${j + 1}`);
            residual = add(residual, bilinearInterp(y, residual.h, residual.w, true, 1));
          } else if (j < i) {
            let y = b[j]!;
            for (let k = 0; k < i - j; k++) {
              const last = k === i - j - 1;
              y = convBn(y, 3, last ? ci : outCh[j]!, 2, !last, `${mod}_layer_${i + 1}_${j + 1}_${k + 1}`);
            }
            residual = add(residual, y);
          }
        }
        return relu(residual);
      });
    }
    inCh = outCh;
  }
  return { branches, convBn };
}

/** Runs the network on one CHW image; returns the softmax probabilities. */
export function hrnetForward(
  w: Map<string, Float32Array>,
  image: Chw,
  o: { numClasses: number; stages: HrnetRefStages; calibrate?: boolean },
): Chw {
  const { branches, convBn } = hrnetBody(w, image, o);
  const get = (n: string) => w.get(n)!;
  const top = branches[0]!;
  const cat = concatChannels(
    branches.map((b, i) => (i === 0 ? b : bilinearInterp(b, top.h, top.w, true, 1))),
  );
  const total = o.stages.channels[2]!.reduce((a, b) => a + b, 0);
  const fused = convBn(cat, 1, total, 1, true, 'conv-2');
  let logit = conv2d(fused, get('conv-1_weights'), o.numClasses, 1, { stride: 1, pad: 0, dilation: 1 });
  if (o.calibrate) {
    // The sums of the fuse layers grow the activations; scale the classifier so the logits
    // have unit spread and the softmax stays informative.
    let sq = 0;
    for (const v of logit.data) sq += v * v;
    const scale = 1 / Math.sqrt(sq / logit.data.length);
    w.set(
      'conv-1_weights',
      get('conv-1_weights').map((v) => v * scale),
    );
    logit = conv2d(fused, get('conv-1_weights'), o.numClasses, 1, { stride: 1, pad: 0, dilation: 1 });
  }
  return softmaxChannels(bilinearInterp(logit, image.h, image.w, true, 1));
}

/** Every parameter name and shape of the network, by walking its structure (independent of src/). */
export function hrnetParamList(o: {
  numClasses: number;
  inChannels: number;
  stages: HrnetRefStages;
}): Array<[string, number[]]> {
  const shapes = new Map<string, number[]>();
  walkShapes(o, shapes);
  return [...shapes];
}

function walkShapes(
  o: { numClasses: number; inChannels: number; stages: HrnetRefStages },
  shapes: Map<string, number[]>,
): void {
  const conv = (name: string, cin: number, cout: number, k: number) => {
    shapes.set(`${name}_weights`, [cout, cin, k, k]);
    for (const s of ['scale', 'offset', 'mean', 'variance']) shapes.set(`${name}_bn_${s}`, [cout]);
  };
  conv('layer1_1', o.inChannels, 64, 3);
  conv('layer1_2', 64, 64, 3);
  for (let i = 0; i < 4; i++) {
    const name = `layer2_${i + 1}`;
    conv(`${name}_conv1`, i === 0 ? 64 : 256, 64, 1);
    conv(`${name}_conv2`, 64, 64, 3);
    conv(`${name}_conv3`, 64, 256, 1);
    if (i === 0) conv(`${name}_downsample`, 64, 256, 1);
  }
  let inCh = [256];
  for (let s = 0; s < 3; s++) {
    const outCh = o.stages.channels[s]!;
    outCh.forEach((c, i) => {
      if (i < inCh.length) {
        if (inCh[i] !== c) conv(`tr${s + 1}_layer_${i + 1}`, inCh[i]!, c, 3);
      } else conv(`tr${s + 1}_layer_${i + 1}`, inCh.at(-1)!, c, 3);
    });
    for (let m = 0; m < o.stages.modules[s]!; m++) {
      const mod = `st${s + 2}_${m + 1}`;
      outCh.forEach((c, i) => {
        for (let j = 0; j < 4; j++) {
          conv(`${mod}_branch_layer_${i + 1}_${j + 1}_conv1`, c, c, 3);
          conv(`${mod}_branch_layer_${i + 1}_${j + 1}_conv2`, c, c, 3);
        }
      });
      outCh.forEach((ci, i) => {
        for (let j = 0; j < outCh.length; j++) {
          if (j > i) conv(`${mod}_layer_${i + 1}_${j + 1}`, outCh[j]!, ci, 1);
          else if (j < i)
            for (let k = 0; k < i - j; k++)
              conv(`${mod}_layer_${i + 1}_${j + 1}_${k + 1}`, outCh[j]!, k === i - j - 1 ? ci : outCh[j]!, 3);
        }
      });
    }
    inCh = outCh;
  }
  const total = o.stages.channels[2]!.reduce((a, b) => a + b, 0);
  conv('conv-2', total, total, 1);
  shapes.set('conv-1_weights', [o.numClasses, total, 1, 1]);
}
