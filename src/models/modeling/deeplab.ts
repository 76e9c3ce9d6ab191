/**
 * DeepLabv3+ of PaddleSeg v0.7's `modeling/deeplab.py` with every v0.7 backbone (Xception
 * 41/65/71, MobileNetV2, MobileNetV3 large/small, ResNet_vd 50/101): backbone →
 * (`ENCODER_WITH_ASPP`) encoder → (`ENABLE_DECODER`) decoder → `logit` 1×1 conv with bias
 * (in `fluid.name_scope('last_conv')`; skipped with `DECODER.OUTPUT_IS_LOGITS`) → bilinear
 * resize to the input.
 *
 * - Encoder (scope `encoder`, `ASPP_CONVS_FILTERS` channels): `image_pool` = mean over
 *   H, W — or, with `ENCODER.POOLING_CROP_SIZE` (w, h), a VALID average pool of kernel
 *   `int((crop − 1)/OS + 1)` and stride `ENCODER.POOLING_STRIDE` — → 1×1 conv + bn + relu
 *   (or, `SE_USE_QSIGMOID`, no norm and `relu6(x + 3)·0.16667`) → resize to the feature
 *   size; `aspp0` 1×1 conv + bn + relu; `aspp1…3` at the ASPP ratios (`ENCODER.ASPP_RATIOS`,
 *   else 6/12/18 at output stride 16, 12/24/36 at 8, none otherwise), separable
 *   (`ASPP_WITH_SEP_CONV`) or 3×3 dilated convs; `concat` of [image pool
 *   (`ADD_IMAGE_LEVEL_FEATURE`), aspp0…3] → (`ASPP_WITH_CONCAT_PROJECTION`) 1×1 conv + bn +
 *   relu and dropout 0.9 (×float32(1 − 0.9) at inference) → (`ASPP_WITH_SE`) × image pool.
 * - Decoder (scope `decoder`, `DECODER.CONV_FILTERS`): with `USE_SUM_MERGE`, the encoder
 *   output resized to the skip's size and 1×1-convolved (`decoder/weights`) plus the skip
 *   1×1-convolved (`decoder/merge/weights`), no norms; otherwise the skip through 1×1 conv to
 *   48 + bn + relu, concat with the resized encoder output, then two separable convs
 *   (`DECODER_USE_SEP_CONV`) or 3×3 convs.
 * - Batch norms: ε 1e-3 in the Xception backbone, 1e-5 in encoder, decoder and logit
 *   (`deeplab.py` overwrites `DEFAULT_EPSILON` around the backbone), `MODEL.BN_MOMENTUM`;
 *   `DEFAULT_NORM_TYPE gn` gives group norms (group search from `DEFAULT_GROUP_NUMBER`).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { editDistance } from '../../util/edit-distance.js';
import { mobilenetV2 } from '../backbone/mobilenet-v2.js';
import { mobilenetV3 } from '../backbone/mobilenet-v3.js';
import { resnetVd, resnetVdLayers } from '../backbone/resnet-vd.js';
import { XCEPTION_BACKBONES, xception } from '../backbone/xception.js';
import { type BnOptions, bnRelu, conv, separateConv } from '../libs/model-libs.js';

/** The `MODEL.DEEPLAB` keys the builder reads. */
export interface DeeplabKeys {
  BACKBONE: string;
  OUTPUT_STRIDE: number;
  DEPTH_MULTIPLIER: number;
  ENCODER_WITH_ASPP: boolean;
  ENABLE_DECODER: boolean;
  ASPP_WITH_SEP_CONV: boolean;
  DECODER_USE_SEP_CONV: boolean;
  ENCODER: {
    POOLING_STRIDE: readonly number[];
    POOLING_CROP_SIZE: readonly number[] | null;
    ASPP_WITH_SE: boolean;
    SE_USE_QSIGMOID: boolean;
    ASPP_CONVS_FILTERS: number;
    ASPP_WITH_CONCAT_PROJECTION: boolean;
    ADD_IMAGE_LEVEL_FEATURE: boolean;
    ASPP_RATIOS: readonly number[] | null;
  };
  DECODER: { USE_SUM_MERGE: boolean; CONV_FILTERS: number; OUTPUT_IS_LOGITS: boolean };
}

/** Options of {@link deeplabv3p}. */
export interface DeeplabOptions {
  numClasses: number;
  keys: DeeplabKeys;
  momentum?: number;
  normType: string;
  groups?: number;
}

/** Backbones PaddleSeg v0.7 accepts for DeepLabv3+. */
const BACKBONES = [
  ...XCEPTION_BACKBONES,
  'mobilenetv2',
  'mobilenetv3_large',
  'mobilenetv3_small',
  'resnet_vd_50',
  'resnet_vd_101',
];

