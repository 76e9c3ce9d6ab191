/**
 * A `fluid.layers`-like API over {@link ProgramBuilder}: each function records exactly the
 * ops, variables and names Paddle 1.8's layer of the same name records — `conv2d` with a
 * bias is `conv2d` + `elementwise_add(axis=1)`, an `act` is one more op, layer-helper names
 * (`conv2d_0`, or the caller's `name`) give outputs `<helper>.tmp_<k>` in creation order.
 * Parameters are named by the caller (PaddleSeg always names them).
 */
import type { PaddleDType } from '../paddle/dtype.js';
import type { ParamInit } from './program.js';
import type { AttrInput, ProgramBuilder, Var } from './program-builder.js';

/** Activations a layer's `act` may append. */
export type Act = 'relu' | 'relu6' | 'sigmoid' | 'hard_swish' | 'hard_sigmoid';

function helperName(p: ProgramBuilder, type: string, name: string | undefined): string {
  return name ?? p.uniqueName(type);
}

function one(
  p: ProgramBuilder,
  type: string,
  inputs: Record<string, Var[]>,
  out: string,
  attrs: Record<string, AttrInput> = {},
): Var {
  return p.appendOp(type, inputs, { Out: [out] }, attrs).Out![0]!;
}

/** `LayerHelper.append_activation`: one more op writing `<helper>.tmp_<k>`. */
function activation(p: ProgramBuilder, x: Var, act: Act | undefined, helper: string): Var {
  return act ? one(p, act, { X: [x] }, p.tmpName(helper)) : x;
}

/** Options of {@link conv2d} (fluid.layers.conv2d). */
export interface Conv2dOptions {
  numFilters: number;
  filterSize: number | [number, number];
  stride?: number;
  /** A size, `[h, w]`, `[top, bottom, left, right]`, or `'SAME'` / `'VALID'`. */
  padding?: number | readonly number[] | 'SAME' | 'VALID';
  dilation?: number;
  groups?: number;
  /** `param_attr` name of the filter. */
  paramName: string;
  /** `bias_attr` name; omitted = `bias_attr=False`. */
  biasName?: string;
  act?: Act;
  /** `use_cudnn` (default true; off with groups = channels gives `depthwise_conv2d`). */
  useCudnn?: boolean;
  name?: string;
  init?: ParamInit;
}

function paddingAttrs(padding: Conv2dOptions['padding']): { paddings: number[]; padding_algorithm: string } {
  if (padding === 'SAME' || padding === 'VALID') return { paddings: [0, 0], padding_algorithm: padding };
  if (padding === undefined) return { paddings: [0, 0], padding_algorithm: 'EXPLICIT' };
  if (typeof padding === 'number') return { paddings: [padding, padding], padding_algorithm: 'EXPLICIT' };
  if (padding.length === 4 && padding[0] === padding[1] && padding[2] === padding[3]) {
    return { paddings: [padding[0]!, padding[2]!], padding_algorithm: 'EXPLICIT' };
  }
  return { paddings: [...padding], padding_algorithm: 'EXPLICIT' };
}

/** fluid.layers.conv2d. */
export function conv2d(p: ProgramBuilder, input: Var, o: Conv2dOptions): Var {
  const cin = input.shape[1]!;
  const groups = o.groups ?? 1;
  const useCudnn = o.useCudnn ?? true;
  const type = cin === groups && o.numFilters % cin === 0 && !useCudnn ? 'depthwise_conv2d' : 'conv2d';
  const helper = helperName(p, type, o.name);
  const [kh, kw] = typeof o.filterSize === 'number' ? [o.filterSize, o.filterSize] : o.filterSize;
  const filter = p.param(o.paramName, [o.numFilters, cin / groups, kh, kw], o.init ?? 'weights');
  const d = o.dilation ?? 1;
  const s = o.stride ?? 1;
  const preBias = p.appendOp(
    type,
    { Input: [input], Filter: [filter] },
    { Output: [p.tmpName(helper)] },
    { strides: [s, s], dilations: [d, d], groups, use_cudnn: useCudnn, ...paddingAttrs(o.padding) },
  ).Output![0]!;
  let out = preBias;
  if (o.biasName) {
    const bias = p.param(o.biasName, [o.numFilters], 'zeros');
    out = one(p, 'elementwise_add', { X: [preBias], Y: [bias] }, p.tmpName(helper), { axis: 1 });
  }
  return activation(p, out, o.act, helper);
}

