/**
 * Shape and value plumbing: `concat`, `reshape2`, `transpose2`, `unsqueeze2` (the `*2` ops
 * carry an `XShape` output only training reads), `pad` (spec §9.5: `[before₀, after₀, …]`
 * per dimension), `scale` (`scale·x + bias`, or `scale·(x + bias)` without
 * `bias_after_scale`; `save_inference_model`'s `scale` 1.0 is an `Identity`) and `dropout`
 * at inference (spec §9.4: `downgrade_in_infer` multiplies by float32 `1 − p`;
 * `upscale_in_train` is the identity).
 */
import { attr, type PaddleOpDef } from '../op-def.js';

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** concat. */
export const concat: PaddleOpDef = {
  type: 'concat',
  inputs: ['AxisTensor', 'X'],
  outputs: ['Out'],
  attrs: [attr.int('axis', 0), attr.bool('use_mkldnn', false), attr.bool('use_quantizer', false)],
  infer(ctx) {
    const first = ctx.shape('X', 0);
    const axis = normalizeAxis(ctx.attr<number>('axis'), first.length);
    const out = [...first];
    for (let i = 1; i < ctx.count('X'); i++) {
      const d = ctx.shape('X', i)[axis]!;
      out[axis] = out[axis]! < 0 || d < 0 ? -1 : out[axis]! + d;
    }
    return { Out: [out] };
  },
  lower(ctx) {
    if (ctx.has('AxisTensor')) throw ctx.unsupported('an axis computed at run time (AxisTensor)');
    const xs = ctx.inputs('X');
    const axis = normalizeAxis(ctx.attr<number>('axis'), xs[0]!.shape.length);
    if (xs.length === 1) {
      ctx.node('Identity', xs, {}, { label: 'concat', output: 'Out' });
      return;
    }
    ctx.node('Concat', xs, { axis }, { label: 'concat', output: 'Out' });
  },
};

/** The shape Paddle's reshape gives (`0` copies the input dim, one `-1` is inferred). */
export function reshapeTo(input: readonly number[], target: readonly number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? input[i]! : d));
  const free = out.indexOf(-1);
  if (free >= 0 && input.every((d) => d >= 0)) {
    const total = input.reduce((a, b) => a * b, 1);
    const known = out.reduce((a, b, i) => (i === free ? a : a * b), 1);
    out[free] = total / known;
  }
  return out;
}

/** reshape2. */
export const reshape2: PaddleOpDef = {
  type: 'reshape2',
  inputs: ['Shape', 'ShapeTensor', 'X'],
  outputs: ['Out', 'XShape'],
  attrs: [attr.ints('shape', [])],
  infer(ctx) {
    const x = ctx.shape('X');
    return { Out: [reshapeTo(x, ctx.attr<number[]>('shape'))], XShape: [[0, ...x]] };
  },
  lower(ctx) {
    if (ctx.has('Shape') || ctx.has('ShapeTensor')) throw ctx.unsupported('a shape computed at run time');
    const shape = ctx.b.int64s('shape', ctx.attr<number[]>('shape'));
    ctx.node('Reshape', [ctx.input('X'), shape], {}, { label: 'reshape2', output: 'Out' });
  },
};

/** transpose2. */
export const transpose2: PaddleOpDef = {
  type: 'transpose2',
  inputs: ['X'],
  outputs: ['Out', 'XShape'],
  attrs: [
    attr.ints('axis', []),
    attr.bool('use_mkldnn', false),
    attr.str('data_format', 'AnyLayout'),
    attr.bool('use_quantizer', false),
  ],
  infer(ctx) {
    const x = ctx.shape('X');
    return { Out: [ctx.attr<number[]>('axis').map((a) => x[a]!)], XShape: [[0, ...x]] };
  },
  lower(ctx) {
    ctx.node(
      'Transpose',
      [ctx.input('X')],
      { perm: ctx.attr<number[]>('axis') },
      { label: 'transpose2', output: 'Out' },
    );
  },
};

/** Output positions of the unit axes Paddle's unsqueeze inserts, one axis at a time. */
export function unsqueezePositions(rank: number, axes: readonly number[]): number[] {
  const marks: boolean[] = new Array(rank).fill(false);
  for (const a of axes) marks.splice(a < 0 ? a + marks.length + 1 : a, 0, true);
  return marks.flatMap((m, i) => (m ? [i] : []));
}

