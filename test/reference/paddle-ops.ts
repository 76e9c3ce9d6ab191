/**
 * An independent, naive float32 re-implementation of the Paddle 1.x CPU kernels PSPNet
 * uses, written from the spec's formulas only (spec §9.1–§9.6), never from src/. Tensors
 * are one image, CHW, row-major Float32Array. Slow on purpose: plain loops a reader can
 * check line by line against the spec.
 */

/** A CHW tensor of one image. */
export interface Chw {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

const f = Math.fround;

/** Allocates a zero CHW tensor. */
export function chw(c: number, h: number, w: number): Chw {
  return { c, h, w, data: new Float32Array(c * h * w) };
}

/**
 * conv2d (spec §9.6): cross-correlation, filter `[C_out, C_in, k, k]`, symmetric zero
 * padding, output `(in + 2·pad − (dil·(k−1)+1)) / stride + 1`; bias added per channel
 * (the separate `elementwise_add`, axis 1). Each output is a dot product of the filter
 * with the input patch it covers (zero outside the input), accumulated in float64 and
 * stored as float32.
 */
export function conv2d(
  x: Chw,
  weight: Float32Array,
  cout: number,
  k: number,
  o: { stride: number; pad: number; dilation: number; bias?: Float32Array },
): Chw {
  const { c: cin, h: ih, w: iw } = x;
  const { stride, pad, dilation } = o;
  const oh = Math.floor((ih + 2 * pad - (dilation * (k - 1) + 1)) / stride) + 1;
  const ow = Math.floor((iw + 2 * pad - (dilation * (k - 1) + 1)) / stride) + 1;
  const y = chw(cout, oh, ow);
  // patches[p][ci·k·k + ky·k + kx] = x[ci][iy][ix], the input under output pixel p.
  const kk = cin * k * k;
  const patches = new Float32Array(oh * ow * kk);
  for (let yy = 0; yy < oh; yy++) {
    for (let xx = 0; xx < ow; xx++) {
      const base = (yy * ow + xx) * kk;
      for (let ci = 0; ci < cin; ci++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = yy * stride - pad + ky * dilation;
          if (iy < 0 || iy >= ih) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = xx * stride - pad + kx * dilation;
            if (ix < 0 || ix >= iw) continue;
            patches[base + (ci * k + ky) * k + kx] = x.data[(ci * ih + iy) * iw + ix] as number;
          }
        }
      }
    }
  }
  const yd = y.data;
  const n = oh * ow;
  for (let co = 0; co < cout; co++) {
    const wBase = co * kk;
    const b = o.bias ? (o.bias[co] as number) : 0;
    for (let p = 0; p < n; p++) {
      const pBase = p * kk;
      let sum = 0;
      for (let j = 0; j < kk; j++) sum += (weight[wBase + j] as number) * (patches[pBase + j] as number);
      yd[co * n + p] = f(f(sum) + b);
    }
  }
  return y;
}

/**
 * batch_norm at inference, Paddle's CPU kernel (spec §9.3): `inv_std = 1/sqrt(var + ε)`,
 * `new_scale = inv_std·γ`, `new_bias = β − mean·inv_std·γ`, `y = x·new_scale + new_bias`.
 */
export function batchNorm(
  x: Chw,
  p: { scale: Float32Array; bias: Float32Array; mean: Float32Array; variance: Float32Array },
  epsilon: number,
): Chw {
  const y = chw(x.c, x.h, x.w);
  const eps = f(epsilon);
  const n = x.h * x.w;
  for (let c = 0; c < x.c; c++) {
    const invStd = f(1 / f(Math.sqrt(f(p.variance[c]! + eps))));
    const newScale = f(invStd * p.scale[c]!);
    const newBias = f(p.bias[c]! - f(f(p.mean[c]! * invStd) * p.scale[c]!));
    for (let i = 0; i < n; i++) y.data[c * n + i] = f(f(x.data[c * n + i]! * newScale) + newBias);
  }
  return y;
}

/** relu. */
export function relu(x: Chw): Chw {
  return { ...x, data: x.data.map((v) => Math.max(v, 0)) };
}

/** elementwise_add of two equally shaped tensors. */
export function add(a: Chw, b: Chw): Chw {
  return { ...a, data: a.data.map((v, i) => f(v + b.data[i]!)) };
}

/** Multiplies by a float32 constant (dropout downgrade_in_infer at test time, spec §9.4). */
export function scale(x: Chw, s: number): Chw {
  const k = f(s);
  return { ...x, data: x.data.map((v) => f(v * k)) };
}

/** `pad` with `[0,0, 0,0, d,d, d,d]` and value 0 (spec §9.5). */
export function zeroPad(x: Chw, d: number): Chw {
  const y = chw(x.c, x.h + 2 * d, x.w + 2 * d);
  for (let c = 0; c < x.c; c++)
    for (let i = 0; i < x.h; i++)
      for (let j = 0; j < x.w; j++)
        y.data[(c * y.h + i + d) * y.w + j + d] = x.data[(c * x.h + i) * x.w + j]!;
  return y;
}

