/**
 * Independent reference forward pass of PaddleSeg's PSPNet in the PREDICT phase, written
 * from spec §4.2–§4.4 and §5.1 (names, strides, dilations, concat order, ×0.9, softmax)
 * with the naive kernels of `paddle-ops.ts`. It shares no code with src/: the parameter
 * names are spelled out here from the spec's naming rules.
 */
import {
  adaptiveAvgPool,
  add,
  batchNorm,
  bilinearInterp,
  type Chw,
  concatChannels,
  conv2d,
  maxPool,
  relu,
  scale,
  softmaxChannels,
  zeroPad,
} from './paddle-ops.js';

/** Parameters by Paddle name. */
export type Weights = ReadonlyMap<string, Float32Array>;

function get(w: Weights, name: string): Float32Array {
  const v = w.get(name);
  if (!v) throw new Error(`reference: weight "${name}" missing`);
  return v;
}

/** ResNet conv_bn_layer with the pspnet stem: conv + `<name>_biases` + BN `bn<name[3:]>_*`, ε 1e-5. */
function convBn(
  w: Weights,
  x: Chw,
  name: string,
  cout: number,
  k: number,
  o: { stride?: number; dilation?: number; relu?: boolean },
): Chw {
  const d = o.dilation ?? 1;
  const y = conv2d(x, get(w, `${name}_weights`), cout, k, {
    stride: o.stride ?? 1,
    pad: d === 1 ? (k - 1) >> 1 : 0,
    dilation: d,
    bias: get(w, `${name}_biases`),
  });
  const bnName = `bn${name.slice(3)}`;
  const z = batchNorm(
    y,
    {
      scale: get(w, `${bnName}_scale`),
      bias: get(w, `${bnName}_offset`),
      mean: get(w, `${bnName}_mean`),
      variance: get(w, `${bnName}_variance`),
    },
    1e-5,
  );
  return o.relu ? relu(z) : z;
}

/** model_libs conv (`<scope>/weights`, `<scope>/biases`) + bn (`<scope>/BatchNorm/*`, ε 1e-5) + relu. */
function headConvBnRelu(w: Weights, x: Chw, scope: string, cout: number, k: number, pad: number): Chw {
  const y = conv2d(x, get(w, `${scope}/weights`), cout, k, {
    stride: 1,
    pad,
    dilation: 1,
    bias: get(w, `${scope}/biases`),
  });
  return relu(
    batchNorm(
      y,
      {
        scale: get(w, `${scope}/BatchNorm/gamma`),
        bias: get(w, `${scope}/BatchNorm/beta`),
        mean: get(w, `${scope}/BatchNorm/moving_mean`),
        variance: get(w, `${scope}/BatchNorm/moving_variance`),
      },
      1e-5,
    ),
  );
}

/** Options of {@link pspnetForward}. */
export interface ReferenceOptions {
  layers: 50 | 101;
  depthMultiplier: number;
  numClasses: number;
}

/** Softmax probabilities `[K, H, W]` of one CHW image. */
export function pspnetForward(w: Weights, image: Chw, o: ReferenceOptions): Chw {
  const s = (n: number) => Math.trunc(n * o.depthMultiplier);
  // Stem (spec §4.2): conv1_1 s2, conv1_2, conv1_3, all 3×3 with relu, then max pool 3/2/1.
  let x = convBn(w, image, 'conv1_1', s(64), 3, { stride: 2, relu: true });
  x = convBn(w, x, 'conv1_2', s(64), 3, { relu: true });
  x = convBn(w, x, 'conv1_3', s(128), 3, { relu: true });
  x = maxPool(x, 3, 2, 1);
  const depth = o.layers === 50 ? [3, 4, 6, 3] : [3, 4, 23, 3];
  const widths = [64, 128, 256, 512];
  const dilations = [1, 1, 2, 4];
  for (let stage = 0; stage < 4; stage++) {
    for (let i = 0; i < depth[stage]!; i++) {
      let name = `res${stage + 2}${String.fromCharCode(97 + i)}`;
      if (o.layers === 101 && stage === 2) name = i === 0 ? 'res4a' : `res4b${i}`;
      const nf = s(widths[stage]!);
      const d = dilations[stage]!;
      const stride = i === 0 && stage !== 0 && d === 1 ? 2 : 1;
      // ResNet101 strides the 3×3, ResNet50 the first 1×1 (spec §4.2, §4.6).
      const [s0, s1] = o.layers === 101 ? [1, stride] : [stride, 1];
      let a = convBn(w, x, `${name}_branch2a`, nf, 1, { stride: s0, relu: true });
      if (d > 1) a = zeroPad(a, d);
      const b = convBn(w, a, `${name}_branch2b`, nf, 3, { stride: s1, dilation: d, relu: true });
      const c = convBn(w, b, `${name}_branch2c`, nf * 4, 1, {});
      const short =
        x.c !== nf * 4 || stride !== 1 ? convBn(w, x, `${name}_branch1`, nf * 4, 1, { stride }) : x;
      x = relu(add(short, c));
    }
  }
  // PSP module (spec §4.3): branches 1, 2, 3, 6; concat [input, psp6, psp3, psp2, psp1].
  const branches = new Map<number, Chw>();
  for (const size of [1, 2, 3, 6]) {
    const pooled = adaptiveAvgPool(x, size, size);
    const y = headConvBnRelu(w, pooled, `psp${size}`, 512, 1, 0);
    branches.set(size, bilinearInterp(y, x.h, x.w, true, 1));
  }
  const cat = concatChannels([x, branches.get(6)!, branches.get(3)!, branches.get(2)!, branches.get(1)!]);
  const psp = headConvBnRelu(w, cat, 'psp_end', 512, 3, 1);
  // Dropout downgrade_in_infer at test time: × float32(0.9) (spec §9.4).
  const dropped = scale(psp, 0.9);
  const logit = conv2d(dropped, get(w, 'logit/weights'), o.numClasses, 1, {
    stride: 1,
    pad: 0,
    dilation: 1,
    bias: get(w, 'logit/biases'),
  });
  const up = bilinearInterp(logit, image.h, image.w, true, 1);
  return softmaxChannels(up);
}