/** Options of {@link conv2dTranspose} (fluid.layers.conv2d_transpose). */
export interface Conv2dTransposeOptions {
  numFilters: number;
  filterSize: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  paramName: string;
  biasName?: string;
  act?: Act;
  name?: string;
}

/** fluid.layers.conv2d_transpose (groups 1). */
export function conv2dTranspose(p: ProgramBuilder, input: Var, o: Conv2dTransposeOptions): Var {
  const helper = helperName(p, 'conv2d_transpose', o.name);
  const k = o.filterSize;
  const filter = p.param(o.paramName, [input.shape[1]!, o.numFilters, k, k], 'weights');
  const s = o.stride ?? 1;
  const d = o.dilation ?? 1;
  const pd = o.padding ?? 0;
  const pre = p.appendOp(
    'conv2d_transpose',
    { Input: [input], Filter: [filter] },
    { Output: [p.tmpName(helper)] },
    { strides: [s, s], dilations: [d, d], paddings: [pd, pd] },
  ).Output![0]!;
  let out = pre;
  if (o.biasName) {
    const bias = p.param(o.biasName, [o.numFilters], 'zeros');
    out = one(p, 'elementwise_add', { X: [pre], Y: [bias] }, p.tmpName(helper), { axis: 1 });
  }
  return activation(p, out, o.act, helper);
}

/** Options of {@link batchNorm} (fluid.layers.batch_norm). */
export interface BatchNormOptions {
  epsilon?: number;
  momentum?: number;
  /** `param_attr` (γ), `bias_attr` (β), `moving_mean_name`, `moving_variance_name`. */
  scaleName: string;
  biasName: string;
  meanName: string;
  varianceName: string;
  act?: Act;
  name?: string;
}

/** fluid.layers.batch_norm at inference (`is_test` set by `clone(for_test=True)`). */
export function batchNorm(p: ProgramBuilder, input: Var, o: BatchNormOptions): Var {
  const helper = helperName(p, 'batch_norm', o.name);
  const c = input.shape[1]!;
  const scale = p.param(o.scaleName, [c], 'ones');
  const bias = p.param(o.biasName, [c], 'zeros');
  const mean = p.param(o.meanName, [c], 'zeros');
  const variance = p.param(o.varianceName, [c], 'ones');
  const savedMean = p.tmpName(helper);
  const savedVariance = p.tmpName(helper);
  const y = p.appendOp(
    'batch_norm',
    { X: [input], Scale: [scale], Bias: [bias], Mean: [mean], Variance: [variance] },
    {
      Y: [p.tmpName(helper)],
      MeanOut: [mean.name],
      VarianceOut: [variance.name],
      SavedMean: [savedMean],
      SavedVariance: [savedVariance],
    },
    { epsilon: o.epsilon ?? 1e-5, momentum: o.momentum ?? 0.9 },
  ).Y![0]!;
  return activation(p, y, o.act, helper);
}

/** Options of {@link groupNorm} (fluid.layers.group_norm). */
export interface GroupNormOptions {
  groups: number;
  epsilon?: number;
  scaleName: string;
  biasName: string;
  act?: Act;
  name?: string;
}

/** fluid.layers.group_norm. */
export function groupNorm(p: ProgramBuilder, input: Var, o: GroupNormOptions): Var {
  const helper = helperName(p, 'group_norm', o.name);
  const c = input.shape[1]!;
  const scale = p.param(o.scaleName, [c], 'ones');
  const bias = p.param(o.biasName, [c], 'zeros');
  const mean = p.tmpName(helper);
  const variance = p.tmpName(helper);
  const y = p.appendOp(
    'group_norm',
    { X: [input], Scale: [scale], Bias: [bias] },
    { Y: [p.tmpName(helper)], Mean: [mean], Variance: [variance] },
    { groups: o.groups, epsilon: o.epsilon ?? 1e-5 },
  ).Y![0]!;
  return activation(p, y, o.act, helper);
}

/** Options of {@link pool2d} (fluid.layers.pool2d). */
export interface Pool2dOptions {
  /** One size for both axes, or `[h, w]`. */
  poolSize?: number | readonly [number, number];
  poolType: 'max' | 'avg';
  /** One stride for both axes, or `[h, w]`. */
  poolStride?: number | readonly [number, number];
  poolPadding?: number | readonly number[] | 'SAME' | 'VALID';
  globalPooling?: boolean;
  ceilMode?: boolean;
  exclusive?: boolean;
  name?: string;
}

