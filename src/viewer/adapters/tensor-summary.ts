/**
 * Weight statistics for the sidebar (issue 6: shape, dtype, size, min/max/mean, first values).
 * Browser-safe; shared by the ONNX adapter and the Node-side Paddle weight reader.
 */
import type { ViewTensorSummary } from '../model.js';

/** Default number of leading values kept in {@link ViewTensorSummary.head}. */
export const HEAD_LENGTH = 8;

/** Numbers that can be iterated by index. */
export type NumberList = ArrayLike<number>;

/**
 * Summarises a tensor from its values; `values` may be empty when the data is not available
 * (then only shape, dtype and size are filled in). NaNs are skipped by min/max/mean.
 */
export function summarizeValues(
  dims: number[],
  dtype: string,
  byteLength: number,
  values: NumberList | undefined,
  headLength = HEAD_LENGTH,
): ViewTensorSummary {
  const s: ViewTensorSummary = { dims, dtype, byteLength };
  if (!values || values.length === 0) return s;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  if (n > 0) {
    s.min = min;
    s.max = max;
    s.mean = sum / n;
  }
  const count = Math.min(values.length, headLength);
  s.head = [];
  for (let i = 0; i < count; i++) s.head.push(values[i]!);
  return s;
}

/** Decodes IEEE half-precision floats (little-endian bytes) to numbers. */
export function float16Values(bytes: Uint8Array): number[] {
  const out: number[] = new Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const h = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? Number.NaN
            : sign * Number.POSITIVE_INFINITY
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
