/**
 * A naive interpreter of Paddle inference programs, written from the op definitions (spec
 * §9, Paddle's kernels as documented) with plain loops in float64 and no ONNX in sight: the
 * independent reference the lowering and the converter are checked against. It reads the
 * program's ops in order, feeds the given inputs, and returns the fetch targets. Slow by
 * design; meant for small inputs.
 */
import type { AttrValue } from '../../src/paddle/program-desc-types.js';
import type { Program, ProgramOp } from '../../src/program/program.js';

/** A dense row-major tensor. */
export interface Tensor {
  dims: number[];
  data: Float64Array;
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const tensor = (dims: number[]): Tensor => ({ dims, data: new Float64Array(size(dims)) });
const strides = (dims: readonly number[]) => {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1]!;
  return s as number[];
};

// biome-ignore lint/suspicious/noExplicitAny: attribute values are read as the op's definition says
function attrOf(op: ProgramOp, name: string, fallback?: AttrValue['value']): any {
  const a = op.attrs.get(name);
  if (a === undefined) {
    if (fallback === undefined) throw new Error(`${op.type}: attribute ${name} missing`);
    return fallback;
  }
  return a.value;
}

function pads2d(
  op: ProgramOp,
  inH: number,
  inW: number,
  kh: number,
  kw: number,
  s: number[],
  d = [1, 1],
): number[] {
  // [top, bottom, left, right]
  const alg = attrOf(op, 'padding_algorithm', 'EXPLICIT');
  const p: number[] = attrOf(op, 'paddings', [0, 0]);
  if (alg === 'VALID') return [0, 0, 0, 0];
  if (alg === 'SAME') {
    const one = (n: number, k: number, st: number, dil: number) => {
      const out = Math.ceil(n / st);
      const total = Math.max((out - 1) * st + dil * (k - 1) + 1 - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    return [...one(inH, kh, s[0]!, d[0]!), ...one(inW, kw, s[1]!, d[1]!)];
  }
  return p.length === 4 ? [...p] : [p[0]!, p[0]!, p[1]!, p[1]!];
}

function conv2d(op: ProgramOp, x: Tensor, w: Tensor, bias?: Tensor): Tensor {
  const [n, c, h, wd] = x.dims as [number, number, number, number];
  const [co, cig, kh, kw] = w.dims as [number, number, number, number];
  const g: number = attrOf(op, 'groups', 1);
  const s: number[] = attrOf(op, 'strides');
  const d: number[] = attrOf(op, 'dilations', [1, 1]);
  const [pt, pb, pl, pr] = pads2d(op, h, wd, kh, kw, s, d);
  const oh = Math.floor((h + pt! + pb! - (d[0]! * (kh - 1) + 1)) / s[0]!) + 1;
  const ow = Math.floor((wd + pl! + pr! - (d[1]! * (kw - 1) + 1)) / s[1]!) + 1;
  const y = tensor([n, co, oh, ow]);
  const coPerG = co / g;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < co; o++) {
      const grp = Math.floor(o / coPerG);
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = bias ? bias.data[o]! : 0;
          for (let ci = 0; ci < cig; ci++) {
            const cin = grp * cig + ci;
            for (let u = 0; u < kh; u++) {
              const yy = i * s[0]! - pt! + u * d[0]!;
              if (yy < 0 || yy >= h) continue;
              for (let v = 0; v < kw; v++) {
                const xx = j * s[1]! - pl! + v * d[1]!;
                if (xx < 0 || xx >= wd) continue;
                acc +=
                  x.data[((b * c + cin) * h + yy) * wd + xx]! * w.data[((o * cig + ci) * kh + u) * kw + v]!;
              }
            }
          }
          y.data[((b * co + o) * oh + i) * ow + j] = acc;
        }
    }
  return y;
}

