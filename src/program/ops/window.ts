/**
 * Paddle's window arithmetic for conv2d and pool2d (spec §9.6 `ConvOutputSize`, §9.2):
 * 2- or 4-element `paddings`, `padding_algorithm` EXPLICIT / SAME / VALID, and the ONNX
 * `pads` order they become.
 */

/** Padding of one spatial axis: before and after. */
export type AxisPad = readonly [before: number, after: number];

/**
 * Per-axis paddings of a 2-D window op. Paddle's `paddings` are `[h, w]` or
 * `[top, bottom, left, right]`; `SAME` pads so that `out = ceil(in / stride)` (the extra
 * pixel after, as ONNX `SAME_UPPER`), `VALID` pads nothing.
 */
export function axisPads(o: {
  paddings: readonly number[];
  algorithm: string;
  input: readonly number[];
  kernel: readonly number[];
  strides: readonly number[];
  dilations?: readonly number[];
}): [AxisPad, AxisPad] {
  const out: AxisPad[] = [];
  for (let a = 0; a < 2; a++) {
    if (o.algorithm === 'VALID') out.push([0, 0]);
    else if (o.algorithm === 'SAME') {
      const n = o.input[a]!;
      const s = o.strides[a]!;
      const k = (o.dilations?.[a] ?? 1) * (o.kernel[a]! - 1) + 1;
      const total = n < 0 ? 0 : Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
      out.push([Math.floor(total / 2), total - Math.floor(total / 2)]);
    } else if (o.paddings.length === 4) out.push([o.paddings[2 * a]!, o.paddings[2 * a + 1]!]);
    else out.push([o.paddings[a] ?? 0, o.paddings[a] ?? 0]);
  }
  return [out[0]!, out[1]!];
}

/** ONNX `pads` (`[h_begin, w_begin, h_end, w_end]`) of per-axis paddings. */
export function onnxPads([h, w]: readonly [AxisPad, AxisPad]): number[] {
  return [h[0], w[0], h[1], w[1]];
}

/** Output length of a window over `n` (floor, or ceil with `ceil_mode`); `-1` stays `-1`. */
export function windowOut(
  n: number,
  k: number,
  stride: number,
  pad: AxisPad,
  dilation = 1,
  ceil = false,
): number {
  if (n < 0) return -1;
  const span = dilation * (k - 1) + 1;
  const q = (n + pad[0] + pad[1] - span) / stride;
  return (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
}
