/**
 * Shape rules of the ONNX operators common in vision models shared by the graph builder (the shapes it writes to `value_info`) and the viewer's inference,
 * one handler per op type in a registry map. Each handler sees its inputs' shapes and, for
 * small integer tensors known at load time, their values; it returns output shapes (and the
 * values of outputs it can compute, so `Shape → Gather → Concat → Reshape` chains resolve).
 * A handler returns `undefined` for an output it cannot know.
 */
import { TENSOR_DATA_TYPE_NAMES } from '../types.js';
import { broadcastShapes, type Dim, isSize, mapSize, normalizeAxis, product, type Shape } from './dims.js';
import { int, ints, intsFrom, numbers, type OpHandler } from './rule-context.js';
import {
  conv,
  convTranspose,
  depthToSpace,
  globalPool,
  pool,
  resize,
  spaceToDepth,
} from './rules-spatial.js';

export type { OpContext, OpHandler, OpResult } from './rule-context.js';

const same: OpHandler = (ctx) => ({ shapes: [ctx.shape(0)] });
const broadcast: OpHandler = (ctx) => {
  const shapes: Array<Shape | undefined> = [];
  for (let i = 0; ctx.has(i) || i === 0; i++) shapes.push(ctx.shape(i));
  return { shapes: [broadcastShapes(shapes)] };
};
const compare: OpHandler = (ctx) => ({ ...broadcast(ctx)!, dtypes: ['bool'] });

const concat: OpHandler = (ctx) => {
  const shapes: Shape[] = [];
  for (let i = 0; ctx.has(i); i++) {
    const s = ctx.shape(i);
    if (s === undefined) return undefined;
    shapes.push(s);
  }
  const first = shapes[0];
  if (first === undefined) return undefined;
  const axis = normalizeAxis(int(ctx, 'axis', 0), first.length);
  if (axis === undefined) return undefined;
  const out = first.map((_, k) =>
    k === axis ? shapesSum(shapes.map((s) => s[k]!)) : (shapes.map((s) => s[k]!).find(isSize) ?? first[k]!),
  );
  const values: Dim[] = [];
  let known = first.length === 1;
  for (let i = 0; known && i < shapes.length; i++) {
    const v = ctx.value(i);
    if (v === undefined) known = false;
    else values.push(...v);
  }
  return { shapes: [out], values: [known ? values : undefined] };
};
const shapesSum = (dims: Dim[]): Dim =>
  dims.every(isSize) ? dims.reduce<number>((a, b) => a + (b as number), 0) : null;

const reshape: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const target = ctx.has(1) ? ctx.value(1) : ints(ctx, 'shape');
  if (target === undefined) return undefined;
  const allowZero = int(ctx, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, k) => (d === 0 && !allowZero ? (x?.[k] ?? null) : d));
  const minus = out.indexOf(-1);
  if (minus >= 0) {
    out[minus] = null;
    if (x !== undefined) {
      const rest = out.filter((_, k) => k !== minus);
      out[minus] = divide(x, rest);
    }
  }
  return { shapes: [out], values: [ctx.value(0)] };
};

/** `product(whole) / product(part)`, cancelling equal symbols; `null` if it does not divide. */
function divide(whole: readonly Dim[], part: readonly Dim[]): Dim {
  const symbols = whole.filter((d): d is string => typeof d === 'string');
  let numerator = 1;
  for (const d of whole) {
    if (d === null) return null;
    if (typeof d === 'number') numerator *= d;
  }
  let denominator = 1;
  for (const d of part) {
    if (d === null) return null;
    if (typeof d === 'number') denominator *= d;
    else {
      const k = symbols.indexOf(d);
      if (k < 0) return null;
      symbols.splice(k, 1);
    }
  }
  if (denominator === 0 || numerator % denominator !== 0) return null;
  const q = numerator / denominator;
  if (symbols.length === 0) return q;
  return symbols.length === 1 && q === 1 ? symbols[0]! : null;
}

