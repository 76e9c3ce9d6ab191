/**
 * PSPNet of PaddleSeg's `pspnet.py` (spec §4.3): ResNet with dilation {2: 2, 3: 4} →
 * PSP module (adaptive pools 1/2/3/6, each conv 1×1 + BN + relu + bilinear back) →
 * concat `[input, psp6, psp3, psp2, psp1]` → `psp_end` conv 3×3 + BN + relu → dropout,
 * which at inference multiplies by float32 0.9 (spec §9.4, §5.7) → `logit` conv 1×1 →
 * bilinear resize (align_corners) to the input size.
 */
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { resnet } from '../backbone/resnet.js';
import { bn, conv, spatial } from '../libs/model-libs.js';

/** Options of {@link pspnet}. */
export interface PspnetOptions {
  numClasses: number;
  /** MODEL.PSPNET.LAYERS. */
  layers: number;
  /** MODEL.PSPNET.DEPTH_MULTIPLIER. */
  depthMultiplier: number;
  /** MODEL.DEFAULT_EPSILON for the head's batch norms. */
  epsilon: number;
  /** MODEL.BN_MOMENTUM for the head's batch norms. */
  momentum?: number;
  /** MODEL.DEFAULT_NORM_TYPE. */
  normType: string;
}

/** `psp_module(input, out_features)`. */
export function pspModule(p: ProgramBuilder, input: Var, outFeatures: number, o: PspnetOptions): Var {
  const size = spatial(input);
  const norm = { epsilon: o.epsilon, momentum: o.momentum, normType: o.normType };
  const branches: Var[] = [];
  for (const s of [1, 2, 3, 6]) {
    branches.push(
      p.scope(`psp${s}`, () => {
        const pool = L.adaptivePool2d(p, input, { poolSize: [s, s], poolType: 'avg' });
        const data = conv(p, pool, { numFilters: outFeatures, filterSize: 1, bias: true });
        const dataBn = bn(p, data, { ...norm, act: 'relu' });
        return L.resizeBilinear(p, dataBn, { outShape: size });
      }),
    );
  }
  const cat = L.concat(p, [input, ...branches.reverse()], 1);
  return p.scope('psp_end', () => {
    const data = conv(p, cat, { numFilters: outFeatures, filterSize: 3, padding: 1, bias: true });
    return bn(p, data, { ...norm, act: 'relu' });
  });
}

/** `pspnet(input, num_classes)` → logits `[N, numClasses, H, W]` at the input size. */
export function pspnet(p: ProgramBuilder, input: Var, o: PspnetOptions): Var {
  const { data: res } = resnet(p, input, {
    layers: o.layers,
    scale: o.depthMultiplier,
    dilationDict: { 2: 2, 3: 4 },
    endPoints: o.layers - 1,
  });
  const psp = pspModule(p, res, 512, o);
  const dropout = p.nameScope('dropout', () => L.dropout(p, psp, { dropoutProb: 0.1, name: 'dropout' }));
  return p.scope('logit', () => {
    const logit = conv(p, dropout, { numFilters: o.numClasses, filterSize: 1, bias: true });
    return L.resizeBilinear(p, logit, { outShape: spatial(input) });
  });
}