function conv2dTranspose(op: ProgramOp, x: Tensor, w: Tensor): Tensor {
  const [n, ci, h, wd] = x.dims as [number, number, number, number];
  const [, cog, kh, kw] = w.dims as [number, number, number, number];
  const g: number = attrOf(op, 'groups', 1);
  const s: number[] = attrOf(op, 'strides');
  const d: number[] = attrOf(op, 'dilations', [1, 1]);
  const [pt, pb, pl, pr] = pads2d(op, h, wd, kh, kw, s, d);
  const oh = (h - 1) * s[0]! - pt! - pb! + d[0]! * (kh - 1) + 1;
  const ow = (wd - 1) * s[1]! - pl! - pr! + d[1]! * (kw - 1) + 1;
  const co = cog * g;
  const y = tensor([n, co, oh, ow]);
  const ciPerG = ci / g;
  for (let b = 0; b < n; b++)
    for (let c = 0; c < ci; c++) {
      const grp = Math.floor(c / ciPerG);
      for (let i = 0; i < h; i++)
        for (let j = 0; j < wd; j++) {
          const v = x.data[((b * ci + c) * h + i) * wd + j]!;
          for (let oc = 0; oc < cog; oc++)
            for (let u = 0; u < kh; u++)
              for (let q = 0; q < kw; q++) {
                const yy = i * s[0]! - pt! + u * d[0]!;
                const xx = j * s[1]! - pl! + q * d[1]!;
                if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
                y.data[((b * co + grp * cog + oc) * oh + yy) * ow + xx]! +=
                  v * w.data[((c * cog + oc) * kh + u) * kw + q]!;
              }
        }
    }
  return y;
}

function pool2d(op: ProgramOp, x: Tensor): Tensor {
  const [n, c, h, w] = x.dims as [number, number, number, number];
  const type: string = attrOf(op, 'pooling_type');
  let k: number[] = attrOf(op, 'ksize');
  const adaptive: boolean = attrOf(op, 'adaptive', false);
  const global: boolean = attrOf(op, 'global_pooling', false);
  let s: number[] = attrOf(op, 'strides', [1, 1]);
  let pads = [0, 0, 0, 0];
  if (global) {
    k = [h, w];
    s = [1, 1];
  } else if (!adaptive) pads = pads2d(op, h, w, k[0]!, k[1]!, s);
  const ceil: boolean = attrOf(op, 'ceil_mode', false);
  const exclusive: boolean = attrOf(op, 'exclusive', true);
  const outLen = (len: number, kk: number, st: number, p0: number, p1: number) => {
    const q = (len + p0 + p1 - kk) / st;
    return (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  };
  const oh = adaptive ? k[0]! : global ? 1 : outLen(h, k[0]!, s[0]!, pads[0]!, pads[1]!);
  const ow = adaptive ? k[1]! : global ? 1 : outLen(w, k[1]!, s[1]!, pads[2]!, pads[3]!);
  const y = tensor([n, c, oh, ow]);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let hs: number;
          let he: number;
          let ws: number;
          let we: number;
          if (adaptive) {
            hs = Math.floor((i * h) / oh);
            he = Math.ceil(((i + 1) * h) / oh);
            ws = Math.floor((j * w) / ow);
            we = Math.ceil(((j + 1) * w) / ow);
          } else {
            hs = i * s[0]! - pads[0]!;
            ws = j * s[1]! - pads[2]!;
            he = hs + k[0]!;
            we = ws + k[1]!;
          }
          const area = (he - hs) * (we - ws);
          const h0 = Math.max(hs, 0);
          const h1 = Math.min(he, h);
          const w0 = Math.max(ws, 0);
          const w1 = Math.min(we, w);
          let acc = type === 'max' ? -Infinity : 0;
          for (let yy = h0; yy < h1; yy++)
            for (let xx = w0; xx < w1; xx++) {
              const v = x.data[((b * c + ch) * h + yy) * w + xx]!;
              acc = type === 'max' ? Math.max(acc, v) : acc + v;
            }
          if (type === 'avg') acc /= adaptive || exclusive ? (h1 - h0) * (w1 - w0) : area;
          y.data[((b * c + ch) * oh + i) * ow + j] = acc;
        }
  return y;
}

