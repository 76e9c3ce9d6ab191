/**
 * `pool2d` in all its modes (spec §9.2): max or avg; global; adaptive (bin i of n over an
 * axis of length L covers `[floor(i·L/n), ceil((i+1)·L/n))`, so bins overlap when n does not
 * divide L); windows with explicit, SAME or VALID padding; `ceil_mode`; `exclusive` averages
 * (the divisor counts only the pixels inside the input).
 *
 * Adaptive bins that tile the map are one `AveragePool`; otherwise the average is
 * `Aᴴ · X · Aᵂ` with matrices holding `1/len(bin)` inside each bin (two `MatMul`s). `ceil_mode`
 * is written as extra end padding with `ceil_mode=0` (onnxruntime mishandles `ceil_mode=1`
 * with `count_include_pad=0`, microsoft/onnxruntime#16351): the padding never counts in a
 * max, nor in an exclusive average's divisor.
 */
import type { Value } from '../../onnx/builder.js';
import { attr, type InferContext, type LowerContext, type PaddleOpDef } from '../op-def.js';
import { type AxisPad, axisPads, onnxPads, windowOut } from './window.js';

/** The `[start, end)` bounds of the adaptive bins of an axis of `length` split into `bins`. */
export function adaptiveBins(length: number, bins: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < bins; i++) {
    out.push([Math.floor((i * length) / bins), Math.ceil(((i + 1) * length) / bins)]);
  }
  return out;
}

/** Row-major `[bins, length]` matrix averaging each bin (row i holds 1/len over bin i). */
export function averagingMatrix(length: number, bins: number): Float32Array {
  const m = new Float32Array(bins * length);
  adaptiveBins(length, bins).forEach(([s, e], i) => {
    for (let k = s; k < e; k++) m[i * length + k] = 1 / (e - s);
  });
  return m;
}

function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

function windowPads(ctx: InferContext | LowerContext, input: readonly number[]): [AxisPad, AxisPad] {
  return axisPads({
    paddings: ctx.attr<number[]>('paddings'),
    algorithm: ctx.attr<string>('padding_algorithm'),
    input,
    kernel: ctx.attr<number[]>('ksize'),
    strides: ctx.attr<number[]>('strides'),
  });
}

function infer(ctx: InferContext) {
  const x = ctx.shape('X');
  const k = ctx.attr<number[]>('ksize');
  if (ctx.attr<boolean>('global_pooling')) return { Out: [[x[0]!, x[1]!, 1, 1]] };
  if (ctx.attr<boolean>('adaptive')) return { Out: [[x[0]!, x[1]!, k[0]!, k[1]!]] };
  const s = ctx.attr<number[]>('strides');
  const pads = windowPads(ctx, [x[2]!, x[3]!]);
  const ceil = ctx.attr<boolean>('ceil_mode');
  return {
    Out: [
      [
        x[0]!,
        x[1]!,
        windowOut(x[2]!, k[0]!, s[0]!, pads[0], 1, ceil),
        windowOut(x[3]!, k[1]!, s[1]!, pads[1], 1, ceil),
      ],
    ],
  };
}

function adaptiveAverage(ctx: LowerContext, x: Value, [oh, ow]: number[]): void {
  const [h, w] = ctx.spatial(x);
  if (h! % oh! === 0 && w! % ow! === 0) {
    const kernel = [h! / oh!, w! / ow!];
    ctx.node(
      'AveragePool',
      [x],
      { kernel_shape: kernel, strides: kernel },
      { label: 'pool2d', output: 'Out' },
    );
    return;
  }
  ctx.b.scope('pool2d', () => {
    const aw = ctx.b.constant('adaptive_avg_w', [w!, ow!], transposed(averagingMatrix(w!, ow!), ow!, w!));
    const ah = ctx.b.constant('adaptive_avg_h', [oh!, h!], averagingMatrix(h!, oh!));
    const cols = ctx.node('MatMul', [x, aw], {}, { label: 'avg_w' });
    ctx.node('MatMul', [ah, cols], {}, { label: 'avg_h', output: 'Out' });
  });
}

/** Extra end padding that makes a floor-mode window count equal the ceil-mode one. */
function ceilPad(n: number, k: number, s: number, p: AxisPad): AxisPad {
  const want = windowOut(n, k, s, p, 1, true);
  const extra = Math.max((want - 1) * s + k - (n + p[0] + p[1]), 0);
  return [p[0], p[1] + extra];
}

function lower(ctx: LowerContext): void {
  const format = ctx.attr<string>('data_format');
  if (format !== 'NCHW' && format !== 'AnyLayout') throw ctx.unsupported(`data_format "${format}"`);
  const x = ctx.input('X');
  const type = ctx.attr<string>('pooling_type');
  if (type !== 'max' && type !== 'avg') throw ctx.unsupported(`pooling_type "${type}"`);
  const max = type === 'max';
  if (ctx.attr<boolean>('global_pooling')) {
    ctx.node(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [x], {}, { label: 'pool2d', output: 'Out' });
    return;
  }
  const k = ctx.attr<number[]>('ksize');
  if (ctx.attr<boolean>('adaptive')) {
    if (max) throw ctx.unsupported('adaptive max pooling');
    adaptiveAverage(ctx, x, k);
    return;
  }
  const [h, w] = ctx.spatial(x);
  const s = ctx.attr<number[]>('strides');
  let pads = windowPads(ctx, [h!, w!]);
  if (ctx.attr<boolean>('ceil_mode'))
    pads = [ceilPad(h!, k[0]!, s[0]!, pads[0]), ceilPad(w!, k[1]!, s[1]!, pads[1])];
  const attrs: Record<string, number | number[]> = { kernel_shape: k, strides: s, pads: onnxPads(pads) };
  if (!max) attrs.count_include_pad = ctx.attr<boolean>('exclusive') ? 0 : 1;
  ctx.node(max ? 'MaxPool' : 'AveragePool', [x], attrs, { label: 'pool2d', output: 'Out' });
}

/** pool2d (attributes as a real 1.6.3 file records them). */
export const pool2d: PaddleOpDef = {
  type: 'pool2d',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [
    attr.str('pooling_type', 'max'),
    attr.ints('ksize', [1, 1]),
    attr.bool('global_pooling', false),
    attr.ints('strides', [1, 1]),
    attr.ints('paddings', [0, 0]),
    attr.bool('exclusive', true),
    attr.bool('adaptive', false),
    attr.bool('ceil_mode', false),
    attr.bool('use_cudnn', true),
    attr.bool('use_mkldnn', false),
    attr.bool('use_quantizer', false),
    attr.str('data_format', 'NCHW'),
    attr.str('padding_algorithm', 'EXPLICIT'),
    attr.isTest(),
  ],
  infer,
  lower,
};
