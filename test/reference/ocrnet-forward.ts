/**
 * An independent forward pass of PaddleSeg v0.7's OCRNet (PREDICT: the `cls_head`
 * output), written from the architecture with naive kernels, never from src/: the HRNet
 * body of hrnet-forward.ts, stage 4 upsampled and concatenated; the auxiliary head (soft
 * object regions); `conv3x3_ocr`; the spatial gather (softmax of the regions over the
 * pixels, then region-weighted sums of the pixel features); object attention
 * (query/key/value 1×1 conv-BN-relu pairs, Ck^−0.5-scaled similarities softmaxed over the
 * regions, weighted values, `f_up_conv`); `spatial_ocr_conv` on [context, pixels];
 * dropout ×(1 − 0.05); `cls_head_conv`; resize to the input; softmax.
 *
 * With `collect`, every parameter it reads is recorded (names and shapes as derived here)
 * and seeded; `calibrate` sets batch-norm statistics from this image and scales both heads
 * to unit-spread logits.
 */
import { type HrnetRefStages, hrnetBody, hrnetParamList } from './hrnet-forward.js';
import {
  bilinearInterp,
  type Chw,
  concatChannels,
  conv2d,
  relu,
  scale,
  softmaxChannels,
} from './paddle-ops.js';
import { refParams } from './ref-params.js';

export interface OcrnetRefOptions {
  numClasses: number;
  stages: HrnetRefStages;
  mid: number;
  key: number;
  collect?: boolean;
  calibrate?: boolean;
}

const f = Math.fround;

/** A `[rows, cols]` matrix, row-major. */
interface Mat {
  rows: number;
  cols: number;
  data: Float32Array;
}

function matmul(a: Mat, b: Mat): Mat {
  const out: Mat = { rows: a.rows, cols: b.cols, data: new Float32Array(a.rows * b.cols) };
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k]! * b.data[k * b.cols + j]!;
      out.data[i * b.cols + j] = f(s);
    }
  return out;
}

function transpose(a: Mat): Mat {
  const out: Mat = { rows: a.cols, cols: a.rows, data: new Float32Array(a.data.length) };
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

/** Softmax of each row. */
function softmaxRows(a: Mat): Mat {
  const out: Mat = { ...a, data: new Float32Array(a.data.length) };
  for (let i = 0; i < a.rows; i++) {
    let m = -Infinity;
    for (let j = 0; j < a.cols; j++) m = Math.max(m, a.data[i * a.cols + j]!);
    let sum = 0;
    for (let j = 0; j < a.cols; j++) sum += Math.exp(a.data[i * a.cols + j]! - m);
    for (let j = 0; j < a.cols; j++)
      out.data[i * a.cols + j] = f(Math.exp(a.data[i * a.cols + j]! - m) / sum);
  }
  return out;
}

/** CHW as the `[C, H·W]` matrix it is in memory, and back. */
const asMat = (x: Chw): Mat => ({ rows: x.c, cols: x.h * x.w, data: x.data });
const asChw = (m: Mat, h: number, w: number): Chw => ({ c: m.rows, h, w, data: m.data });

export function ocrnetForward(
  w: Map<string, Float32Array>,
  image: Chw,
  o: OcrnetRefOptions,
  list: Array<[string, number[]]> = [],
): Chw {
  // Variance floor 1: the attention's two softmaxes and the fuse sums make the calibrated
  // network sensitive to float32 rounding with a smaller floor.
  const P = refParams(w, { ...o, floor: 1 }, list);
  // The HRNet body reads its weights itself; in collect mode seed them first from the
  // HRNet reference's own walk, without HRNet's head (`conv-2`, `conv-1`).
  if (o.collect) {
    for (const [name, dims] of hrnetParamList({
      numClasses: o.numClasses,
      inChannels: image.c,
      stages: o.stages,
    }))
      if (!name.startsWith('conv-')) P.param(name, dims);
  }
  const { branches } = hrnetBody(w, image, { stages: o.stages, calibrate: o.calibrate, floor: 1 });
  const cbr = (x: Chw, k: number, cout: number, name: string, act = true) => {
    const y = conv2d(x, P.param(`${name}_weights`, [cout, x.c, k, k]), cout, k, {
      stride: 1,
      pad: (k - 1) / 2,
      dilation: 1,
    });
    const z = P.suffixBn(y, `${name}_bn`);
    return act ? relu(z) : z;
  };
  const convBias = (x: Chw, cout: number, name: string) =>
    conv2d(x, P.param(`${name}_weights`, [cout, x.c, 1, 1]), cout, 1, {
      stride: 1,
      pad: 0,
      dilation: 1,
      bias: P.param(`${name}_bias`, [cout]),
    });
  const top = branches[0]!;
  const feats = concatChannels(
    branches.map((b, i) => (i === 0 ? b : bilinearInterp(b, top.h, top.w, true, 1))),
  );
  const total = o.stages.channels[2]!.reduce((a, b) => a + b, 0);
  const hidden = cbr(feats, 1, total, 'aux_head_conv1');
  const regions = P.unitLogits(
    () => convBias(hidden, o.numClasses, 'aux_head_conv2'),
    'aux_head_conv2_weights',
    'aux_head_conv2_bias',
  );
  const pixels = cbr(feats, 3, o.mid, 'conv3x3_ocr');
  // Spatial gather: [K, HW] softmax over HW, times [HW, C] → [K, C]; as CHW: [C, K, 1].
  const objects = matmul(softmaxRows(asMat(regions)), transpose(asMat(pixels)));
  const context = asChw(transpose(objects), o.numClasses, 1);
  // Object attention.
  const query = transpose(asMat(cbr(cbr(pixels, 1, o.key, 'f_pixel_conv1'), 1, o.key, 'f_pixel_conv2')));
  const key = asMat(cbr(cbr(context, 1, o.key, 'f_object_conv1'), 1, o.key, 'f_object_conv2'));
  const value = transpose(asMat(cbr(context, 1, o.key, 'f_down_conv')));
  const simRaw = matmul(query, key);
  const k = f(o.key ** -0.5);
  const sim = softmaxRows({ ...simRaw, data: simRaw.data.map((v) => f(v * k)) });
  const attended = asChw(transpose(matmul(sim, value)), pixels.h, pixels.w);
  const up = cbr(attended, 1, o.mid, 'f_up_conv');
  const ocr = scale(cbr(concatChannels([up, pixels]), 1, o.mid, 'spatial_ocr_conv'), f(1 - f(0.05)));
  const logit = P.unitLogits(
    () => convBias(ocr, o.numClasses, 'cls_head_conv'),
    'cls_head_conv_weights',
    'cls_head_conv_bias',
  );
  return softmaxChannels(bilinearInterp(logit, image.h, image.w, true, 1));
}