const flatten: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const axis = int(ctx, 'axis', 1);
  const a = axis < 0 ? axis + x.length : axis;
  return { shapes: [[product(x.slice(0, a)), product(x.slice(a))]] };
};

const transpose: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const perm = ints(ctx, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  return { shapes: [perm.map((p) => x[p] ?? null)] };
};

const gemm: OpHandler = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a === undefined || b === undefined || a.length !== 2 || b.length !== 2) return undefined;
  const m = int(ctx, 'transA', 0) ? a[1]! : a[0]!;
  const n = int(ctx, 'transB', 0) ? b[0]! : b[1]!;
  return { shapes: [[m, n]] };
};

const matmul: OpHandler = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a === undefined || b === undefined || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])!;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return { shapes: [out] };
};

const slice: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const fromInputs = ctx.has(1);
  const starts = fromInputs ? numbers(ctx.value(1)) : ints(ctx, 'starts');
  const ends = fromInputs ? numbers(ctx.value(2)) : ints(ctx, 'ends');
  if (starts === undefined || ends === undefined) return undefined;
  const axes =
    (fromInputs ? (ctx.has(3) ? numbers(ctx.value(3)) : undefined) : ints(ctx, 'axes')) ??
    starts.map((_, i) => i);
  const steps = (fromInputs && ctx.has(4) ? numbers(ctx.value(4)) : undefined) ?? starts.map(() => 1);
  const out = [...x];
  const valueIn = ctx.value(0);
  let valueOut: Dim[] | undefined;
  for (let k = 0; k < axes.length; k++) {
    const a = normalizeAxis(axes[k]!, x.length);
    if (a === undefined) return undefined;
    const dim = x[a]!;
    const [s, e, st] = [starts[k]!, ends[k]!, steps[k]!];
    if (!isSize(dim)) {
      out[a] = s === 0 && st === 1 && e >= 2 ** 31 - 1 ? dim : null;
      continue;
    }
    const range = sliceRange(dim, s, e, st);
    out[a] = range.length;
    if (valueIn && x.length === 1) valueOut = range.map((i) => valueIn[i] ?? null);
  }
  return { shapes: [out], values: [valueOut] };
};

/** Indices selected by a slice along an axis of size `dim` (ONNX clamping rules). */
function sliceRange(dim: number, start: number, end: number, step: number): number[] {
  if (step === 0) return [];
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const norm = (v: number) => (v < 0 ? v + dim : v);
  const out: number[] = [];
  if (step > 0) {
    for (let i = clamp(norm(start), 0, dim); i < clamp(norm(end), 0, dim); i += step) out.push(i);
  } else {
    for (let i = clamp(norm(start), 0, dim - 1); i > clamp(norm(end), -1, dim - 1); i += step) out.push(i);
  }
  return out;
}

const split: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const axis = normalizeAxis(int(ctx, 'axis', 0), x.length);
  if (axis === undefined) return undefined;
  const dim = x[axis]!;
  let sizes = intsFrom(ctx, 1, 'split');
  if (sizes === undefined) {
    if (!isSize(dim)) return undefined;
    const parts = int(ctx, 'num_outputs', ctx.outputs);
    const chunk = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, k) => Math.max(0, Math.min(chunk, dim - k * chunk)));
  }
  return { shapes: sizes.map((s) => x.map((d, k) => (k === axis ? s : d))) };
};

const pad: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const pads = intsFrom(ctx, 1, 'pads');
  if (x === undefined || pads === undefined) return undefined;
  const axes = ctx.has(3) ? numbers(ctx.value(3)) : x.map((_, i) => i);
  if (axes === undefined || pads.length !== 2 * axes.length) return undefined;
  const out = [...x];
  axes.forEach((axis, k) => {
    const a = normalizeAxis(axis, x.length)!;
    const added = pads[k]! + pads[k + axes.length]!;
    out[a] = added === 0 ? x[a]! : mapSize(x[a]!, (n) => n + added);
  });
  return { shapes: [out] };
};