/**
 * Depthwise conv (groups = channels, `depthwise_conv2d`): filter `[C, 1, k, k]`,
 * symmetric zero padding, accumulated in float64 and stored as float32.
 */
export function depthwiseConv(
  x: Chw,
  w: Float32Array,
  k: number,
  stride: number,
  pad: number,
  dil: number,
): Chw {
  const oh = Math.floor((x.h + 2 * pad - (dil * (k - 1) + 1)) / stride) + 1;
  const ow = Math.floor((x.w + 2 * pad - (dil * (k - 1) + 1)) / stride) + 1;
  const y = chw(x.c, oh, ow);
  for (let c = 0; c < x.c; c++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let s = 0;
        for (let u = 0; u < k; u++) {
          const yy = i * stride - pad + u * dil;
          if (yy < 0 || yy >= x.h) continue;
          for (let v = 0; v < k; v++) {
            const xx = j * stride - pad + v * dil;
            if (xx < 0 || xx >= x.w) continue;
            s += x.data[(c * x.h + yy) * x.w + xx]! * w[(c * k + u) * k + v]!;
          }
        }
        y.data[(c * oh + i) * ow + j] = f(s);
      }
  return y;
}

/**
 * Average pool with Paddle's pool2d arithmetic: kernel kh×kw, strides sh×sw, no padding;
 * output `floor((in − k)/s) + 1`, or with `ceil_mode` `ceil((in − k)/s) + 1`, where a
 * window running past the input is clipped and (`exclusive`) divided by the number of
 * input elements it covers.
 */
export function avgPool(x: Chw, o: { kh: number; kw: number; sh: number; sw: number; ceil?: boolean }): Chw {
  const out = (n: number, k: number, s: number) =>
    (o.ceil ? Math.ceil((n - k) / s) : Math.floor((n - k) / s)) + 1;
  const oh = out(x.h, o.kh, o.sh);
  const ow = out(x.w, o.kw, o.sw);
  const y = chw(x.c, oh, ow);
  for (let c = 0; c < x.c; c++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const he = Math.min(i * o.sh + o.kh, x.h);
        const we = Math.min(j * o.sw + o.kw, x.w);
        let sum = 0;
        for (let a = i * o.sh; a < he; a++)
          for (let b = j * o.sw; b < we; b++) sum += x.data[(c * x.h + a) * x.w + b]!;
        y.data[(c * oh + i) * ow + j] = f(sum / ((he - i * o.sh) * (we - j * o.sw)));
      }
  return y;
}

/** Global average pool to 1×1 (the mean of each channel). */
export function globalAvg(x: Chw): Chw {
  return avgPool(x, { kh: x.h, kw: x.w, sh: 1, sw: 1 });
}

/** relu6: `min(max(x, 0), 6)`. */
export function relu6(x: Chw): Chw {
  return { ...x, data: x.data.map((v) => Math.min(Math.max(v, 0), 6)) };
}

/** Paddle's hard_swish: `x · min(max(x + 3, 0), 6) / 6`, in that order. */
export function hardSwish(x: Chw): Chw {
  return { ...x, data: x.data.map((v) => f(f(v * Math.min(Math.max(f(v + 3), 0), 6)) / 6)) };
}

/** Paddle's hard_sigmoid (slope 0.2, offset 0.5): `min(max(0.2x + 0.5, 0), 1)`. */
export function hardSigmoid(x: Chw): Chw {
  return { ...x, data: x.data.map((v) => Math.min(Math.max(f(f(f(0.2) * v) + 0.5), 0), 1)) };
}