function bilinear(op: ProgramOp, x: Tensor): Tensor {
  const [n, c, h, w] = x.dims as [number, number, number, number];
  let oh: number = attrOf(op, 'out_h', 0);
  let ow: number = attrOf(op, 'out_w', 0);
  const sc: number = attrOf(op, 'scale', 0);
  if (!(oh > 0 && ow > 0)) {
    oh = Math.trunc(h * sc);
    ow = Math.trunc(w * sc);
  }
  const ac: boolean = attrOf(op, 'align_corners', true);
  const am: number = attrOf(op, 'align_mode', 1);
  const y = tensor([n, c, oh, ow]);
  // spec §9.1: the source coordinate of output index k on an axis of `len` → `out`.
  const src = (k: number, len: number, out: number): [number, number, number] => {
    let pos: number;
    if (ac) pos = out > 1 ? (k * (len - 1)) / (out - 1) : 0;
    else if (am === 0) pos = Math.max(((k + 0.5) * len) / out - 0.5, 0);
    else pos = (k * len) / out;
    const lo = Math.min(Math.floor(pos), len - 1);
    const hi = Math.min(lo + 1, len - 1);
    return [lo, hi, pos - lo];
  };
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < oh; i++) {
        const [y0, y1, dy] = src(i, h, oh);
        for (let j = 0; j < ow; j++) {
          const [x0, x1, dx] = src(j, w, ow);
          const at = (yy: number, xx: number) => x.data[((b * c + ch) * h + yy) * w + xx]!;
          y.data[((b * c + ch) * oh + i) * ow + j] =
            at(y0, x0) * (1 - dy) * (1 - dx) +
            at(y1, x0) * dy * (1 - dx) +
            at(y0, x1) * (1 - dy) * dx +
            at(y1, x1) * dy * dx;
        }
      }
  return y;
}

/** Paddle's elementwise broadcast: Y's dims line up with X's from `axis`. */
function elementwise(op: ProgramOp, x: Tensor, yt: Tensor, f: (a: number, b: number) => number): Tensor {
  let axis: number = attrOf(op, 'axis', -1);
  if (axis < 0) axis = x.dims.length - yt.dims.length;
  // Trailing unit dims of Y are trimmed before it is lined up (trim_trailing_singular_dims).
  const ydims = [...yt.dims];
  while (ydims.length > 1 && ydims[ydims.length - 1] === 1) ydims.pop();
  const full = x.dims.map((_, i) => (i >= axis && i < axis + ydims.length ? ydims[i - axis]! : 1));
  const xs = strides(x.dims);
  const ys = strides(full);
  const out = tensor([...x.dims]);
  for (let k = 0; k < out.data.length; k++) {
    let rest = k;
    let yi = 0;
    for (let a = 0; a < x.dims.length; a++) {
      const idx = Math.floor(rest / xs[a]!);
      rest %= xs[a]!;
      if (full[a] !== 1) yi += idx * ys[a]!;
    }
    out.data[k] = f(x.data[k]!, yt.data[yi]!);
  }
  return out;
}

function transpose(x: Tensor, perm: number[]): Tensor {
  const dims = perm.map((p) => x.dims[p]!);
  const out = tensor(dims);
  const xs = strides(x.dims);
  const os = strides(dims);
  for (let k = 0; k < out.data.length; k++) {
    let rest = k;
    let src = 0;
    for (let a = 0; a < dims.length; a++) {
      const idx = Math.floor(rest / os[a]!);
      rest %= os[a]!;
      src += idx * xs[perm[a]!]!;
    }
    out.data[k] = x.data[src]!;
  }
  return out;
}

function concat(xs: Tensor[], axis: number): Tensor {
  const a = axis < 0 ? axis + xs[0]!.dims.length : axis;
  const dims = [...xs[0]!.dims];
  dims[a] = xs.reduce((s, t) => s + t.dims[a]!, 0);
  const out = tensor(dims);
  const outer = size(dims.slice(0, a));
  const inner = size(dims.slice(a + 1));
  let off = 0;
  for (const t of xs) {
    const len = t.dims[a]! * inner;
    for (let o = 0; o < outer; o++)
      out.data.set(t.data.subarray(o * len, (o + 1) * len), o * dims[a]! * inner + off);
    off += len;
  }
  return out;
}

