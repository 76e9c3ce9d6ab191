/**
 * PaddleSeg's `model_libs.py` helpers (spec §4.1) on the program builder. The module-global
 * `name_scope` of the original is the builder's scope, so `conv()` inside
 * `p.scope('psp1', …)` names its weights `psp1/weights` and `bn()` its statistics
 * `psp1/BatchNorm/moving_mean`, exactly as the Paddle parameter files do.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';

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
    paramName: p.scopedName('weights'),
    ...(o.bias ? { biasName: p.scopedName('biases') } : {}),
  });
}

/** Options of {@link bn}. */
export interface BnOptions {
  /** `act='relu'` appends a separate `relu` op, as fluid does. */
  act?: 'relu';
  /** `MODEL.DEFAULT_EPSILON` (1e-5). */
  epsilon: number;
  /** `MODEL.BN_MOMENTUM` (0.99). */
  momentum?: number;
  /** `MODEL.DEFAULT_NORM_TYPE`. */
  normType: string;
}

/**
 * `model_libs.bn` (spec §4.1): inside `scope('BatchNorm')`, parameters `gamma`, `beta`,
 * `moving_mean`, `moving_variance` prefixed with the scope path.
 */
export function bn(p: ProgramBuilder, x: Var, o: BnOptions): Var {
  if (o.normType !== 'bn') {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEFAULT_NORM_TYPE "${o.normType}" is not supported by this network's export; use 'bn'`,
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
