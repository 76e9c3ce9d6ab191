/**
 * Activations: `relu`, `sigmoid` (Paddle's activation maker: `use_mkldnn`, `use_cudnn`,
 * `is_test`), `relu6` = `min(max(x, 0), threshold)`, `hard_sigmoid` =
 * `max(0, min(1, slope·x + offset))` (ONNX `HardSigmoid`), and `hard_swish` =
 * `x · min(max(x + offset, 0), threshold) / scale` in that order (ONNX `HardSwish` rounds
 * differently, so it is spelled out).
 */
import { attr, type InferContext, type PaddleOpDef } from '../op-def.js';

const sameShape = (ctx: InferContext) => ({ Out: [ctx.shape('X')] });
const ACTIVATION_MAKER = [attr.bool('use_mkldnn', false), attr.bool('use_cudnn', false), attr.isTest()];

function unary(type: string, onnx: string): PaddleOpDef {
  return {
    type,
    inputs: ['X'],
    outputs: ['Out'],
    attrs: ACTIVATION_MAKER,
    infer: sameShape,
    lower: (ctx) => {
      ctx.node(onnx, [ctx.input('X')], {}, { label: type, output: 'Out' });
    },
  };
}

/** relu. */
export const relu = unary('relu', 'Relu');
/** sigmoid. */
export const sigmoid = unary('sigmoid', 'Sigmoid');

/** relu6 (own maker: `threshold` only). */
export const relu6: PaddleOpDef = {
  type: 'relu6',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.float('threshold', 6)],
  infer: sameShape,
  lower(ctx) {
    const { b } = ctx;
    const lo = b.scalar('relu6.min', 0);
    const hi = b.scalar('relu6.max', ctx.attr<number>('threshold'));
    ctx.node('Clip', [ctx.input('X'), lo, hi], {}, { label: 'relu6', output: 'Out' });
  },
};

/** hard_sigmoid. */
export const hardSigmoid: PaddleOpDef = {
  type: 'hard_sigmoid',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.float('slope', 0.2), attr.float('offset', 0.5)],
  infer: sameShape,
  lower(ctx) {
    ctx.node(
      'HardSigmoid',
      [ctx.input('X')],
      { alpha: ctx.attr<number>('slope'), beta: ctx.attr<number>('offset') },
      { label: 'hard_sigmoid', floats: ['alpha', 'beta'], output: 'Out' },
    );
  },
};

/** hard_swish. */
export const hardSwish: PaddleOpDef = {
  type: 'hard_swish',
  inputs: ['X'],
  outputs: ['Out'],
  attrs: [attr.float('threshold', 6), attr.float('scale', 6), attr.float('offset', 3)],
  infer: sameShape,
  lower(ctx) {
    const { b } = ctx;
    const x = ctx.input('X');
    const shifted = ctx.node(
      'Add',
      [x, b.scalar('offset', ctx.attr<number>('offset'))],
      {},
      { label: 'add_offset' },
    );
    const clipped = ctx.node(
      'Clip',
      [shifted, b.scalar('zero', 0), b.scalar('threshold', ctx.attr<number>('threshold'))],
      {},
      { label: 'clip' },
    );
    const gated = ctx.node('Mul', [x, clipped], {}, { label: 'mul' });
    ctx.node(
      'Div',
      [gated, b.scalar('scale', ctx.attr<number>('scale'))],
      {},
      { label: 'hard_swish', output: 'Out' },
    );
  },
};