function softmax(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.dims.length : axis;
  const n = x.dims[a]!;
  const inner = size(x.dims.slice(a + 1));
  const outer = size(x.dims.slice(0, a));
  const out = tensor([...x.dims]);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x.data[(o * n + k) * inner + i]!);
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(x.data[(o * n + k) * inner + i]! - m);
      for (let k = 0; k < n; k++)
        out.data[(o * n + k) * inner + i] = Math.exp(x.data[(o * n + k) * inner + i]! - m) / sum;
    }
  return out;
}

function matmul2d(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p]!;
      for (let j = 0; j < n; j++) out[i * n + j]! += v * b[p * n + j]!;
    }
  return out;
}

function matmul(op: ProgramOp, x: Tensor, y: Tensor): Tensor {
  let xt = x;
  let yt = y;
  const swap = (t: Tensor) =>
    transpose(t, [...t.dims.slice(0, -2).map((_, i) => i), t.dims.length - 1, t.dims.length - 2]);
  if (attrOf(op, 'transpose_X', false)) xt = swap(xt);
  if (attrOf(op, 'transpose_Y', false)) yt = swap(yt);
  const alpha: number = attrOf(op, 'alpha', 1);
  const m = xt.dims.at(-2)!;
  const k = xt.dims.at(-1)!;
  const n = yt.dims.at(-1)!;
  const batchX = xt.dims.slice(0, -2);
  const batchY = yt.dims.slice(0, -2);
  if (size(batchY) !== 1 && size(batchX) !== size(batchY))
    throw new Error('matmul: batch broadcast not supported here');
  const batch = batchX.length >= batchY.length ? batchX : batchY;
  const out = tensor([...batch, m, n]);
  for (let bi = 0; bi < size(batch); bi++) {
    const a = xt.data.subarray(
      (size(batchX) === 1 ? 0 : bi) * m * k,
      ((size(batchX) === 1 ? 0 : bi) + 1) * m * k,
    );
    const bb = yt.data.subarray(
      (size(batchY) === 1 ? 0 : bi) * k * n,
      ((size(batchY) === 1 ? 0 : bi) + 1) * k * n,
    );
    const r = matmul2d(a, bb, m, k, n);
    for (let i = 0; i < r.length; i++) out.data[bi * m * n + i] = alpha * r[i]!;
  }
  return out;
}