function nearest(name: string, options: readonly string[]): string {
  return [...options].sort((a, b) => editDistance(name, a) - editDistance(name, b))[0]!;
}

/** Checks the keys this builder depends on; the error names key and value. */
export function checkDeeplabKeys(k: DeeplabKeys): void {
  if (!BACKBONES.includes(k.BACKBONE)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.BACKBONE "${k.BACKBONE}" is not a DeepLabv3+ backbone; known: ${BACKBONES.join(', ')} — did you mean "${nearest(k.BACKBONE, BACKBONES)}"?`,
    );
  }
  const crop = k.ENCODER.POOLING_CROP_SIZE;
  if (crop !== null && (crop.length !== 2 || !crop.every((v) => Number.isInteger(v) && v > 0))) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE ${JSON.stringify(crop)} must be a (width, height) pair of positive integers, or None for a global image pool`,
    );
  }
  const stride = k.ENCODER.POOLING_STRIDE;
  if (stride.length !== 2 || !stride.every((v) => Number.isInteger(v) && v > 0)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.ENCODER.POOLING_STRIDE ${JSON.stringify(stride)} must be an (h, w) pair of positive integers`,
    );
  }
  if (k.BACKBONE.startsWith('xception') && k.OUTPUT_STRIDE < 2) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.OUTPUT_STRIDE ${k.OUTPUT_STRIDE}: Xception's stem already has stride 2`,
    );
  }
}

type Norm = Omit<BnOptions, 'act'>;

/** `qsigmoid(x)`: `relu6(x + 3) * 0.16667`, three ops. */
function qsigmoid(p: ProgramBuilder, x: Var): Var {
  return L.scalarAffine(p, L.act(p, 'relu6', L.scalarAffine(p, x, { bias: 3 })), { scale: 0.16667 });
}

/** The ASPP ratios: `ENCODER.ASPP_RATIOS`, else by output stride (none beyond 8 and 16). */
export function asppRatios(k: DeeplabKeys): readonly number[] {
  if (k.ENCODER.ASPP_RATIOS) return k.ENCODER.ASPP_RATIOS;
  if (k.OUTPUT_STRIDE === 16) return [6, 12, 18];
  if (k.OUTPUT_STRIDE === 8) return [12, 24, 36];
  return [];
}

