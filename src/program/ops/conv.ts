/**
 * `conv2d`, `depthwise_conv2d` and `conv2d_transpose` (spec §9.6): cross-correlation on
 * NCHW with filters `[C_out, C_in/groups, kH, kW]` (transpose: `[C_in, C_out/groups, kH, kW]`),
 * lowered to ONNX `Conv` / `ConvTranspose`. A bias arrives as a separate
 * `elementwise_add(axis=1)` op (see elementwise.ts), which joins the `Conv` as its `B`.
 */
import { type AttrSpec, attr, type InferContext, type LowerContext, type PaddleOpDef } from '../op-def.js';
import { axisPads, onnxPads, windowOut } from './window.js';

/** The attributes Paddle 1.x records on conv2d / depthwise_conv2d (a real 1.6.3 file). */
function convAttrs(useCudnn: boolean): AttrSpec[] {
  return [
    attr.ints('strides', [1, 1]),
    attr.ints('paddings', [0, 0]),
    attr.str('padding_algorithm', 'EXPLICIT'),
    attr.int('groups', 1),
    attr.ints('dilations', [1, 1]),
    attr.bool('use_cudnn', useCudnn),
    attr.bool('fuse_relu_before_depthwise_conv', false),
    attr.bool('use_mkldnn', false),
    attr.bool('use_quantizer', false),
    attr.bool('fuse_relu', false),
    attr.bool('fuse_brelu', false),
    attr.float('fuse_brelu_threshold', 6),
    attr.str('fuse_activation', ''),
    attr.float('fuse_alpha', 0),
    attr.float('fuse_beta', 0),
    attr.bool('fuse_residual_connection', false),
    attr.float('Scale_in', 1),
    attr.float('Scale_out', 1),
    attr.float('Scale_in_eltwise', 1),
    attr.floats('Scale_weights', [1]),
    attr.bool('force_fp32_output', false),
    attr.str('data_format', 'NCHW'),
    attr.int('workspace_size_MB', 512),
    attr.bool('exhaustive_search', false),
    attr.isTest(),
  ];
}

function requireNchw(ctx: LowerContext): void {
  const f = ctx.attr<string>('data_format');
  if (f !== 'NCHW' && f !== 'AnyLayout') throw ctx.unsupported(`data_format "${f}" (only NCHW is lowered)`);
}

function window(ctx: InferContext | LowerContext, input: readonly number[], kernel: readonly number[]) {
  return axisPads({
    paddings: ctx.attr<number[]>('paddings'),
    algorithm: ctx.attr<string>('padding_algorithm'),
    input,
    kernel,
    strides: ctx.attr<number[]>('strides'),
    dilations: ctx.attr<number[]>('dilations'),
  });
}

function inferConv(ctx: InferContext) {
  const x = ctx.shape('Input');
  const w = ctx.shape('Filter');
  const s = ctx.attr<number[]>('strides');
  const d = ctx.attr<number[]>('dilations');
  const k = [w[2]!, w[3]!];
  const [ph, pw] = window(ctx, [x[2]!, x[3]!], k);
  return {
    Output: [
      [x[0]!, w[0]!, windowOut(x[2]!, k[0]!, s[0]!, ph, d[0]), windowOut(x[3]!, k[1]!, s[1]!, pw, d[1])],
    ],
  };
}

function lowerConv(ctx: LowerContext): void {
  requireNchw(ctx);
  const x = ctx.input('Input');
  const w = ctx.input('Filter');
  const [, , kh, kw] = ctx.staticShape(w);
  const spatial = ctx.spatial(x);
  const inputs = [x, w];
  if (ctx.has('Bias')) inputs.push(ctx.input('Bias'));
  if (ctx.has('ResidualData')) throw ctx.unsupported('a ResidualData input (a fused residual)');
  ctx.node(
    'Conv',
    inputs,
    {
      kernel_shape: [kh!, kw!],
      strides: ctx.attr<number[]>('strides'),
      pads: onnxPads(window(ctx, spatial, [kh!, kw!])),
      dilations: ctx.attr<number[]>('dilations'),
      group: ctx.attr<number>('groups'),
    },
    { label: ctx.op.type, output: 'Output' },
  );
}

const CONV_SLOTS = { inputs: ['Bias', 'Filter', 'Input', 'ResidualData'], outputs: ['Output'] };

/** conv2d. */
export const conv2d: PaddleOpDef = {
  type: 'conv2d',
  ...CONV_SLOTS,
  attrs: convAttrs(true),
  infer: inferConv,
  lower: lowerConv,
};

/** depthwise_conv2d: conv2d with groups = C_in, recorded when `use_cudnn` is off. */
export const depthwiseConv2d: PaddleOpDef = {
  type: 'depthwise_conv2d',
  ...CONV_SLOTS,
  attrs: convAttrs(false),
  infer: inferConv,
  lower: lowerConv,
};

/** conv2d_transpose: the gradient of conv2d, as ONNX `ConvTranspose`. */
export const conv2dTranspose: PaddleOpDef = {
  type: 'conv2d_transpose',
  inputs: ['Bias', 'Filter', 'Input'],
  outputs: ['Output'],
  attrs: [
    attr.ints('output_size', []),
    attr.int('groups', 1),
    attr.ints('dilations', [1, 1]),
    attr.ints('strides', [1, 1]),
    attr.ints('paddings', [0, 0]),
    attr.str('padding_algorithm', 'EXPLICIT'),
    attr.str('data_format', 'NCHW'),
    attr.bool('use_cudnn', true),
    attr.bool('use_mkldnn', false),
    attr.bool('force_fp32_output', false),
    attr.int('workspace_size_MB', 512),
    attr.bool('fuse_relu', false),
    attr.str('fuse_activation', ''),
    attr.float('fuse_alpha', 0),
    attr.float('fuse_beta', 0),
    attr.isTest(),
  ],
  infer(ctx) {
    const x = ctx.shape('Input');
    const w = ctx.shape('Filter');
    const s = ctx.attr<number[]>('strides');
    const d = ctx.attr<number[]>('dilations');
    const [ph, pw] = window(ctx, [x[2]!, x[3]!], [w[2]!, w[3]!]);
    const size = (n: number, k: number, a: number, p: readonly [number, number]) =>
      n < 0 ? -1 : (n - 1) * s[a]! - p[0] - p[1] + d[a]! * (k - 1) + 1;
    const groups = ctx.attr<number>('groups');
    return { Output: [[x[0]!, w[1]! * groups, size(x[2]!, w[2]!, 0, ph), size(x[3]!, w[3]!, 1, pw)]] };
  },
  lower(ctx) {
    requireNchw(ctx);
    if (ctx.attr<number[]>('output_size').length > 0) throw ctx.unsupported('an explicit output_size');
    const x = ctx.input('Input');
    const w = ctx.input('Filter');
    const [, , kh, kw] = ctx.staticShape(w);
    const pads = window(ctx, ctx.spatial(x), [kh!, kw!]);
    const inputs = [x, w];
    if (ctx.has('Bias')) inputs.push(ctx.input('Bias'));
    ctx.node(
      'ConvTranspose',
      inputs,
      {
        kernel_shape: [kh!, kw!],
        strides: ctx.attr<number[]>('strides'),
        pads: onnxPads(pads),
        dilations: ctx.attr<number[]>('dilations'),
        group: ctx.attr<number>('groups'),
      },
      { label: 'conv2d_transpose', output: 'Output' },
    );
  },
};
