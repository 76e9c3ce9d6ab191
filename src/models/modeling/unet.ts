/**
 * UNet of PaddleSeg v0.7's `modeling/unet.py`: an encoder of five blocks (block1 a
 * double conv at 64 channels, blocks 2–5 `down` = 2×2 max pool + double conv at 128, 256,
 * 512, 512), a decoder of four `up` blocks (bilinear resize to the skip's size — or, with
 * `MODEL.UNET.UPSAMPLE_MODE` other than `bilinear`, a 2×2 stride-2 `conv2d_transpose` to half
 * the channels — then concat `[up, skip]` and a double conv at 256, 128, 64, 64), and a 3×3
 * `logit` conv. A double conv is two (3×3 conv, no bias → bn → relu) in `conv0`, `conv1`;
 * the `model_libs` scopes name every parameter: `encode/block2/down/conv1/BatchNorm/gamma`,
 * `decode/decode1/up/weights` (the deconv), `logit/weights`. No conv has a bias.
 */
import { PdsegError } from '../../errors.js';
import * as L from '../../program/layers.js';
import type { ProgramBuilder, Var } from '../../program/program-builder.js';
import { bnRelu, conv, deconv, maxPool } from '../libs/model-libs.js';

/** Options of {@link unet}. */
export interface UnetOptions {
  numClasses: number;
  /** `MODEL.UNET.UPSAMPLE_MODE`: `bilinear`, anything else is a deconv. */
  upsampleMode: string;
  /** `MODEL.DEFAULT_EPSILON`, `MODEL.BN_MOMENTUM`, `MODEL.DEFAULT_NORM_TYPE`, `MODEL.DEFAULT_GROUP_NUMBER`. */
  epsilon: number;
  momentum?: number;
  normType: string;
  groups?: number;
}

function doubleConv(p: ProgramBuilder, x: Var, outCh: number, o: UnetOptions): Var {
  const norm = { epsilon: o.epsilon, momentum: o.momentum, normType: o.normType, groups: o.groups };
  let y = p.scope('conv0', () =>
    bnRelu(p, conv(p, x, { numFilters: outCh, filterSize: 3, padding: 1 }), norm),
  );
  y = p.scope('conv1', () => bnRelu(p, conv(p, y, { numFilters: outCh, filterSize: 3, padding: 1 }), norm));
  return y;
}

function down(p: ProgramBuilder, x: Var, outCh: number, o: UnetOptions): Var {
  return p.scope('down', () => doubleConv(p, maxPool(p, x, 2, 2, 0), outCh, o));
}

function up(p: ProgramBuilder, x: Var, shortCut: Var, outCh: number, o: UnetOptions): Var {
  return p.scope('up', () => {
    const upsampled =
      o.upsampleMode === 'bilinear'
        ? L.resizeBilinear(p, x, { outShape: [shortCut.shape[2]!, shortCut.shape[3]!] })
        : deconv(p, x, { numFilters: Math.floor(outCh / 2), filterSize: 2, stride: 2, padding: 0 });
    return doubleConv(p, L.concat(p, [upsampled, shortCut], 1), outCh, o);
  });
}

/** `unet(input, num_classes)` → logits `[N, numClasses, H, W]`. */
export function unet(p: ProgramBuilder, input: Var, o: UnetOptions): Var {
  if (o.upsampleMode !== 'bilinear') {
    const [, , h, w] = input.shape;
    if (h! % 16 !== 0 || w! % 16 !== 0) {
      throw new PdsegError(
        'CONFIG_CHECK',
        `MODEL.UNET.UPSAMPLE_MODE "${o.upsampleMode}" (deconv) needs EVAL_CROP_SIZE divisible by 16 (four 2× poolings and four 2× deconvs must meet the skips), got (${w}, ${h}); use a multiple of 16 or UPSAMPLE_MODE bilinear`,
      );
    }
  }
  const shortCuts: Var[] = [];
  const encoded = p.scope('encode', () => {
    let x = p.scope('block1', () => doubleConv(p, input, 64, o));
    shortCuts.push(x);
    x = p.scope('block2', () => down(p, x, 128, o));
    shortCuts.push(x);
    x = p.scope('block3', () => down(p, x, 256, o));
    shortCuts.push(x);
    x = p.scope('block4', () => down(p, x, 512, o));
    shortCuts.push(x);
    return p.scope('block5', () => down(p, x, 512, o));
  });
  const decoded = p.scope('decode', () => {
    let x = p.scope('decode1', () => up(p, encoded, shortCuts[3]!, 256, o));
    x = p.scope('decode2', () => up(p, x, shortCuts[2]!, 128, o));
    x = p.scope('decode3', () => up(p, x, shortCuts[1]!, 64, o));
    return p.scope('decode4', () => up(p, x, shortCuts[0]!, 64, o));
  });
  return p.scope('logit', () => conv(p, decoded, { numFilters: o.numClasses, filterSize: 3, padding: 1 }));
}