const reduce: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const axes = intsFrom(ctx, 1, 'axes');
  if (ctx.has(1) && axes === undefined) return undefined;
  const keep = int(ctx, 'keepdims', 1) === 1;
  const all = axes === undefined || axes.length === 0;
  if (all && int(ctx, 'noop_with_empty_axes', 0) === 1) return { shapes: [x] };
  const reduced = new Set(all ? x.map((_, i) => i) : axes.map((a) => normalizeAxis(a, x.length)));
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (!reduced.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return { shapes: [out] };
};

const argReduce: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const axis = normalizeAxis(int(ctx, 'axis', 0), x.length);
  const keep = int(ctx, 'keepdims', 1) === 1;
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (i !== axis) out.push(d);
    else if (keep) out.push(1);
  });
  return { shapes: [out], dtypes: ['int64'] };
};

const squeeze: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return undefined;
  const axes = intsFrom(ctx, 1, 'axes');
  let drop: Set<number | undefined>;
  if (axes === undefined) {
    if (ctx.has(1) || x.some((d) => !isSize(d))) return undefined;
    drop = new Set(x.flatMap((d, i) => (d === 1 ? [i] : [])));
  } else drop = new Set(axes.map((a) => normalizeAxis(a, x.length)));
  return { shapes: [x.filter((_, i) => !drop.has(i))], values: [ctx.value(0)] };
};

const unsqueeze: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const axes = intsFrom(ctx, 1, 'axes');
  if (x === undefined || axes === undefined) return undefined;
  const rank = x.length + axes.length;
  const inserted = new Set(axes.map((a) => normalizeAxis(a, rank)));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(inserted.has(i) ? 1 : (x[k++] ?? null));
  return { shapes: [out], values: [ctx.value(0)] };
};

const shapeOp: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  if (x === undefined) return { shapes: [undefined], dtypes: ['int64'] };
  const start = normalizeSlice(int(ctx, 'start', 0), x.length);
  const end = normalizeSlice(ctx.attr('end') === undefined ? x.length : int(ctx, 'end', x.length), x.length);
  const dims = x.slice(start, Math.max(start, end));
  return { shapes: [[dims.length]], values: [dims], dtypes: ['int64'] };
};
const normalizeSlice = (v: number, rank: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);

const gather: OpHandler = (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  if (data === undefined || indices === undefined) return undefined;
  const axis = normalizeAxis(int(ctx, 'axis', 0), data.length);
  if (axis === undefined) return undefined;
  const out = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  const dv = ctx.value(0);
  const iv = numbers(ctx.value(1));
  const values =
    dv !== undefined && iv !== undefined && data.length === 1
      ? iv.map((i) => dv[i < 0 ? i + dv.length : i] ?? null)
      : undefined;
  return { shapes: [out], values: [values] };
};

const cast: OpHandler = (ctx) => {
  const to = int(ctx, 'to', 0);
  return { shapes: [ctx.shape(0)], values: [ctx.value(0)], dtypes: [TENSOR_DATA_TYPE_NAMES[to]] };
};

const constantOfShape: OpHandler = (ctx) => {
  const dims = ctx.value(0);
  const v = ctx.attr('value');
  const dtype = typeof v === 'object' && v !== null && 'tensor' in v ? v.tensor.dtype : 'float32';
  return { shapes: [dims], dtypes: [dtype] };
};

const expand: OpHandler = (ctx) => {
  const dims = ctx.value(1);
  return { shapes: [dims && broadcastShapes([ctx.shape(0), dims])] };
};

const tile: OpHandler = (ctx) => {
  const x = ctx.shape(0);
  const repeats = numbers(ctx.value(1));
  if (x === undefined || repeats === undefined || repeats.length !== x.length) return undefined;
  return { shapes: [x.map((d, i) => (repeats[i] === 1 ? d : mapSize(d, (n) => n * repeats[i]!)))] };
};

