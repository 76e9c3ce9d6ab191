/**
 * ResNet's `conv_bn_layer` (spec §4.2) with its naming quirks: weights `<name>_weights`,
 * bias `<name>_biases` for the 'pspnet' stem, and batch-norm statistics named
 * `bn` + `name[3:]` (so `res2a_branch2a` → `bn2a_branch2a`, the stem's `conv1_1` → `bnv1_1`),
 * or `bn_conv1` for `conv1`. Backbone batch norms use fluid's default ε = 1e-5.
 */
import type { GraphBuilder, Value } from '../../onnx/builder.js';

/** Paddle's batch-norm name for a ResNet conv name (spec §4.2). */
export function resnetBnName(name: string): string {
  return name === 'conv1' ? `bn_${name}` : `bn${name.slice(3)}`;
}

/** fluid.layers.batch_norm's default epsilon, used by the backbone (spec §9.3). */
export const FLUID_BN_EPSILON = 1e-5;

/** Options of {@link convBnLayer}. */
export interface ConvBnOptions {
  /** Paddle conv name (`res2a_branch2a`); parameter names derive from it. */
  name: string;
  numFilters: number;
  filterSize: number;
  stride?: number;
  dilation?: number;
  act?: 'relu';
  /** True for the 'pspnet' stem: the conv has a `<name>_biases` parameter. */
  bias: boolean;
}

/**
 * conv2d (padding `(k−1)/2` when not dilated, else 0: the caller pads explicitly) + bias
 * + batch_norm + optional relu.
 */
export function convBnLayer(b: GraphBuilder, x: Value, o: ConvBnOptions): Value {
  const cin = x.shape[1];
  if (typeof cin !== 'number') throw new RangeError(`conv_bn_layer: channels of "${x.name}" must be static`);
  const k = o.filterSize;
  const d = o.dilation ?? 1;
  const s = o.stride ?? 1;
  const pad = d === 1 ? Math.floor((k - 1) / 2) : 0;
  const w = b.param(`${o.name}_weights`, [o.numFilters, cin, k, k], 'weights');
  const bias = o.bias ? b.param(`${o.name}_biases`, [o.numFilters], 'zeros') : null;
  const y = b.conv(x, w, bias, { strides: [s, s], pads: [pad, pad, pad, pad], dilations: [d, d] });
  const bnName = resnetBnName(o.name);
  const c = o.numFilters;
  const scale = b.param(`${bnName}_scale`, [c], 'ones');
  const offset = b.param(`${bnName}_offset`, [c], 'zeros');
  const mean = b.param(`${bnName}_mean`, [c], 'zeros');
  const variance = b.param(`${bnName}_variance`, [c], 'ones');
  const z = b.batchNorm(y, scale, offset, mean, variance, FLUID_BN_EPSILON);
  return o.act === 'relu' ? b.relu(z) : z;
}
