/**
 * PaddleSeg's `model_libs.py` helpers (spec §4.1) on the program builder. The module-global
 * `name_scope` of the original is the builder's scope, so `conv()` inside
 * `p.scope('psp1', …)` names its weights `psp1/weights` and `bn()` its statistics
 * `psp1/BatchNorm/moving_mean`, exactly as the Paddle parameter files do.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';

/** The static `[H, W]` of an NCHW variable (`input.shape[2:]` in the Python). */
export function spatial(x: Var): [number, number] {
  return [x.shape[2]!, x.shape[3]!];
}

/** Options of {@link conv}. */
export interface ConvOptions {
  numFilters: number;
  filterSize: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  /** PaddleSeg's `bias_attr=True` → a `<scope>/biases` parameter. */
  bias?: boolean;
  /** `use_cudnn` (false with groups = channels records `depthwise_conv2d`). */
  useCudnn?: boolean;
}

/**
 * `model_libs.conv`: the weights are always named `<scope>/weights` (a caller's `param_attr`
 * is discarded, spec §4.1), the bias `<scope>/biases`.
 */
export function conv(p: ProgramBuilder, x: Var, o: ConvOptions): Var {
  return L.conv2d(p, x, {
    numFilters: o.numFilters,
    filterSize: o.filterSize,
    stride: o.stride ?? 1,
    padding: o.padding ?? 0,
    dilation: o.dilation ?? 1,
    groups: o.groups ?? 1,
    ...(o.useCudnn === undefined ? {} : { useCudnn: o.useCudnn }),
    paramName: p.scopedName('weights'),
    ...(o.bias ? { biasName: p.scopedName('biases') } : {}),
  });
}

/** Options of {@link bn}. */
export interface BnOptions {
  /** `act='relu'` appends a separate `relu` op, as fluid does (lost on the `gn` path, as in PaddleSeg). */
  act?: 'relu';
  /** `MODEL.DEFAULT_EPSILON` (1e-5). */
  epsilon: number;
  /** `MODEL.BN_MOMENTUM` (0.99). */
  momentum?: number;
  /** `MODEL.DEFAULT_NORM_TYPE`: `bn` or `gn`. */
  normType: string;
  /** `MODEL.DEFAULT_GROUP_NUMBER` (32), for `gn`. */
  groups?: number;
}

/**
 * `model_libs.group_norm`'s group search: when G does not divide C, try G ± d for d = 0…9
 * (G + d before G − d) and take the first that divides (728 → 28, 48 → 24).
 */
export function groupCount(channels: number, groups: number): number {
  let g = groups;
  if (channels % g !== 0) {
    for (let d = 0; d < 10; d++) {
      for (const t of [d, -d]) {
        if (g + t <= 0) continue;
        if (channels % (g + t) === 0) {
          g += t;
          break;
        }
      }
      if (channels % g === 0) break;
    }
  }
  if (channels % g !== 0) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEFAULT_GROUP_NUMBER ${groups}: no group count within ±9 of it divides ${channels} channels (PaddleSeg asserts C % G == 0); pick a group number near a divisor of ${channels}`,
    );
  }
  return g;
}

/**
 * `model_libs.bn` (spec §4.1): with `bn`, inside `scope('BatchNorm')`, parameters `gamma`,
 * `beta`, `moving_mean`, `moving_variance` prefixed with the scope path; with `gn`, inside
 * `scope('GroupNorm')`, `gamma` and `beta` of a `group_norm` named `<scope>group_norm` —
 * and, as in PaddleSeg, an `act` passed to it is dropped on that path.
 */
export function bn(p: ProgramBuilder, x: Var, o: BnOptions): Var {
  if (o.normType === 'gn') {
    return p.scope('GroupNorm', () =>
      L.groupNorm(p, x, {
        groups: groupCount(x.shape[1]!, o.groups ?? 32),
        // PaddleSeg's group_norm takes eps but never passes it on: fluid's default 1e-5.
        epsilon: 1e-5,
        scaleName: p.scopedName('gamma'),
        biasName: p.scopedName('beta'),
        name: p.scopedName('group_norm'),
      }),
    );
  }
  if (o.normType !== 'bn') {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEFAULT_NORM_TYPE "${o.normType}" is not a norm PaddleSeg knows ("Unsupport norm type"); use 'bn' or 'gn'`,
    );
  }
  return p.scope('BatchNorm', () =>
    L.batchNorm(p, x, {
      epsilon: o.epsilon,
      momentum: o.momentum ?? 0.99,
      scaleName: p.scopedName('gamma'),
      biasName: p.scopedName('beta'),
      meanName: p.scopedName('moving_mean'),
      varianceName: p.scopedName('moving_variance'),
      ...(o.act ? { act: o.act } : {}),
    }),
  );
}

/** `model_libs.bn_relu`: `bn` then a separate `relu` layer (kept on the `gn` path too). */
export function bnRelu(p: ProgramBuilder, x: Var, o: Omit<BnOptions, 'act'>): Var {
  return L.act(p, 'relu', bn(p, x, o));
}

/** `model_libs.max_pool(input, kernel, stride, padding)`. */
export function maxPool(p: ProgramBuilder, x: Var, kernel: number, stride: number, padding: number): Var {
  return L.pool2d(p, x, { poolSize: kernel, poolType: 'max', poolStride: stride, poolPadding: padding });
}

/** Options of {@link deconv}. */
export interface DeconvOptions {
  numFilters: number;
  filterSize: number;
  stride?: number;
  padding?: number;
  /** `bias_attr=True` → `<scope>/biases`. */
  bias?: boolean;
}

/** `model_libs.deconv`: conv2d_transpose with weights `<scope>/weights` (the caller's `param_attr` discarded). */
export function deconv(p: ProgramBuilder, x: Var, o: DeconvOptions): Var {
  return L.conv2dTranspose(p, x, {
    numFilters: o.numFilters,
    filterSize: o.filterSize,
    stride: o.stride ?? 1,
    padding: o.padding ?? 0,
    paramName: p.scopedName('weights'),
    ...(o.bias ? { biasName: p.scopedName('biases') } : {}),
  });
}

/**
 * `model_libs.separate_conv(input, channel, stride, filter, dilation, act)`: in scope
 * `depthwise`, a depthwise conv (groups = channels, `use_cudnn=False` → `depthwise_conv2d`,
 * padding `(filter//2)·dilation`) + `bn` (+ act); in scope `pointwise`, a 1×1 conv to
 * `channel` + `bn` (+ act).
 */
export function separateConv(
  p: ProgramBuilder,
  x: Var,
  o: { channel: number; stride: number; filter: number; dilation?: number; act?: boolean } & Omit<
    BnOptions,
    'act'
  >,
): Var {
  const d = o.dilation ?? 1;
  const norm = { epsilon: o.epsilon, momentum: o.momentum, normType: o.normType, groups: o.groups };
  const c = x.shape[1]!;
  const dw = p.scope('depthwise', () => {
    const y = bn(
      p,
      conv(p, x, {
        numFilters: c,
        filterSize: o.filter,
        stride: o.stride,
        groups: c,
        padding: Math.floor(o.filter / 2) * d,
        dilation: d,
        useCudnn: false,
      }),
      norm,
    );
    return o.act ? L.act(p, 'relu', y) : y;
  });
  return p.scope('pointwise', () => {
    const y = bn(p, conv(p, dw, { numFilters: o.channel, filterSize: 1 }), norm);
    return o.act ? L.act(p, 'relu', y) : y;
  });
}
