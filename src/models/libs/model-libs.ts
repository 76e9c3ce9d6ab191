/**
 * PaddleSeg's `model_libs.py` helpers (spec §4.1) on the graph builder. The module-global
 * `name_scope` of the original is the builder's scope path, so `conv()` inside
 * `b.scope('psp1', …)` names its weights `psp1/weights` and `bn()` its statistics
 * `psp1/BatchNorm/moving_mean`, exactly as the Paddle parameter files do.
 */

import { PdsegError } from '../../errors.js';
import type { GraphBuilder, Value } from '../../onnx/builder.js';

/** Options of {@link conv}. */
export interface ConvOptions {
  numFilters: number;
  filterSize: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  /** PaddleSeg's `bias_attr=True` → a `<scope>/biases` parameter. */
  bias?: boolean;
}

/**
 * `model_libs.conv`: the weights are always named `<scope>/weights` (a caller's `param_attr`
 * is discarded, spec §4.1), the bias `<scope>/biases`.
 */
export function conv(b: GraphBuilder, x: Value, o: ConvOptions): Value {
  const cin = x.shape[1];
  if (typeof cin !== 'number') throw new RangeError(`conv: channels of "${x.name}" must be static`);
  const k = o.filterSize;
  const w = b.param(b.scopedName('weights'), [o.numFilters, cin, k, k], 'weights');
  const bias = o.bias ? b.param(b.scopedName('biases'), [o.numFilters], 'zeros') : null;
  const p = o.padding ?? 0;
  const s = o.stride ?? 1;
  const d = o.dilation ?? 1;
  return b.conv(x, w, bias, { strides: [s, s], pads: [p, p, p, p], dilations: [d, d] });
}

/** Options of {@link bn}. */
export interface BnOptions {
  /** `'relu'` appends a `Relu` node (Paddle appends a separate `relu` op). */
  act?: 'relu';
  /** `MODEL.DEFAULT_EPSILON` (1e-5). */
  epsilon: number;
  /** `MODEL.DEFAULT_NORM_TYPE`; only `'bn'` is supported by the PSPNet export. */
  normType: string;
}

/**
 * `model_libs.bn` (spec §4.1): inside `scope('BatchNorm')`, parameters `gamma`, `beta`,
 * `moving_mean`, `moving_variance` prefixed with the scope path.
 */
export function bn(b: GraphBuilder, x: Value, o: BnOptions): Value {
  if (o.normType !== 'bn') {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEFAULT_NORM_TYPE "${o.normType}" is not supported by pdseg export; use 'bn'`,
    );
  }
  const c = x.shape[1] as number;
  const y = b.scope('BatchNorm', () => {
    const gamma = b.param(b.scopedName('gamma'), [c], 'ones');
    const beta = b.param(b.scopedName('beta'), [c], 'zeros');
    const mean = b.param(b.scopedName('moving_mean'), [c], 'zeros');
    const variance = b.param(b.scopedName('moving_variance'), [c], 'ones');
    return b.batchNorm(x, gamma, beta, mean, variance, o.epsilon);
  });
  return o.act === 'relu' ? b.relu(y) : y;
}
