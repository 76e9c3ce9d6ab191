/**
 * HRNet for segmentation, PaddleSeg v0.7's `hrnet(input, num_classes)`: the HRNet body
 * (backbone/hrnet.ts), the three lower branches of stage 4 resized (bilinear,
 * align_corners) to the highest one's size, concatenated, `conv-2` (1×1 conv + BN + relu at
 * the summed width), `conv-1` (1×1 conv to the classes, weights `conv-1_weights`, no bias),
 * and a bilinear resize to the input size.
 */
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { type HrnetStages, hrnetBackbone, hrnetConvBn } from '../backbone/hrnet.js';

/** `hrnet(input, num_classes)` → logits `[N, numClasses, H, W]`. */
export function hrnet(p: ProgramBuilder, input: Var, o: { numClasses: number; stages: HrnetStages }): Var {
  const st4 = hrnetBackbone(p, input, o.stages);
  return p.nameScope('head', () => {
    const [h, w] = [st4[0]!.shape[2]!, st4[0]!.shape[3]!];
    const ups = st4.map((x, i) => (i === 0 ? x : L.resizeBilinear(p, x, { outShape: [h, w] })));
    const cat = L.concat(p, ups, 1);
    const last = o.stages.stage4.channels.reduce((a, b) => a + b, 0);
    const fused = hrnetConvBn(p, cat, { filterSize: 1, numFilters: last, name: 'conv-2' });
    const logit = L.conv2d(p, fused, {
      numFilters: o.numClasses,
      filterSize: 1,
      paramName: 'conv-1_weights',
    });
    return L.resizeBilinear(p, logit, { outShape: [input.shape[2]!, input.shape[3]!] });
  });
}