/** Non-adaptive max pool (spec §9.2): clipped windows, padding never contributes, floor mode. */
export function maxPool(x: Chw, k: number, stride: number, pad: number): Chw {
  const oh = Math.floor((x.h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((x.w + 2 * pad - k) / stride) + 1;
  const y = chw(x.c, oh, ow);
  for (let c = 0; c < x.c; c++)
    for (let ph = 0; ph < oh; ph++) {
      const hs = Math.max(ph * stride - pad, 0);
      const he = Math.min(ph * stride - pad + k, x.h);
      for (let pw = 0; pw < ow; pw++) {
        const ws = Math.max(pw * stride - pad, 0);
        const we = Math.min(pw * stride - pad + k, x.w);
        let m = -Infinity;
        for (let i = hs; i < he; i++)
          for (let j = ws; j < we; j++) m = Math.max(m, x.data[(c * x.h + i) * x.w + j]!);
        y.data[(c * oh + ph) * ow + pw] = m;
      }
    }
  return y;
}

/**
 * Adaptive average pool (spec §9.2): bin `[floor(p·in/out), ceil((p+1)·in/out))`, float32
 * running sum in row-major order from 0, divided by the bin's element count.
 */
export function adaptiveAvgPool(x: Chw, oh: number, ow: number): Chw {
  const y = chw(x.c, oh, ow);
  for (let c = 0; c < x.c; c++)
    for (let ph = 0; ph < oh; ph++) {
      const hs = Math.floor((ph * x.h) / oh);
      const he = Math.ceil(((ph + 1) * x.h) / oh);
      for (let pw = 0; pw < ow; pw++) {
        const ws = Math.floor((pw * x.w) / ow);
        const we = Math.ceil(((pw + 1) * x.w) / ow);
        let sum = 0;
        for (let i = hs; i < he; i++)
          for (let j = ws; j < we; j++) sum = f(sum + x.data[(c * x.h + i) * x.w + j]!);
        y.data[(c * oh + ph) * ow + pw] = f(sum / ((he - hs) * (we - ws)));
      }
    }
  return y;
}

/**
 * `bilinear_interp` CPU kernel (spec §9.1) with its exact index/weight arithmetic:
 * float32 ratio, `align_flag = align_mode == 0 && !align_corners`, truncating indices,
 * upper neighbour clamped, weights `d_n = ratio·k − y_n` (or `src − y_n` with align_flag),
 * value summed left to right in float32. Equal sizes copy the input.
 */
export function bilinearInterp(
  x: Chw,
  outH: number,
  outW: number,
  alignCorners: boolean,
  alignMode: 0 | 1,
): Chw {
  if (x.h === outH && x.w === outW) return { ...x, data: x.data.slice() };
  const ratio = (inn: number, out: number) =>
    out > 1 ? (alignCorners ? f((inn - 1) / (out - 1)) : f(inn / out)) : 0;
  const rh = ratio(x.h, outH);
  const rw = ratio(x.w, outW);
  const alignFlag = alignMode === 0 && !alignCorners;
  const axis = (k: number, r: number, inn: number) => {
    let lo = alignFlag ? Math.trunc(r * (k + 0.5) - 0.5) : Math.trunc(f(r * k));
    lo = Math.max(lo, 0);
    const hi = Math.min(lo + 1, inn - 1);
    const src = f(Math.max(r * (k + 0.5) - 0.5, 0));
    const dLo = alignFlag ? f(src - lo) : f(f(r * k) - lo);
    return { lo, hi, d: dLo, dc: f(1 - dLo) };
  };
  const y = chw(x.c, outH, outW);
  for (let k = 0; k < outH; k++) {
    const a = axis(k, rh, x.h);
    for (let l = 0; l < outW; l++) {
      const b = axis(l, rw, x.w);
      for (let c = 0; c < x.c; c++) {
        const at = (i: number, j: number) => x.data[(c * x.h + i) * x.w + j]!;
        let v = f(f(at(a.lo, b.lo) * a.dc) * b.dc);
        v = f(v + f(f(at(a.hi, b.lo) * a.d) * b.dc));
        v = f(v + f(f(at(a.lo, b.hi) * a.dc) * b.d));
        v = f(v + f(f(at(a.hi, b.hi) * a.d) * b.d));
        y.data[(c * outH + k) * outW + l] = v;
      }
    }
  }
  return y;
}

/** Concat along channels. */
export function concatChannels(xs: Chw[]): Chw {
  const c = xs.reduce((n, x) => n + x.c, 0);
  const y = chw(c, xs[0]!.h, xs[0]!.w);
  let at = 0;
  for (const x of xs) {
    y.data.set(x.data, at);
    at += x.data.length;
  }
  return y;
}

/**
 * transpose [0,2,3,1] → softmax over the last axis → transpose back (spec §4.4, §9.6), i.e.
 * a softmax over channels per pixel: `max(x − max, −64)`, exp, divide by the sum.
 */
export function softmaxChannels(x: Chw): Chw {
  const y = chw(x.c, x.h, x.w);
  const n = x.h * x.w;
  for (let p = 0; p < n; p++) {
    let m = -Infinity;
    for (let c = 0; c < x.c; c++) m = Math.max(m, x.data[c * n + p]!);
    let sum = 0;
    const e = new Float64Array(x.c);
    for (let c = 0; c < x.c; c++) {
      e[c] = Math.exp(Math.max(x.data[c * n + p]! - m, -64));
      sum += e[c]!;
    }
    for (let c = 0; c < x.c; c++) y.data[c * n + p] = f(e[c]! / sum);
  }
  return y;
}

/**
 * Per-channel mean and variance (+ `floor`) of `x`: the statistics a fixture's batch norm is
 * calibrated to, so that its output has unit scale on this input.
 */
export function channelStats(x: Chw, floor: number): { mean: Float32Array; variance: Float32Array } {
  const n = x.h * x.w;
  const mean = new Float32Array(x.c);
  const variance = new Float32Array(x.c);
  for (let c = 0; c < x.c; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x.data[c * n + i]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x.data[c * n + i]! - m) ** 2;
    mean[c] = m;
    variance[c] = v / n + floor;
  }
  return { mean, variance };
}
