/**
 * Shape rules of the spatial ops: convolution, transposed convolution, pooling, resizing and
 * depth/space rearrangement, per the ONNX operator definitions.
 */

import { type Dim, isSize, mapSize, normalizeAxis, windowSize } from './dims.js';
import { int, ints, numbers, type OpContext, type OpHandler, type OpResult, str } from './rule-context.js';

/** Sliding-window ops: Conv, pooling. `channels` gives the output channel count. */
function windowed(ctx: OpContext, kernel: number[], channels: Dim, ceil: boolean): OpResult | undefined {
  const x = ctx.shape(0);
  if (x === undefined || x.length < 2) return undefined;
  const spatial = x.length - 2;
  if (kernel.length !== spatial) return undefined;
  const strides = ints(ctx, 'strides') ?? new Array(spatial).fill(1);
  const dilations = ints(ctx, 'dilations') ?? new Array(spatial).fill(1);
  const pads = ints(ctx, 'pads') ?? new Array(2 * spatial).fill(0);
  const autoPad = str(ctx, 'auto_pad', 'NOTSET');
  const out: Dim[] = [x[0]!, channels];
  for (let k = 0; k < spatial; k++) {
    out.push(
      windowSize(
        x[k + 2]!,
        kernel[k]!,
        strides[k]!,
        dilations[k]!,
        pads[k]!,
        pads[k + spatial]!,
        autoPad,
        ceil,
      ),
    );
  }
  return { shapes: [out, out] };
}

/** `conv` rule. */
export const conv: OpHandler = (ctx) => {
  const w = ctx.shape(1);
  const kernel = ints(ctx, 'kernel_shape') ?? w?.slice(2).map((d) => (isSize(d) ? d : Number.NaN));
  if (kernel === undefined || kernel.some(Number.isNaN)) return undefined;
  return windowed(ctx, kernel, w?.[0] ?? null, false);
};

/** `convTranspose` rule. */
export const convTranspose: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (x === undefined || w === undefined || x.length < 3) return undefined;
  const spatial = x.length - 2;
  const kernel = ints(ctx, 'kernel_shape') ?? w.slice(2).map((d) => (isSize(d) ? d : Number.NaN));
  const group = int(ctx, 'group', 1);
  const channels = mapSize(w[1] ?? null, (m) => m * group);
  const explicit = ints(ctx, 'output_shape');
  const strides = ints(ctx, 'strides') ?? new Array(spatial).fill(1);
  const dilations = ints(ctx, 'dilations') ?? new Array(spatial).fill(1);
  const pads = ints(ctx, 'pads') ?? new Array(2 * spatial).fill(0);
  const outPad = ints(ctx, 'output_padding') ?? new Array(spatial).fill(0);
  const autoPad = str(ctx, 'auto_pad', 'NOTSET');
  const out: Dim[] = [x[0]!, channels];
  for (let k = 0; k < spatial; k++) {
    if (explicit) out.push(explicit[explicit.length - spatial + k]!);
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')
      out.push(mapSize(x[k + 2]!, (n) => n * strides[k]!));
    else {
      const extent = (kernel[k]! - 1) * dilations[k]! + 1;
      const padding = autoPad === 'VALID' ? 0 : pads[k]! + pads[k + spatial]!;
      out.push(mapSize(x[k + 2]!, (n) => strides[k]! * (n - 1) + outPad[k]! + extent - padding));
    }
  }
  return { shapes: [out.map((d) => (typeof d === 'number' && Number.isNaN(d) ? null : d))] };
};

/** `pool` rule. */
export const pool: OpHandler = (ctx) => {
  const kernel = ints(ctx, 'kernel_shape');
  if (kernel === undefined) return undefined;
  const x = ctx.shape(0);
  const result = windowed(ctx, kernel, x?.[1] ?? null, int(ctx, 'ceil_mode', 0) === 1);
  return result && { ...result, dtypes: [undefined, 'int64'] };
};

/** `globalPool` rule. */
export const globalPool: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  return { shapes: [x && [x[0]!, x[1]!, ...x.slice(2).map(() => 1)]] };
};

/** `resize` rule. */
export const resize: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  // Upsample-9 and Resize-10: scales at input 1; Resize-11+: roi, scales, sizes at 1, 2, 3.
  const upsample = !ctx.has(2) && !ctx.has(3);
  const scales = upsample
    ? ctx.has(1)
      ? numbers(ctx.value(1))
      : (ctx.attr('scales') as number[] | undefined)
    : ctx.has(2)
      ? numbers(ctx.value(2))
      : undefined;
  const sizes = ctx.has(3) ? ctx.value(3) : undefined;
  const axes = (ints(ctx, 'axes') ?? x.map((_, i) => i)).map((a) => normalizeAxis(a, x.length)!);
  const out = [...x];
  if (sizes && sizes.length === axes.length) {
    axes.forEach((a, k) => {
      out[a] = sizes[k]!;
    });
  } else if (scales && scales.length === axes.length && scales.length > 0) {
    axes.forEach((a, k) => {
      out[a] = scales[k] === 1 ? x[a]! : mapSize(x[a]!, (n) => Math.floor(n * scales[k]!));
    });
  } else return undefined;
  return { shapes: [out] };
};

/** `depthToSpace` rule. */
export const depthToSpace: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const b = int(ctx, 'blocksize', 1);
  if (x === undefined || x.length !== 4) return undefined;
  return {
    shapes: [
      [x[0]!, mapSize(x[1]!, (c) => c / (b * b)), mapSize(x[2]!, (h) => h * b), mapSize(x[3]!, (w) => w * b)],
    ],
  };
};

/** `spaceToDepth` rule. */
export const spaceToDepth: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const b = int(ctx, 'blocksize', 1);
  if (x === undefined || x.length !== 4) return undefined;
  return {
    shapes: [
      [x[0]!, mapSize(x[1]!, (c) => c * b * b), mapSize(x[2]!, (h) => h / b), mapSize(x[3]!, (w) => w / b)],
    ],
  };
};