/** fluid.layers.pool2d. */
export function pool2d(p: ProgramBuilder, input: Var, o: Pool2dOptions): Var {
  const helper = helperName(p, 'pool2d', o.name);
  const pair = (v: number | readonly [number, number]) => (typeof v === 'number' ? [v, v] : [...v]);
  return one(p, 'pool2d', { X: [input] }, p.tmpName(helper), {
    pooling_type: o.poolType,
    ksize: pair(o.poolSize ?? -1),
    global_pooling: o.globalPooling ?? false,
    strides: pair(o.poolStride ?? 1),
    ceil_mode: o.ceilMode ?? false,
    exclusive: o.exclusive ?? true,
    ...paddingAttrs(o.poolPadding),
  });
}

/** fluid.layers.adaptive_pool2d (op `pool2d`, `adaptive`). */
export function adaptivePool2d(
  p: ProgramBuilder,
  input: Var,
  o: { poolSize: [number, number]; poolType: 'max' | 'avg'; name?: string },
): Var {
  const helper = helperName(p, 'pool2d', o.name);
  return one(p, 'pool2d', { X: [input] }, p.tmpName(helper), {
    pooling_type: o.poolType,
    ksize: o.poolSize,
    adaptive: true,
  });
}

/** fluid.layers.resize_bilinear with a static `out_shape` (defaults align_corners, align_mode 1). */
export function resizeBilinear(
  p: ProgramBuilder,
  input: Var,
  o: { outShape: readonly [number, number]; alignCorners?: boolean; alignMode?: 0 | 1; name?: string },
): Var {
  const helper = helperName(p, 'bilinear_interp', o.name);
  return one(p, 'bilinear_interp', { X: [input] }, p.tmpName(helper), {
    out_d: -1,
    out_h: o.outShape[0],
    out_w: o.outShape[1],
    interp_method: 'bilinear',
    align_corners: o.alignCorners ?? true,
    align_mode: o.alignMode ?? 1,
  });
}

/** fluid.layers.dropout (`downgrade_in_infer` unless told). */
export function dropout(
  p: ProgramBuilder,
  x: Var,
  o: { dropoutProb: number; implementation?: 'downgrade_in_infer' | 'upscale_in_train'; name?: string },
): Var {
  const helper = helperName(p, 'dropout', o.name);
  const out = p.tmpName(helper);
  const mask = p.tmpName(helper);
  return p.appendOp(
    'dropout',
    { X: [x] },
    { Out: [out], Mask: [mask] },
    { dropout_prob: o.dropoutProb, dropout_implementation: o.implementation ?? 'downgrade_in_infer' },
    { Mask: 'uint8' },
  ).Out![0]!;
}

/** A plain activation layer (fluid.layers.relu, relu6, sigmoid, hard_swish, hard_sigmoid). */
export function act(
  p: ProgramBuilder,
  type: Act,
  x: Var,
  attrs: Record<string, AttrInput> = {},
  name?: string,
): Var {
  return one(p, type, { X: [x] }, p.tmpName(helperName(p, type, name)), attrs);
}

function elementwise(type: string) {
  return (p: ProgramBuilder, x: Var, y: Var, o: { axis?: number; act?: Act; name?: string } = {}): Var => {
    // `_elementwise_op` writes the variable its helper is named after, without `.tmp`.
    const helper = helperName(p, type, o.name);
    const out = one(p, type, { X: [x], Y: [y] }, helper, { axis: o.axis ?? -1 });
    return activation(p, out, o.act, helper);
  };
}

/** fluid.layers.elementwise_add. */
export const elementwiseAdd = elementwise('elementwise_add');
/** fluid.layers.elementwise_mul. */
export const elementwiseMul = elementwise('elementwise_mul');

/** fluid.layers.scale (`scale·x + bias`, or `scale·(x + bias)`). */
export function scale(
  p: ProgramBuilder,
  x: Var,
  o: { scale?: number; bias?: number; biasAfterScale?: boolean; name?: string },
): Var {
  return one(p, 'scale', { X: [x] }, p.tmpName(helperName(p, 'scale', o.name)), {
    scale: o.scale ?? 1,
    bias: o.bias ?? 0,
    bias_after_scale: o.biasAfterScale ?? true,
  });
}

/** fluid.layers.concat. */
export function concat(p: ProgramBuilder, xs: readonly Var[], axis: number, name?: string): Var {
  return one(p, 'concat', { X: [...xs] }, p.tmpName(helperName(p, 'concat', name)), { axis });
}

function withXShape(
  p: ProgramBuilder,
  type: string,
  helper: string,
  x: Var,
  attrs: Record<string, AttrInput>,
): Var {
  const out = p.tmpName(helper);
  const xshape = p.tmpName(helper);
  return p.appendOp(type, { X: [x] }, { Out: [out], XShape: [xshape] }, attrs).Out![0]!;
}