/** unsqueeze2. */
export const unsqueeze2: PaddleOpDef = {
  type: 'unsqueeze2',
  inputs: ['AxesTensor', 'AxesTensorList', 'X'],
  outputs: ['Out', 'XShape'],
  attrs: [attr.ints('axes', [])],
  infer(ctx) {
    const x = ctx.shape('X');
    const at = new Set(unsqueezePositions(x.length, ctx.attr<number[]>('axes')));
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < x.length + at.size; i++) out.push(at.has(i) ? 1 : x[k++]!);
    return { Out: [out], XShape: [[0, ...x]] };
  },
  lower(ctx) {
    if (ctx.has('AxesTensor') || ctx.has('AxesTensorList'))
      throw ctx.unsupported('axes computed at run time');
    const x = ctx.input('X');
    const axes = ctx.b.int64s('axes', unsqueezePositions(x.shape.length, ctx.attr<number[]>('axes')));
    ctx.node('Unsqueeze', [x, axes], {}, { label: 'unsqueeze2', output: 'Out' });
  },
};

/** pad. */
export const pad: PaddleOpDef = {
  type: 'pad',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.ints('paddings', []), attr.float('pad_value', 0)],
  infer(ctx) {
    const p = ctx.attr<number[]>('paddings');
    return { Out: [ctx.shape('X').map((d, i) => (d < 0 ? -1 : d + p[2 * i]! + p[2 * i + 1]!))] };
  },
  lower(ctx) {
    const x = ctx.input('X');
    const p = ctx.attr<number[]>('paddings');
    const rank = x.shape.length;
    if (p.length !== 2 * rank) throw ctx.unsupported(`${p.length} paddings for rank ${rank}`);
    const onnx = [
      ...Array.from({ length: rank }, (_, i) => p[2 * i]!),
      ...Array.from({ length: rank }, (_, i) => p[2 * i + 1]!),
    ];
    const pads = ctx.b.int64s('pad.pads', onnx);
    const value = ctx.b.scalar('pad.value', ctx.attr<number>('pad_value'));
    ctx.node('Pad', [x, pads, value], { mode: 'constant' }, { label: 'pad', output: 'Out' });
  },
};

/** scale. */
export const scale: PaddleOpDef = {
  type: 'scale',
  inputs: ['ScaleTensor', 'X'],
  outputs: ['Out'],
  attrs: [attr.float('scale', 1), attr.float('bias', 0), attr.bool('bias_after_scale', true)],
  infer: (ctx) => ({ Out: [ctx.shape('X')] }),
  lower(ctx) {
    if (ctx.has('ScaleTensor')) throw ctx.unsupported('a scale computed at run time (ScaleTensor)');
    const { b } = ctx;
    const x = ctx.input('X');
    const s = ctx.attr<number>('scale');
    const bias = ctx.attr<number>('bias');
    if (s === 1 && bias === 0) {
      ctx.node('Identity', [x], {}, { label: 'scale', output: 'Out' });
      return;
    }
    const times = (v: typeof x) =>
      s === 1 ? v : ctx.node('Mul', [v, b.scalar('scale', s)], {}, { label: 'scale' });
    const plus = (v: typeof x) =>
      bias === 0 ? v : ctx.node('Add', [v, b.scalar('bias', bias)], {}, { label: 'bias' });
    ctx.bind('Out', ctx.attr<boolean>('bias_after_scale') ? plus(times(x)) : times(plus(x)));
  },
};

/** dropout. */
export const dropout: PaddleOpDef = {
  type: 'dropout',
  inputs: ['Seed', 'X'],
  outputs: ['Mask', 'Out'],
  attrs: [
    attr.float('dropout_prob', 0.5),
    attr.isTest(),
    attr.bool('fix_seed', false),
    attr.int('seed', 0),
    attr.str('dropout_implementation', 'downgrade_in_infer'),
  ],
  infer: (ctx) => ({ Out: [ctx.shape('X')], Mask: [ctx.shape('X')] }),
  lower(ctx) {
    const x = ctx.input('X');
    const how = ctx.attr<string>('dropout_implementation');
    if (how === 'upscale_in_train') {
      ctx.node('Identity', [x], {}, { label: 'dropout', output: 'Out' });
      return;
    }
    if (how !== 'downgrade_in_infer') throw ctx.unsupported(`dropout_implementation "${how}"`);
    // The attribute is a float32 and the kernel computes (T)(1.0f − p) in float32 (spec §5.7).
    const keep = Math.fround(1 - Math.fround(ctx.attr<number>('dropout_prob')));
    ctx.node('Mul', [x, ctx.b.scalar('dropout.factor', keep)], {}, { label: 'dropout', output: 'Out' });
  },
};
