/**
 * `elementwise_add` and `elementwise_mul` with Paddle's axis rule (spec §9.6): `Y`'s dims
 * line up with `X`'s from `axis` on (`-1` = `rank(X) − rank(Y)`), so a `[C]` bias with
 * `axis=1` broadcasts over N, H, W. ONNX broadcasts from the right: `Y` gains trailing
 * unit axes. A conv bias — `elementwise_add(axis=1)` of a `[C]` parameter to a conv output
 * read by nothing else — becomes the `B` input of that `Conv` (spec §10).
 */
import type { Value } from '../../onnx/builder.js';
import { attr, type LowerContext, type PaddleOpDef } from '../op-def.js';

const ATTRS = [
  attr.int('axis', -1),
  attr.bool('use_mkldnn', false),
  attr.str('x_data_format', ''),
  attr.str('y_data_format', ''),
];

/** `Y` reshaped so ONNX broadcasting matches Paddle's axis rule. */
function alignedY(ctx: LowerContext, x: Value, y: Value): Value {
  const axis = ctx.attr<number>('axis');
  const xr = x.shape.length;
  const yr = y.shape.length;
  if (yr > xr) throw ctx.unsupported(`Y of rank ${yr} above X's rank ${xr}`);
  const start = axis < 0 ? xr - yr : axis;
  if (start + yr > xr) throw ctx.unsupported(`axis ${axis} with X rank ${xr} and Y rank ${yr}`);
  const trailing = xr - start - yr;
  if (trailing === 0) return y;
  const axes = Array.from({ length: trailing }, (_, i) => yr + i);
  return ctx.node('Unsqueeze', [y, ctx.b.int64s('axes', axes)], {}, { label: 'unsqueeze' });
}

/** Joins a `[C]` parameter to the conv that computes `X` as its bias; false when it cannot. */
function joinConvBias(ctx: LowerContext, x: Value): boolean {
  const producer = ctx.b.producer(x);
  if (!producer || (producer.opType !== 'Conv' && producer.opType !== 'ConvTranspose')) return false;
  if (producer.input.length !== 2 || ctx.readers('X') !== 1 || !ctx.isParameter('Y')) return false;
  const y = ctx.input('Y');
  if (ctx.attr<number>('axis') !== 1 || y.shape.length !== 1 || y.shape[0] !== x.shape[1]) return false;
  ctx.b.appendInput(x, y);
  ctx.bind('Out', x);
  return true;
}

function binary(type: string, onnx: 'Add' | 'Mul'): PaddleOpDef {
  return {
    type,
    inputs: ['X', 'Y'],
    outputs: ['Out'],
    attrs: ATTRS,
    infer: (ctx) => ({ Out: [ctx.shape('X')] }),
    lower(ctx) {
      const x = ctx.input('X');
      if (onnx === 'Add' && joinConvBias(ctx, x)) return;
      ctx.node(onnx, [x, alignedY(ctx, x, ctx.input('Y'))], {}, { label: type, output: 'Out' });
    },
  };
}

/** elementwise_add. */
export const elementwiseAdd = binary('elementwise_add', 'Add');
/** elementwise_mul. */
export const elementwiseMul = binary('elementwise_mul', 'Mul');
