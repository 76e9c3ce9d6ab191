/**
 * DeepLabv3+ of PaddleSeg v0.7's `modeling/deeplab.py` with the Xception 41/65/71 and
 * MobileNetV2 backbones: backbone → (`ENCODER_WITH_ASPP`) encoder → (`ENABLE_DECODER`)
 * decoder → `logit` 1×1 conv with bias (in `fluid.name_scope('last_conv')`) → bilinear
 * resize to the input.
 *
 * - Encoder (scope `encoder`, `ASPP_CONVS_FILTERS` channels): `image_pool` = mean over
 *   H, W → 1×1 conv + bn + relu → resize to the feature size; `aspp0` 1×1 conv + bn + relu;
 *   `aspp1…3` at the ASPP ratios (6/12/18 at output stride 16, 12/24/36 at 8, or
 *   `ENCODER.ASPP_RATIOS`), separable (`ASPP_WITH_SEP_CONV`) or 3×3 dilated convs; `concat`
 *   of [image pool (`ADD_IMAGE_LEVEL_FEATURE`), aspp0…3] → (`ASPP_WITH_CONCAT_PROJECTION`)
 *   1×1 conv + bn + relu and dropout 0.9 (×float32(1 − 0.9) at inference).
 * - Decoder (scope `decoder`): the backbone skip through 1×1 conv to 48 + bn + relu, the
 *   encoder output resized to its size, concat, then two separable convs
 *   (`DECODER_USE_SEP_CONV`) or 3×3 convs at `DECODER.CONV_FILTERS`.
 * - Batch norms: ε 1e-3 in the Xception backbone, 1e-5 in encoder, decoder and logit
 *   (`deeplab.py` overwrites `DEFAULT_EPSILON` around the backbone), `MODEL.BN_MOMENTUM`;
 *   `DEFAULT_NORM_TYPE gn` gives group norms (group search from `DEFAULT_GROUP_NUMBER`).
 *
 * Not built yet (refused with the key named): the MobileNetV3 and ResNet_vd backbones and
 * the encoder/decoder options only their configs use (SE, q-sigmoid, pooling crop, sum
 * merge, logits from the decoder).
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { editDistance } from '../../util/edit-distance.js';
import { mobilenetV2 } from '../backbone/mobilenet-v2.js';
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

/** Backbones PaddleSeg v0.7 accepts for DeepLabv3+, and whether pdseg builds each. */
const BACKBONES = [
  ...XCEPTION_BACKBONES,
  'mobilenetv2',
  'mobilenetv3_large',
  'mobilenetv3_small',
  'resnet_vd_50',
  'resnet_vd_101',
];
const BUILT = new Set([...XCEPTION_BACKBONES, 'mobilenetv2']);

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
  if (!BUILT.has(k.BACKBONE)) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.BACKBONE "${k.BACKBONE}" is not built by pdseg yet; built: ${[...BUILT].join(', ')}`,
    );
  }
  const unsupported: Array<[string, boolean]> = [
    ['MODEL.DEEPLAB.ENCODER.ASPP_WITH_SE True', k.ENCODER.ASPP_WITH_SE],
    ['MODEL.DEEPLAB.ENCODER.SE_USE_QSIGMOID True', k.ENCODER.SE_USE_QSIGMOID],
    ['MODEL.DEEPLAB.ENCODER.POOLING_CROP_SIZE', k.ENCODER.POOLING_CROP_SIZE !== null],
    ['MODEL.DEEPLAB.DECODER.USE_SUM_MERGE True', k.DECODER.USE_SUM_MERGE],
    ['MODEL.DEEPLAB.DECODER.OUTPUT_IS_LOGITS True', k.DECODER.OUTPUT_IS_LOGITS],
  ];
  for (const [key, set] of unsupported) {
    if (set)
      throw new PdsegError(
        'CONFIG_CHECK',
        `${key} (the MobileNetV3 configs' encoder/decoder) is not built by pdseg yet; use the default`,
      );
  }
  if (k.ENCODER_WITH_ASPP && !k.ENCODER.ASPP_RATIOS && k.OUTPUT_STRIDE !== 8 && k.OUTPUT_STRIDE !== 16) {
    throw new PdsegError(
      'CONFIG_CHECK',
      `MODEL.DEEPLAB.OUTPUT_STRIDE ${k.OUTPUT_STRIDE}: the ASPP ratios are defined for output stride 8 or 16 only ("deeplab only support stride 8 or 16"); set 8 or 16, or MODEL.DEEPLAB.ENCODER.ASPP_RATIOS`,
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

function encoder(p: ProgramBuilder, input: Var, k: DeeplabKeys, norm: Norm): Var {
  const ratios = k.ENCODER.ASPP_RATIOS ?? (k.OUTPUT_STRIDE === 16 ? [6, 12, 18] : [12, 24, 36]);
  const channel = k.ENCODER.ASPP_CONVS_FILTERS;
  const size: [number, number] = [input.shape[2]!, input.shape[3]!];
  return p.scope('encoder', () => {
    const parts: Var[] = [];
    const imageAvg = p.scope('image_pool', () => {
      const avg = L.reduceMean(p, input, { dim: [2, 3], keepDim: true });
      const y = bnRelu(p, conv(p, avg, { numFilters: channel, filterSize: 1 }), norm);
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
    return p.scope('concat', () => {
      const data = L.concat(p, parts, 1);
      if (!k.ENCODER.ASPP_WITH_CONCAT_PROJECTION) return data;
      const projected = bnRelu(p, conv(p, data, { numFilters: channel, filterSize: 1 }), norm);
      return L.dropout(p, projected, { dropoutProb: 0.9 });
    });
  });
}

function decoder(p: ProgramBuilder, encoded: Var, shortcut: Var, k: DeeplabKeys, norm: Norm): Var {
  const filters = k.DECODER.CONV_FILTERS;
  return p.scope('decoder', () => {
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
  const { data: features, shortcut } = k.BACKBONE.startsWith('xception')
    ? xception(p, img, { backbone: k.BACKBONE, outputStride: k.OUTPUT_STRIDE, norm: norm(1e-3) })
    : mobilenetV2(p, img, { scale: k.DEPTH_MULTIPLIER, outputStride: k.OUTPUT_STRIDE });
  let data = features;
  if (k.ENCODER_WITH_ASPP) data = encoder(p, data, k, norm(1e-5));
  if (k.ENABLE_DECODER) data = decoder(p, data, shortcut, k, norm(1e-5));
  const logit = p.scope('logit', () =>
    p.nameScope('last_conv', () => conv(p, data, { numFilters: o.numClasses, filterSize: 1, bias: true })),
  );
  return L.resizeBilinear(p, logit, { outShape: [img.shape[2]!, img.shape[3]!] });
}
