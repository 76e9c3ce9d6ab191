/**
 * `matmul` (`alpha · X′ · Y′`, X′/Y′ optionally transposed in their last two axes, batch
 * axes broadcast), `mul` (the fc product: X flattened to 2-D at `x_num_col_dims`, Y at
 * `y_num_col_dims`, the result shaped `X[:x_num_col_dims] + Y[y_num_col_dims:]`), `softmax`
 * along `axis` (spec §9.6) and `reduce_mean` over `dim` (or all axes).
 */
import type { Value } from '../../onnx/builder.js';
import { attr, type LowerContext, type PaddleOpDef } from '../op-def.js';

function swapLast(ctx: LowerContext, v: Value, label: string): Value {
  const r = v.shape.length;
  if (r < 2) throw ctx.unsupported(`a transposed operand of rank ${r}`);
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  return ctx.node('Transpose', [v], { perm }, { label });
}

function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/** matmul. */
export const matmul: PaddleOpDef = {
  type: 'matmul',
  inputs: ['X', 'Y'],
  outputs: ['Out'],
  attrs: [attr.bool('transpose_X', false), attr.bool('transpose_Y', false), attr.float('alpha', 1)],
  infer(ctx) {
    let x = [...ctx.shape('X')];
    let y = [...ctx.shape('Y')];
    if (ctx.attr<boolean>('transpose_X')) x = [...x.slice(0, -2), x.at(-1)!, x.at(-2)!];
    if (ctx.attr<boolean>('transpose_Y')) y = [...y.slice(0, -2), y.at(-1)!, y.at(-2)!];
    return { Out: [[...broadcastBatch(x.slice(0, -2), y.slice(0, -2)), x.at(-2)!, y.at(-1)!]] };
  },
  lower(ctx) {
    let x = ctx.input('X');
    let y = ctx.input('Y');
    if (ctx.attr<boolean>('transpose_X')) x = swapLast(ctx, x, 'transpose_x');
    if (ctx.attr<boolean>('transpose_Y')) y = swapLast(ctx, y, 'transpose_y');
    const alpha = ctx.attr<number>('alpha');
    if (alpha === 1) {
      ctx.node('MatMul', [x, y], {}, { label: 'matmul', output: 'Out' });
      return;
    }
    const product = ctx.node('MatMul', [x, y], {}, { label: 'matmul' });
    ctx.node('Mul', [product, ctx.b.scalar('alpha', alpha)], {}, { label: 'alpha', output: 'Out' });
  },
};

/** mul. */
export const mul: PaddleOpDef = {
  type: 'mul',
  inputs: ['X', 'Y'],
  outputs: ['Out'],
  attrs: [
    attr.int('x_num_col_dims', 1),
    attr.int('y_num_col_dims', 1),
    attr.bool('use_mkldnn', false),
    attr.float('scale_x', 1),
    attr.floats('scale_y', [1]),
    attr.float('scale_out', 1),
    attr.bool('force_fp32_output', false),
  ],
  infer(ctx) {
    const x = ctx.shape('X');
    const y = ctx.shape('Y');
    return {
      Out: [
        [...x.slice(0, ctx.attr<number>('x_num_col_dims')), ...y.slice(ctx.attr<number>('y_num_col_dims'))],
      ],
    };
  },
  lower(ctx) {
    const x = ctx.input('X');
    const y = ctx.input('Y');
    const xk = ctx.attr<number>('x_num_col_dims');
    const yk = ctx.attr<number>('y_num_col_dims');
    const x2 =
      x.shape.length === 2 && xk === 1 ? x : ctx.node('Flatten', [x], { axis: xk }, { label: 'flatten_x' });
    const y2 =
      y.shape.length === 2 && yk === 1 ? y : ctx.node('Flatten', [y], { axis: yk }, { label: 'flatten_y' });
    const tail = ctx.staticShape({ ...y, shape: y.shape.slice(yk) });
    if (xk === 1 && tail.length === 1) {
      ctx.node('MatMul', [x2, y2], {}, { label: 'mul', output: 'Out' });
      return;
    }
    const product = ctx.node('MatMul', [x2, y2], {}, { label: 'mul' });
    const head = x.shape.slice(0, xk).map((d) => (typeof d === 'number' ? d : -1));
    if (head.filter((d) => d < 0).length > 1)
      throw ctx.unsupported('more than one unknown leading dimension');
    const shape = ctx.b.int64s('mul.shape', [...head, ...tail]);
    ctx.node('Reshape', [product, shape], {}, { label: 'mul.reshape', output: 'Out' });
  },
};

/** softmax. */
export const softmax: PaddleOpDef = {
  type: 'softmax',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [
    attr.int('axis', -1),
    attr.bool('use_cudnn', false),
    attr.bool('use_mkldnn', false),
    attr.str('data_format', 'AnyLayout'),
    attr.isTest(),
  ],
  infer: (ctx) => ({ Out: [ctx.shape('X')] }),
  lower(ctx) {
    ctx.node(
      'Softmax',
      [ctx.input('X')],
      { axis: ctx.attr<number>('axis') },
      { label: 'softmax', output: 'Out' },
    );
  },
};

/** reduce_mean. */
export const reduceMean: PaddleOpDef = {
  type: 'reduce_mean',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.ints('dim', [0]), attr.bool('keep_dim', false), attr.bool('reduce_all', false)],
  infer(ctx) {
    const x = ctx.shape('X');
    const all = ctx.attr<boolean>('reduce_all');
    const axes = new Set(
      all ? x.map((_, i) => i) : ctx.attr<number[]>('dim').map((a) => (a < 0 ? a + x.length : a)),
    );
    const keep = ctx.attr<boolean>('keep_dim');
    const out = x.flatMap((d, i) => (axes.has(i) ? (keep ? [1] : []) : [d]));
    return { Out: [out.length === 0 ? [1] : out] };
  },
  lower(ctx) {
    const x = ctx.input('X');
    const axes = ctx.attr<boolean>('reduce_all') ? x.shape.map((_, i) => i) : ctx.attr<number[]>('dim');
    ctx.node(
      'ReduceMean',
      [x],
      { axes, keepdims: ctx.attr<boolean>('keep_dim') ? 1 : 0 },
      { label: 'reduce_mean', output: 'Out' },
    );
  },
};
