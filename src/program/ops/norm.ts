/**
 * `batch_norm` at inference (spec §9.3: `y = (x − mean)/√(var + ε)·γ + β` per channel) as
 * ONNX `BatchNormalization`, and `group_norm`, which opset 17 lacks, decomposed exactly as
 * Paddle computes it: per (sample, group) mean `E[x]` and variance `E[x²] − E[x]²`, then
 * `(x − mean)/√(var + ε)`, then `·γ + β` per channel.
 */
import { attr, type PaddleOpDef } from '../op-def.js';

/** batch_norm (attributes as a real 1.6.3 file records them). */
export const batchNorm: PaddleOpDef = {
  type: 'batch_norm',
  inputs: ['Bias', 'Mean', 'MomentumTensor', 'Scale', 'Variance', 'X'],
  outputs: ['MeanOut', 'SavedMean', 'SavedVariance', 'VarianceOut', 'Y'],
  attrs: [
    attr.float('momentum', 0.9),
    attr.float('epsilon', 1e-5),
    attr.str('data_layout', 'NCHW'),
    attr.bool('use_global_stats', false),
    attr.bool('use_mkldnn', false),
    attr.bool('fuse_with_relu', false),
    attr.isTest(),
  ],
  infer(ctx) {
    const x = ctx.shape('X');
    const c = [x[1]!];
    return { Y: [x], MeanOut: [c], VarianceOut: [c], SavedMean: [c], SavedVariance: [c] };
  },
  lower(ctx) {
    const layout = ctx.attr<string>('data_layout');
    if (layout !== 'NCHW' && layout !== 'AnyLayout') throw ctx.unsupported(`data_layout "${layout}"`);
    ctx.node(
      'BatchNormalization',
      [ctx.input('X'), ctx.input('Scale'), ctx.input('Bias'), ctx.input('Mean'), ctx.input('Variance')],
      { epsilon: ctx.attr<number>('epsilon') },
      { label: 'batch_norm', floats: ['epsilon'], output: 'Y' },
    );
  },
};

/** group_norm, decomposed (see the module comment). */
export const groupNorm: PaddleOpDef = {
  type: 'group_norm',
  inputs: ['Bias', 'Scale', 'X'],
  outputs: ['Mean', 'Variance', 'Y'],
  attrs: [attr.float('epsilon', 1e-5), attr.int('groups', 1), attr.str('data_layout', 'NCHW')],
  infer(ctx) {
    const x = ctx.shape('X');
    const g = [x[0]!, ctx.attr<number>('groups')];
    return { Y: [x], Mean: [g], Variance: [g] };
  },
  lower(ctx) {
    const { b } = ctx;
    const x = ctx.input('X');
    const c = ctx.staticShape({ ...x, shape: [x.shape[1]!] })[0]!;
    const spatial = ctx.spatial(x);
    const groups = ctx.attr<number>('groups');
    if (c % groups !== 0) throw ctx.unsupported(`${c} channels in ${groups} groups`);
    const grouped = ctx.node(
      'Reshape',
      [x, b.int64s('group_shape', [0, groups, -1])],
      {},
      { label: 'reshape' },
    );
    const mean = ctx.node('ReduceMean', [grouped], { axes: [2], keepdims: 1 }, { label: 'mean' });
    const square = ctx.node('Mul', [grouped, grouped], {}, { label: 'square' });
    const meanSquare = ctx.node('ReduceMean', [square], { axes: [2], keepdims: 1 }, { label: 'mean_square' });
    const mean2 = ctx.node('Mul', [mean, mean], {}, { label: 'mean_2' });
    const variance = ctx.node('Sub', [meanSquare, mean2], {}, { label: 'variance' });
    const eps = b.scalar('epsilon', ctx.attr<number>('epsilon'));
    const std = ctx.node(
      'Sqrt',
      [ctx.node('Add', [variance, eps], {}, { label: 'add_eps' })],
      {},
      { label: 'std' },
    );
    const centred = ctx.node('Sub', [grouped, mean], {}, { label: 'centre' });
    const normed = ctx.node('Div', [centred, std], {}, { label: 'normalise' });
    const shape = b.int64s('shape', [0, c, ...spatial]);
    let y = ctx.node('Reshape', [normed, shape], {}, { label: 'reshape_back' });
    const perChannel = b.int64s(
      'channel_axes',
      spatial.map((_, i) => i + 1),
    );
    if (ctx.has('Scale')) {
      const gamma = ctx.node('Unsqueeze', [ctx.input('Scale'), perChannel], {}, { label: 'gamma' });
      y = ctx.node('Mul', [y, gamma], {}, { label: 'scale' });
    }
    if (ctx.has('Bias')) {
      const beta = ctx.node('Unsqueeze', [ctx.input('Bias'), perChannel], {}, { label: 'beta' });
      y = ctx.node('Add', [y, beta], {}, { label: 'bias' });
    }
    ctx.bind('Y', y);
  },
};