/** Runs `program` on `feeds` (by feed target name); returns the fetch targets in `col` order. */
export function interpret(
  program: Program,
  feeds: Record<string, Tensor>,
  params: ReadonlyMap<string, { dims: readonly number[]; data: ArrayLike<number> }>,
): Tensor[] {
  const env = new Map<string, Tensor>(Object.entries(feeds));
  const get = (name: string): Tensor => {
    const t = env.get(name);
    if (t) return t;
    const p = params.get(name);
    if (!p) throw new Error(`interpreter: no value for "${name}"`);
    const v = { dims: [...p.dims], data: Float64Array.from(p.data) };
    env.set(name, v);
    return v;
  };
  const fetches: Array<[number, string]> = [];
  for (const op of program.ops) {
    const inp = (slot: string, i = 0) => get(op.inputs[slot]![i]!);
    const has = (slot: string) => (op.inputs[slot]?.length ?? 0) > 0;
    const set = (slot: string, t: Tensor) => env.set(op.outputs[slot]![0]!, t);
    const map = (x: Tensor, f: (v: number) => number): Tensor => ({ dims: [...x.dims], data: x.data.map(f) });
    switch (op.type) {
      case 'feed':
        break;
      case 'fetch':
        fetches.push([attrOf(op, 'col', 0), op.inputs.X![0]!]);
        break;
      case 'conv2d':
      case 'depthwise_conv2d':
        set('Output', conv2d(op, inp('Input'), inp('Filter'), has('Bias') ? inp('Bias') : undefined));
        break;
      case 'conv2d_transpose':
        set('Output', conv2dTranspose(op, inp('Input'), inp('Filter')));
        break;
      case 'batch_norm': {
        const x = inp('X');
        const [g, bt, mu, vr] = [inp('Scale'), inp('Bias'), inp('Mean'), inp('Variance')];
        const eps: number = attrOf(op, 'epsilon');
        const inner = size(x.dims.slice(2));
        const c = x.dims[1]!;
        set('Y', {
          dims: [...x.dims],
          data: x.data.map((v, k) => {
            const ch = Math.floor(k / inner) % c;
            return ((v - mu.data[ch]!) / Math.sqrt(vr.data[ch]! + eps)) * g.data[ch]! + bt.data[ch]!;
          }),
        });
        break;
      }
      case 'group_norm': {
        const x = inp('X');
        const groups: number = attrOf(op, 'groups');
        const eps: number = attrOf(op, 'epsilon');
        const [n, c] = x.dims as [number, number];
        const inner = size(x.dims.slice(2));
        const per = (c / groups) * inner;
        const y = tensor([...x.dims]);
        for (let b = 0; b < n; b++)
          for (let g = 0; g < groups; g++) {
            const off = (b * groups + g) * per;
            let mean = 0;
            for (let i = 0; i < per; i++) mean += x.data[off + i]!;
            mean /= per;
            let vr = 0;
            for (let i = 0; i < per; i++) vr += (x.data[off + i]! - mean) ** 2;
            vr /= per;
            for (let i = 0; i < per; i++) {
              const ch = g * (c / groups) + Math.floor(i / inner);
              const gamma = has('Scale') ? inp('Scale').data[ch]! : 1;
              const beta = has('Bias') ? inp('Bias').data[ch]! : 0;
              y.data[off + i] = ((x.data[off + i]! - mean) / Math.sqrt(vr + eps)) * gamma + beta;
            }
          }
        set('Y', y);
        break;
      }
      case 'elementwise_add':
        set(
          'Out',
          elementwise(op, inp('X'), inp('Y'), (a, b) => a + b),
        );
        break;
      case 'elementwise_mul':
        set(
          'Out',
          elementwise(op, inp('X'), inp('Y'), (a, b) => a * b),
        );
        break;
      case 'relu':
        set(
          'Out',
          map(inp('X'), (v) => Math.max(v, 0)),
        );
        break;
      case 'relu6':
        set(
          'Out',
          map(inp('X'), (v) => Math.min(Math.max(v, 0), attrOf(op, 'threshold', 6))),
        );
        break;
      case 'sigmoid':
        set(
          'Out',
          map(inp('X'), (v) => 1 / (1 + Math.exp(-v))),
        );
        break;
      case 'hard_sigmoid':
        set(
          'Out',
          map(inp('X'), (v) =>
            Math.max(0, Math.min(1, attrOf(op, 'slope', 0.2) * v + attrOf(op, 'offset', 0.5))),
          ),
        );
        break;
      case 'hard_swish': {
        const [t, s, o] = [attrOf(op, 'threshold', 6), attrOf(op, 'scale', 6), attrOf(op, 'offset', 3)];
        set(
          'Out',
          map(inp('X'), (v) => (v * Math.min(Math.max(v + o, 0), t)) / s),
        );
        break;
      }
      case 'scale': {
        const [s, b] = [attrOf(op, 'scale', 1), attrOf(op, 'bias', 0)];
        const after: boolean = attrOf(op, 'bias_after_scale', true);
        set(
          'Out',
          map(inp('X'), (v) => (after ? s * v + b : s * (v + b))),
        );
        break;
      }
      case 'dropout': {
        const p: number = attrOf(op, 'dropout_prob');
        const how: string = attrOf(op, 'dropout_implementation', 'downgrade_in_infer');
        set(
          'Out',
          map(inp('X'), (v) => (how === 'upscale_in_train' ? v : v * (1 - p))),
        );
        break;
      }
      case 'pool2d':
        set('Out', pool2d(op, inp('X')));
        break;
      case 'pad': {
        const x = inp('X');
        const p: number[] = attrOf(op, 'paddings');
        const value: number = attrOf(op, 'pad_value', 0);
        const dims = x.dims.map((d, i) => d + p[2 * i]! + p[2 * i + 1]!);
        const out = tensor(dims);
        out.data.fill(value);
        const xs = strides(x.dims);
        const os = strides(dims);
        for (let k = 0; k < x.data.length; k++) {
          let rest = k;
          let dst = 0;
          for (let a = 0; a < dims.length; a++) {
            const idx = Math.floor(rest / xs[a]!);
            rest %= xs[a]!;
            dst += (idx + p[2 * a]!) * os[a]!;
          }
          out.data[dst] = x.data[k]!;
        }
        set('Out', out);
        break;
      }
      case 'bilinear_interp':
        set('Out', bilinear(op, inp('X')));
        break;
      case 'concat':
        set(
          'Out',
          concat(
            op.inputs.X!.map((n) => get(n)),
            attrOf(op, 'axis'),
          ),
        );
        break;
      case 'transpose2':
        set('Out', transpose(inp('X'), attrOf(op, 'axis')));
        break;
      case 'reshape2': {
        const x = inp('X');
        const target: number[] = attrOf(op, 'shape').map((d: number, i: number) =>
          d === 0 ? x.dims[i]! : d,
        );
        const free = target.indexOf(-1);
        if (free >= 0) target[free] = size(x.dims) / -size(target);
        set('Out', { dims: target, data: x.data });
        break;
      }
      case 'unsqueeze2': {
        const x = inp('X');
        const dims = [...x.dims];
        for (const a of attrOf(op, 'axes') as number[]) dims.splice(a < 0 ? a + dims.length + 1 : a, 0, 1);
        set('Out', { dims, data: x.data });
        break;
      }
      case 'softmax':
        set('Out', softmax(inp('X'), attrOf(op, 'axis', -1)));
        break;
      case 'matmul':
        set('Out', matmul(op, inp('X'), inp('Y')));
        break;
      case 'mul': {
        const x = inp('X');
        const y = inp('Y');
        const xk: number = attrOf(op, 'x_num_col_dims', 1);
        const yk: number = attrOf(op, 'y_num_col_dims', 1);
        const m = size(x.dims.slice(0, xk));
        const k = size(x.dims.slice(xk));
        const n = size(y.dims.slice(yk));
        set('Out', {
          dims: [...x.dims.slice(0, xk), ...y.dims.slice(yk)],
          data: matmul2d(x.data, y.data, m, k, n),
        });
        break;
      }
      case 'reduce_mean': {
        const x = inp('X');
        const all: boolean = attrOf(op, 'reduce_all', false);
        const axes = new Set<number>(
          all
            ? x.dims.map((_, i) => i)
            : (attrOf(op, 'dim') as number[]).map((a) => (a < 0 ? a + x.dims.length : a)),
        );
        const keep: boolean = attrOf(op, 'keep_dim', false);
        const kept = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
        const out = tensor(kept);
        const xs = strides(x.dims);
        const os = strides(kept);
        const count = size(x.dims) / size(kept);
        for (let k = 0; k < x.data.length; k++) {
          let rest = k;
          let dst = 0;
          for (let a = 0; a < x.dims.length; a++) {
            const idx = Math.floor(rest / xs[a]!);
            rest %= xs[a]!;
            if (!axes.has(a)) dst += idx * os[a]!;
          }
          out.data[dst]! += x.data[k]! / count;
        }
        set('Out', { dims: keep ? kept : x.dims.filter((_, i) => !axes.has(i)), data: out.data });
        break;
      }
      default:
        throw new Error(`interpreter: op ${op.type} is not implemented`);
    }
  }
  return fetches.sort((a, b) => a[0] - b[0]).map(([, n]) => get(n));
}
