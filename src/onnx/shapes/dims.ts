/**
 * Dimension arithmetic for static shape inference. A dimension is a size, a symbolic name
 * (`'N'`, `'batch'`) or `null` when unknown; a shape is `undefined` when even its rank is
 * unknown. Nothing here guesses: an operation on an unknown or symbolic size that cannot be
 * carried through gives `null`.
 */

/** One dimension: a size, a symbolic name, or `null` (unknown). */
export type Dim = number | string | null;

/** A shape; `undefined` where a whole shape is unknown. */
export type Shape = Dim[];

/** True for a known non-negative size. */
export function isSize(d: Dim): d is number {
  return typeof d === 'number' && Number.isFinite(d) && d >= 0;
}

/** Product of dims: a number when all are sizes, the symbol itself when it is the only non-1 factor. */
export function product(dims: readonly Dim[]): Dim {
  let numeric = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (isSize(d)) numeric *= d;
    else if (typeof d === 'string') symbols.push(d);
    else return null;
  }
  if (symbols.length === 0) return numeric;
  return symbols.length === 1 && numeric === 1 ? symbols[0]! : null;
}

/** Two dims broadcast together (numpy rules), or `null` when it cannot be told. */
export function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (isSize(a) && typeof b === 'string') return a;
  if (isSize(b) && typeof a === 'string') return b;
  return null;
}

/** Shapes broadcast together (numpy rules); `undefined` if any is unknown. */
export function broadcastShapes(shapes: ReadonlyArray<Shape | undefined>): Shape | undefined {
  if (shapes.length === 0 || shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(...shapes.map((s) => s!.length));
  const out: Dim[] = new Array(rank).fill(1);
  for (const s of shapes as Shape[]) {
    const offset = rank - s.length;
    s.forEach((d, i) => {
      out[offset + i] = broadcastDim(out[offset + i]!, d);
    });
  }
  return out;
}

/** Normalises a possibly negative axis for a given rank, or `undefined` if out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Applies `f` to a size; symbolic or unknown dims give `null`. */
export function mapSize(d: Dim, f: (n: number) => number): Dim {
  return isSize(d) ? f(d) : null;
}

/**
 * Output size of a sliding window (convolution or pooling) along one axis, per the ONNX
 * operator definitions: explicit pads, or `auto_pad` SAME_UPPER/SAME_LOWER (`ceil(in / s)`)
 * and VALID (no padding); `ceil` selects pooling's `ceil_mode`.
 */
export function windowSize(
  input: Dim,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  autoPad: string,
  ceil: boolean,
): Dim {
  const extent = (kernel - 1) * dilation + 1;
  if (!isSize(input)) {
    // A 1×1 window at stride 1 without padding keeps even a symbolic size.
    const identity = extent === 1 && stride === 1 && (autoPad !== 'NOTSET' || padBegin + padEnd === 0);
    return identity ? input : null;
  }
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  const pads = autoPad === 'VALID' ? 0 : padBegin + padEnd;
  const span = input + pads - extent;
  if (span < 0) return null;
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // A last window that would start in the end padding is dropped (onnxruntime and PyTorch).
  if ((out - 1) * stride >= input + (autoPad === 'VALID' ? 0 : padBegin)) out--;
  return out;
}
