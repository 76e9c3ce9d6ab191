/**
 * The backbones' `conv_bn_layer`s, which name parameters after the layer rather than the
 * scope: a batch norm's are `<bn>_scale`, `<bn>_offset`, `<bn>_mean`, `<bn>_variance`.
 *
 * ResNet's (spec §4.2) has naming quirks: weights `<name>_weights`,
 * bias `<name>_biases` for the 'pspnet' stem, and batch-norm statistics named
 * `bn` + `name[3:]` (so `res2a_branch2a` → `bn2a_branch2a`, the stem's `conv1_1` → `bnv1_1`),
 * or `bn_conv1` for `conv1`. The conv layer is named `<name>.conv2d.output.1`, the batch norm
 * `<bn>.output.1`, as in the original, so Paddle's variable names follow. Backbone batch
 * norms use fluid's defaults ε = 1e-5, momentum 0.9.
 */
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';

/** A batch norm whose parameters are `<bn>_scale`, `<bn>_offset`, `<bn>_mean`, `<bn>_variance`. */
export function namedBatchNorm(
  p: ProgramBuilder,
  x: Var,
  bn: string,
  o: Omit<L.BatchNormOptions, 'scaleName' | 'biasName' | 'meanName' | 'varianceName'> = {},
): Var {
  return L.batchNorm(p, x, {
    ...o,
    scaleName: `${bn}_scale`,
    biasName: `${bn}_offset`,
    meanName: `${bn}_mean`,
    varianceName: `${bn}_variance`,
  });
}

/**
 * The `conv_bn_layer` of MobileNetV2/V3, HRNet/OCRNet and Fast-SCNN: conv `<name>_weights`
 * (no bias; padding `(k−1)/2` unless given) → batch norm `<name>_bn_*` with fluid's defaults
 * → the activation as a layer of its own (`fluid.layers.relu6(bn)`, not `act=` on the norm,
 * so Paddle names its output after the activation).
 */
export function suffixConvBn(
  p: ProgramBuilder,
  x: Var,
  o: {
    name: string;
    numFilters: number;
    filterSize: number;
    stride?: number;
    padding?: number;
    groups?: number;
    useCudnn?: boolean;
    act?: L.Act;
  },
): Var {
  const y = L.conv2d(p, x, {
    numFilters: o.numFilters,
    filterSize: o.filterSize,
    stride: o.stride ?? 1,
    padding: o.padding ?? Math.floor((o.filterSize - 1) / 2),
    groups: o.groups ?? 1,
    useCudnn: o.useCudnn ?? true,
    paramName: `${o.name}_weights`,
  });
  const z = namedBatchNorm(p, y, `${o.name}_bn`);
  return o.act ? L.act(p, o.act, z) : z;
}

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
  /**
   * resnet.py names the conv and batch-norm layers (`<name>.conv2d.output.1`,
   * `<bn>.output.1`); resnet_vd.py does not (false).
   */
  layerNames?: boolean;
}

/**
 * conv2d (padding `(k−1)/2` when not dilated, else 0: the caller pads explicitly) + bias
 * + batch_norm + optional relu.
 */
export function convBnLayer(p: ProgramBuilder, x: Var, o: ConvBnOptions): Var {
  const d = o.dilation ?? 1;
  const y = L.conv2d(p, x, {
    numFilters: o.numFilters,
    filterSize: o.filterSize,
    stride: o.stride ?? 1,
    padding: d === 1 ? Math.floor((o.filterSize - 1) / 2) : 0,
    dilation: d,
    paramName: `${o.name}_weights`,
    ...(o.bias ? { biasName: `${o.name}_biases` } : {}),
    ...(o.layerNames === false ? {} : { name: `${o.name}.conv2d.output.1` }),
  });
  const bn = resnetBnName(o.name);
  return namedBatchNorm(p, y, bn, {
    epsilon: FLUID_BN_EPSILON,
    ...(o.layerNames === false ? {} : { name: `${bn}.output.1` }),
    ...(o.act ? { act: o.act } : {}),
  });
}