/** Elementwise arithmetic on small integer values (shape computations). */
function arithmetic(f: (a: number, b: number) => number): OpHandler {
  return (ctx) => {
    const result = broadcast(ctx)!;
    const integral = (i: number) => /^u?int/.test(ctx.dtype(i) ?? '');
    const a = numbers(ctx.value(0));
    const b = numbers(ctx.value(1));
    if (
      !integral(0) ||
      !integral(1) ||
      a === undefined ||
      b === undefined ||
      (a.length !== b.length && a.length !== 1 && b.length !== 1)
    ) {
      return result;
    }
    const n = Math.max(a.length, b.length);
    const values = Array.from({ length: n }, (_, i) =>
      f(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!),
    );
    return { ...result, values: [values] };
  };
}

const UNARY = [
  'Relu',
  'Sigmoid',
  'Tanh',
  'Clip',
  'Abs',
  'Exp',
  'Log',
  'Sqrt',
  'Neg',
  'Erf',
  'LeakyRelu',
  'Elu',
  'Selu',
  'HardSigmoid',
  'HardSwish',
  'Softplus',
  'Softsign',
  'Gelu',
  'Mish',
  'Not',
  'Ceil',
  'Floor',
  'Round',
  'Reciprocal',
  'Sin',
  'Cos',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'GroupNormalization',
  'Sign',
  'IsNaN',
  'IsInf',
  'Celu',
  'ThresholdedRelu',
  'Shrink',
  'CumSum',
  'Trilu',
];
const BROADCAST = ['Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'And', 'Or', 'Xor', 'Mod', 'BitShift'];
const COMPARE = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual'];

/** Shape rules by ONNX op type (default domain). */
export const SHAPE_RULES: ReadonlyMap<string, OpHandler> = new Map<string, OpHandler>([
  ...UNARY.map((op): [string, OpHandler] => [op, same]),
  ['Identity', (ctx) => ({ shapes: [ctx.shape(0)], values: [ctx.value(0)] })],
  ['Dropout', (ctx) => ({ shapes: [ctx.shape(0), ctx.shape(0)], dtypes: [undefined, 'bool'] })],
  ...BROADCAST.map((op): [string, OpHandler] => [op, broadcast]),
  ...COMPARE.map((op): [string, OpHandler] => [op, compare]),
  ['Where', (ctx) => ({ ...broadcast(ctx)!, dtypes: [ctx.dtype(1)] })],
  ['Add', arithmetic((a, b) => a + b)],
  ['Sub', arithmetic((a, b) => a - b)],
  ['Mul', arithmetic((a, b) => a * b)],
  ['Div', arithmetic((a, b) => Math.trunc(a / b))],
  ['Conv', conv],
  ['ConvTranspose', convTranspose],
  ['MaxPool', pool],
  ['AveragePool', pool],
  ['LpPool', pool],
  ['GlobalAveragePool', globalPool],
  ['GlobalMaxPool', globalPool],
  ['GlobalLpPool', globalPool],
  ['Resize', resize],
  ['Upsample', resize],
  ['Concat', concat],
  ['Reshape', reshape],
  ['Flatten', flatten],
  ['Transpose', transpose],
  ['Gemm', gemm],
  ['MatMul', matmul],
  ['Slice', slice],
  ['Split', split],
  ['Pad', pad],
  ...[
    'ReduceMean',
    'ReduceSum',
    'ReduceMax',
    'ReduceMin',
    'ReduceProd',
    'ReduceL1',
    'ReduceL2',
    'ReduceLogSumExp',
    'ReduceSumSquare',
  ].map((op): [string, OpHandler] => [op, reduce]),
  ['ArgMax', argReduce],
  ['ArgMin', argReduce],
  ['Squeeze', squeeze],
  ['Unsqueeze', unsqueeze],
  ['Shape', shapeOp],
  ['Size', () => ({ shapes: [[]], dtypes: ['int64'] })],
  ['Gather', gather],
  ['Cast', cast],
  ['ConstantOfShape', constantOfShape],
  ['Expand', expand],
  ['Tile', tile],
  ['DepthToSpace', depthToSpace],
  ['SpaceToDepth', spaceToDepth],
]);