function imagePool(p: ProgramBuilder, input: Var, k: DeeplabKeys): Var {
  const crop = k.ENCODER.POOLING_CROP_SIZE;
  if (!crop) return L.reduceMean(p, input, { dim: [2, 3], keepDim: true });
  const os = k.OUTPUT_STRIDE;
  const kernel: [number, number] = [Math.trunc((crop[1]! - 1) / os + 1), Math.trunc((crop[0]! - 1) / os + 1)];
  const [h, w] = [input.shape[2]!, input.shape[3]!];
  if (kernel[0] > h || kernel[1] > w) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE ${JSON.stringify(crop)}: the image-pool kernel int((crop − 1)/${os} + 1) = ${kernel[0]}×${kernel[1]} (h×w) is larger than the ${h}×${w} features of EVAL_CROP_SIZE at output stride ${os}; use a pooling crop no larger than the eval crop`,
    );
  }
  const [sh, sw] = k.ENCODER.POOLING_STRIDE;
  return L.pool2d(p, input, {
    poolSize: kernel,
    poolStride: [sh!, sw!],
    poolType: 'avg',
    poolPadding: 'VALID',
  });
}

function encoder(p: ProgramBuilder, input: Var, k: DeeplabKeys, norm: Norm): Var {
  const ratios = asppRatios(k);
  const channel = k.ENCODER.ASPP_CONVS_FILTERS;
  const size: [number, number] = [input.shape[2]!, input.shape[3]!];
  return p.scope('encoder', () => {
    const parts: Var[] = [];
    const imageAvg = p.scope('image_pool', () => {
      const pooled = conv(p, imagePool(p, input, k), { numFilters: channel, filterSize: 1 });
      const y = k.ENCODER.SE_USE_QSIGMOID ? qsigmoid(p, pooled) : bnRelu(p, pooled, norm);
      return L.resizeBilinear(p, y, { outShape: size });
    });
    if (k.ENCODER.ADD_IMAGE_LEVEL_FEATURE) parts.push(imageAvg);
    parts.push(
      p.scope('aspp0', () => bnRelu(p, conv(p, input, { numFilters: channel, filterSize: 1 }), norm)),
    );
    ratios.forEach((r, i) => {
      parts.push(
        p.scope(`aspp${i + 1}`, () =>
          k.ASPP_WITH_SEP_CONV
            ? separateConv(p, input, { channel, stride: 1, filter: 3, dilation: r, act: true, ...norm })
            : bnRelu(
                p,
                conv(p, input, { numFilters: channel, filterSize: 3, dilation: r, padding: r }),
                norm,
              ),
        ),
      );
    });
    const data = p.scope('concat', () => {
      const cat = L.concat(p, parts, 1);
      if (!k.ENCODER.ASPP_WITH_CONCAT_PROJECTION) return cat;
      const projected = bnRelu(p, conv(p, cat, { numFilters: channel, filterSize: 1 }), norm);
      return L.dropout(p, projected, { dropoutProb: 0.9 });
    });
    // `data * image_avg`: Python `*` on Variables.
    return k.ENCODER.ASPP_WITH_SE ? L.times(p, data, imageAvg) : data;
  });
}

function decoder(p: ProgramBuilder, encoded: Var, shortcut: Var, k: DeeplabKeys, norm: Norm): Var {
  const filters = k.DECODER.CONV_FILTERS;
  return p.scope('decoder', () => {
    if (k.DECODER.USE_SUM_MERGE) {
      const up = L.resizeBilinear(p, encoded, { outShape: [shortcut.shape[2]!, shortcut.shape[3]!] });
      const a = conv(p, up, { numFilters: filters, filterSize: 1 });
      const b = p.scope('merge', () => conv(p, shortcut, { numFilters: filters, filterSize: 1 }));
      // `encode_data + decode_shortcut`: Python `+` on Variables.
      return L.plus(p, a, b);
    }
    const cat = p.scope('concat', () => {
      const skip = bnRelu(p, conv(p, shortcut, { numFilters: 48, filterSize: 1 }), norm);
      const up = L.resizeBilinear(p, encoded, { outShape: [skip.shape[2]!, skip.shape[3]!] });
      return L.concat(p, [up, skip], 1);
    });
    if (k.DECODER_USE_SEP_CONV) {
      const a = p.scope('separable_conv1', () =>
        separateConv(p, cat, { channel: filters, stride: 1, filter: 3, act: true, ...norm }),
      );
      return p.scope('separable_conv2', () =>
        separateConv(p, a, { channel: filters, stride: 1, filter: 3, act: true, ...norm }),
      );
    }
    const a = p.scope('decoder_conv1', () =>
      bnRelu(p, conv(p, cat, { numFilters: filters, filterSize: 3, padding: 1 }), norm),
    );
    return p.scope('decoder_conv2', () =>
      bnRelu(p, conv(p, a, { numFilters: filters, filterSize: 3, padding: 1 }), norm),
    );
  });
}

function backbone(p: ProgramBuilder, img: Var, o: DeeplabOptions, norm: (eps: number) => Norm) {
  const k = o.keys;
  const name = k.BACKBONE;
  if (name.startsWith('xception')) {
    return xception(p, img, { backbone: name, outputStride: k.OUTPUT_STRIDE, norm: norm(1e-3) });
  }
  if (name === 'mobilenetv2')
    return mobilenetV2(p, img, { scale: k.DEPTH_MULTIPLIER, outputStride: k.OUTPUT_STRIDE });
  if (name.startsWith('mobilenetv3')) {
    return mobilenetV3(p, img, {
      model: name.endsWith('large') ? 'large' : 'small',
      scale: k.DEPTH_MULTIPLIER,
      outputStride: k.OUTPUT_STRIDE,
    });
  }
  return resnetVd(p, img, { layers: resnetVdLayers(name), outputStride: k.OUTPUT_STRIDE });
}

/** `deeplabv3p(img, num_classes)` → logits `[N, numClasses, H, W]`. */
export function deeplabv3p(p: ProgramBuilder, img: Var, o: DeeplabOptions): Var {
  const k = o.keys;
  checkDeeplabKeys(k);
  const norm = (epsilon: number): Norm => ({
    epsilon,
    momentum: o.momentum,
    normType: o.normType,
    groups: o.groups,
  });
  const { data: features, shortcut } = backbone(p, img, o, norm);
  let data = features;
  if (k.ENCODER_WITH_ASPP) data = encoder(p, data, k, norm(1e-5));
  if (k.ENABLE_DECODER) data = decoder(p, data, shortcut, k, norm(1e-5));
  let logit = data;
  if (!k.DECODER.OUTPUT_IS_LOGITS) {
    logit = p.scope('logit', () =>
      p.nameScope('last_conv', () => conv(p, data, { numFilters: o.numClasses, filterSize: 1, bias: true })),
    );
  } else if (data.shape[1] !== o.numClasses) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.DECODER.OUTPUT_IS_LOGITS True takes the ${data.shape[1]} channels before the logit conv as the logits, but the model has ${o.numClasses} classes; set MODEL.DEEPLAB.DECODER.CONV_FILTERS to ${o.numClasses} (with the decoder on) or turn OUTPUT_IS_LOGITS off`,
    );
  }
  return L.resizeBilinear(p, logit, { outShape: [img.shape[2]!, img.shape[3]!] });
}