/** fluid.layers.transpose (op `transpose2`). */
export function transpose(p: ProgramBuilder, x: Var, perm: readonly number[], name?: string): Var {
  return withXShape(p, 'transpose2', helperName(p, 'transpose', name), x, { axis: perm });
}

/** fluid.layers.reshape with a static shape (op `reshape2`). */
export function reshape(p: ProgramBuilder, x: Var, shape: readonly number[], name?: string): Var {
  return withXShape(p, 'reshape2', helperName(p, 'reshape2', name), x, { shape });
}

/** fluid.layers.unsqueeze (op `unsqueeze2`). */
export function unsqueeze(p: ProgramBuilder, x: Var, axes: readonly number[], name?: string): Var {
  return withXShape(p, 'unsqueeze2', helperName(p, 'unsqueeze2', name), x, { axes });
}

/** fluid.layers.softmax. */
export function softmax(
  p: ProgramBuilder,
  x: Var,
  o: { axis?: number; useCudnn?: boolean; name?: string } = {},
): Var {
  return one(p, 'softmax', { X: [x] }, p.tmpName(helperName(p, 'softmax', o.name)), {
    axis: o.axis ?? -1,
    use_cudnn: o.useCudnn ?? false,
  });
}

/** fluid.layers.pad (`paddings` before/after per dimension). */
export function pad(
  p: ProgramBuilder,
  x: Var,
  paddings: readonly number[],
  padValue = 0,
  name?: string,
): Var {
  return one(p, 'pad', { X: [x] }, p.tmpName(helperName(p, 'pad', name)), { paddings, pad_value: padValue });
}

/** fluid.layers.matmul. */
export function matmul(
  p: ProgramBuilder,
  x: Var,
  y: Var,
  o: { transposeX?: boolean; transposeY?: boolean; alpha?: number; name?: string } = {},
): Var {
  return one(p, 'matmul', { X: [x], Y: [y] }, p.tmpName(helperName(p, 'matmul', o.name)), {
    transpose_X: o.transposeX ?? false,
    transpose_Y: o.transposeY ?? false,
    alpha: o.alpha ?? 1,
  });
}

/** fluid.layers.reduce_mean (`dim` omitted = every axis). */
export function reduceMean(
  p: ProgramBuilder,
  x: Var,
  o: { dim?: readonly number[]; keepDim?: boolean; name?: string } = {},
): Var {
  return one(p, 'reduce_mean', { X: [x] }, p.tmpName(helperName(p, 'reduce_mean', o.name)), {
    dim: o.dim ?? [0],
    keep_dim: o.keepDim ?? false,
    reduce_all: o.dim === undefined,
  });
}

/** `fluid.data`. */
export function data(
  p: ProgramBuilder,
  name: string,
  shape: readonly number[],
  dtype: PaddleDType = 'float32',
): Var {
  return p.data(name, shape, dtype);
}

function variableOp(type: 'elementwise_add' | 'elementwise_mul') {
  return (p: ProgramBuilder, x: Var, y: Var): Var =>
    one(p, type, { X: [x], Y: [y] }, p.uniqueName('tmp'), { axis: y.shape[0] === -1 ? 0 : -1 });
}

/**
 * `x + y` on two Variables (fluid's `math_op_patch`): `elementwise_add` writing `tmp_<k>`,
 * with `axis=0` when `y`'s first dimension is `-1` (the batch), else `-1`.
 */
export const plus = variableOp('elementwise_add');

/** `x * y` on two Variables (fluid's `math_op_patch`): `elementwise_mul`, as {@link plus}. */
export const times = variableOp('elementwise_mul');

/**
 * Python scalar arithmetic on a Variable (fluid's `math_op_patch`: `x + a`, `x * a`,
 * `a * x`, `a − x`): one `scale` op `scale·x + bias` writing `tmp_<k>`.
 */
export function scalarAffine(p: ProgramBuilder, x: Var, o: { scale?: number; bias?: number }): Var {
  return one(p, 'scale', { X: [x] }, p.uniqueName('tmp'), {
    scale: o.scale ?? 1,
    bias: o.bias ?? 0,
    bias_after_scale: true,
  });
}

/** `a − x` with a Python scalar `a` (fluid's `__rsub__`): `scale(−1, bias a)`. */
export function scalarMinus(p: ProgramBuilder, a: number, x: Var): Var {
  return scalarAffine(p, x, { scale: -1, bias: a });
}
