/**
 * PSPNet of PaddleSeg's `pspnet.py` (spec §4.3): ResNet with dilation {2: 2, 3: 4} →
 * PSP module (adaptive pools 1/2/3/6, each conv 1×1 + BN + relu + bilinear back) →
 * concat `[input, psp6, psp3, psp2, psp1]` → `psp_end` conv 3×3 + BN + relu → dropout,
 * which at inference multiplies by float32 0.9 (spec §9.4, §5.7) → `logit` conv 1×1 →
 * bilinear resize (align_corners) to the input size.
 */
import type { GraphBuilder, Value } from '../../onnx/builder.js';
import { resnet } from '../backbone/resnet.js';
import { adaptiveAvgPool2d } from '../libs/adaptive-pool.js';
import { bn, conv } from '../libs/model-libs.js';

/** Options of {@link pspnet}. */
export interface PspnetOptions {
  numClasses: number;
  /** MODEL.PSPNET.LAYERS. */
  layers: number;
  /** MODEL.PSPNET.DEPTH_MULTIPLIER. */
  depthMultiplier: number;
  /** MODEL.DEFAULT_EPSILON for the head's batch norms. */
  epsilon: number;
  /** MODEL.DEFAULT_NORM_TYPE. */
  normType: string;
}

/** float32(1 − 0.1) = float32(0.9): dropout's `downgrade_in_infer` factor (spec §5.7). */
export const DROPOUT_KEEP = Math.fround(1 - 0.1);

function spatial(x: Value): [number, number] {
  return [x.shape[2] as number, x.shape[3] as number];
}

/** `psp_module(input, out_features)`. */
export function pspModule(b: GraphBuilder, input: Value, outFeatures: number, o: PspnetOptions): Value {
  const size = spatial(input);
  const norm = { epsilon: o.epsilon, normType: o.normType };
  const branches: Value[] = [];
  for (const s of [1, 2, 3, 6]) {
    branches.push(
      b.scope(`psp${s}`, () => {
        const pool = adaptiveAvgPool2d(b, input, [s, s]);
        const data = conv(b, pool, { numFilters: outFeatures, filterSize: 1, bias: true });
        const dataBn = bn(b, data, { ...norm, act: 'relu' });
        return b.resizeBilinear(dataBn, size);
      }),
    );
  }
  const cat = b.concat([input, ...branches.reverse()], 1);
  return b.scope('psp_end', () => {
    const data = conv(b, cat, { numFilters: outFeatures, filterSize: 3, padding: 1, bias: true });
    return bn(b, data, { ...norm, act: 'relu' });
  });
}

/** `pspnet(input, num_classes)` → logits `[N, numClasses, H, W]` at the input size. */
export function pspnet(b: GraphBuilder, input: Value, o: PspnetOptions): Value {
  const res = resnet(b, input, {
    layers: o.layers,
    scale: o.depthMultiplier,
    dilationDict: { 2: 2, 3: 4 },
    endPoints: o.layers - 1,
  });
  const psp = pspModule(b, res, 512, o);
  const dropout = b.scope('dropout', () => b.mulScalar(psp, DROPOUT_KEEP, 'dropout'));
  return b.scope('logit', () => {
    const logit = conv(b, dropout, { numFilters: o.numClasses, filterSize: 1, bias: true });
    return b.resizeBilinear(logit, spatial(input));
  });
}
