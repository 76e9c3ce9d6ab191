/**
 * OCRNet of PaddleSeg v0.7's `modeling/ocrnet.py` (HRNet + object-contextual
 * representations), PREDICT branch: only `cls_head` is exported, but the auxiliary head
 * stays in the graph because the spatial gather reads its soft regions.
 *
 * - The HRNet body (backbone/hrnet.ts), stage 4's lower branches resized (bilinear,
 *   align_corners) to the highest one's size and concatenated: `feats` with
 *   L = ΣSTAGE4.NUM_CHANNELS channels.
 * - Auxiliary head: `aux_head_conv1` (1×1 to L, bn, relu) → `aux_head_conv2` (1×1 to the
 *   classes, with bias `aux_head_conv2_bias`): the soft object regions.
 * - `conv3x3_ocr` (3×3 to `MODEL.OCR.OCR_MID_CHANNELS`, bn, relu).
 * - Spatial gather: pixels `[N, C, HW]` transposed to `[N, HW, C]`, regions `[N, K, HW]`
 *   softmaxed over HW, `matmul` → `[N, K, C]`, transposed to `[N, C, K]`, unsqueezed to
 *   `[N, C, K, 1]`.
 * - Object attention (key width `MODEL.OCR.OCR_KEY_CHANNELS` = Ck): query
 *   `f_pixel_conv1/2` on the pixels → `[N, HW, Ck]`; key `f_object_conv1/2` on the
 *   context → `[N, Ck, K]`; value `f_down_conv` → `[N, K, Ck]`; similarity
 *   `Ck^−0.5 · query·key` (a `scale` op), softmax over K, `·value` → `[N, HW, Ck]`,
 *   transposed and reshaped to `[N, Ck, H, W]`, `f_up_conv` back to C.
 * - `spatial_ocr_conv` (1×1 on concat [context, pixels] to C, bn, relu), dropout 0.05
 *   (×float32(1 − 0.05) at inference), `cls_head_conv` (1×1 with bias), resize to the input.
 *
 * Every conv here is HRNet's `conv_bn_layer` (`<name>_weights`, `<name>_bn_*`, fluid's
 * default batch norm) unless it has a bias (`<name>_weights`, `<name>_bias`, no norm).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { type HrnetStages, hrnetBackbone, hrnetConvBn } from '../backbone/hrnet.js';

/** Options of {@link ocrnet}. */
export interface OcrnetOptions {
  numClasses: number;
  stages: HrnetStages;
  /** MODEL.OCR.OCR_MID_CHANNELS. */
  midChannels: number;
  /** MODEL.OCR.OCR_KEY_CHANNELS. */
  keyChannels: number;
}

/** Checks the OCR head's widths; the error names the key. */
export function checkOcr(o: OcrnetOptions): void {
  for (const [key, v] of [
    ['MODEL.OCR.OCR_MID_CHANNELS', o.midChannels],
    ['MODEL.OCR.OCR_KEY_CHANNELS', o.keyChannels],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} ${v} must be a positive integer (a conv width; default ${key.endsWith('MID_CHANNELS') ? 512 : 256})`,
      );
    }
  }
}

/** A 1×1 conv with a bias and no norm (`<name>_weights`, `<name>_bias`). */
function convWithBias(p: ProgramBuilder, x: Var, numFilters: number, name: string): Var {
  return L.conv2d(p, x, {
    numFilters,
    filterSize: 1,
    paramName: `${name}_weights`,
    biasName: `${name}_bias`,
  });
}

/** `spatial_gather_module(pixels, regions)` → object context `[N, C, K, 1]`. */
function spatialGather(p: ProgramBuilder, pixels: Var, regions: Var): Var {
  const [, c, h, w] = pixels.shape as number[];
  const k = regions.shape[1]!;
  const px = L.transpose(p, L.reshape(p, pixels, [-1, c!, h! * w!]), [0, 2, 1]);
  const rg = L.softmax(p, L.reshape(p, regions, [-1, k, h! * w!]), { axis: 2 });
  const context = L.transpose(p, L.matmul(p, rg, px), [0, 2, 1]);
  return L.unsqueeze(p, context, [-1]);
}

/** `object_context_block(pixels, regions, key_channels)` → `[N, C, H, W]`. */
function objectContext(p: ProgramBuilder, pixels: Var, regions: Var, keyChannels: number): Var {
  const [, c, h, w] = pixels.shape as number[];
  const cbr = (x: Var, filters: number, name: string) =>
    hrnetConvBn(p, x, { filterSize: 1, numFilters: filters, name });
  let query = cbr(cbr(pixels, keyChannels, 'f_pixel_conv1'), keyChannels, 'f_pixel_conv2');
  query = L.transpose(p, L.reshape(p, query, [-1, keyChannels, h! * w!]), [0, 2, 1]);
  let key = cbr(cbr(regions, keyChannels, 'f_object_conv1'), keyChannels, 'f_object_conv2');
  key = L.reshape(p, key, [-1, keyChannels, regions.shape[2]! * regions.shape[3]!]);
  let value = cbr(regions, keyChannels, 'f_down_conv');
  value = L.transpose(
    p,
    L.reshape(p, value, [-1, keyChannels, regions.shape[2]! * regions.shape[3]!]),
    [0, 2, 1],
  );
  // `(key_channels ** -.5) * sim_map`: a Python float times a Variable.
  const sim = L.softmax(p, L.scalarAffine(p, L.matmul(p, query, key), { scale: keyChannels ** -0.5 }), {
    axis: -1,
  });
  let context = L.transpose(p, L.matmul(p, sim, value), [0, 2, 1]);
  context = L.reshape(p, context, [-1, keyChannels, h!, w!]);
  return cbr(context, c!, 'f_up_conv');
}

/** `ocrnet(input, num_classes)` → logits `[N, numClasses, H, W]` (the `cls_head` output). */
export function ocrnet(p: ProgramBuilder, input: Var, o: OcrnetOptions): Var {
  checkOcr(o);
  const st4 = hrnetBackbone(p, input, o.stages);
  return p.nameScope('ocr', () => {
    const [h, w] = [st4[0]!.shape[2]!, st4[0]!.shape[3]!];
    const feats = L.concat(
      p,
      st4.map((x, i) => (i === 0 ? x : L.resizeBilinear(p, x, { outShape: [h, w] }))),
      1,
    );
    const last = o.stages.stage4.channels.reduce((a, b) => a + b, 0);
    const regions = p.nameScope('aux_head', () =>
      convWithBias(
        p,
        hrnetConvBn(p, feats, { filterSize: 1, numFilters: last, name: 'aux_head_conv1' }),
        o.numClasses,
        'aux_head_conv2',
      ),
    );
    const pixels = hrnetConvBn(p, feats, { filterSize: 3, numFilters: o.midChannels, name: 'conv3x3_ocr' });
    const context = p.nameScope('spatial_gather', () => spatialGather(p, pixels, regions));
    const ocr = p.nameScope('spatial_ocr', () => {
      const attended = objectContext(p, pixels, context, o.keyChannels);
      const cat = L.concat(p, [attended, pixels], 1);
      const y = hrnetConvBn(p, cat, { filterSize: 1, numFilters: o.midChannels, name: 'spatial_ocr_conv' });
      return L.dropout(p, y, { dropoutProb: 0.05 });
    });
    const logit = p.nameScope('cls_head', () => convWithBias(p, ocr, o.numClasses, 'cls_head_conv'));
    return L.resizeBilinear(p, logit, { outShape: [input.shape[2]!, input.shape[3]!] });
  });
}
