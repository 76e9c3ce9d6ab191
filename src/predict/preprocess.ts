/**
 * vis.py / eval.py preprocessing (spec §6): resize per `AUG.AUG_METHOD` with OpenCV's
 * INTER_LINEAR, pad bottom/right to EVAL_CROP_SIZE with PADDING_VALUE as OpenCV rounds it,
 * channel order BGR unless `AUG.TO_RGB`, then `(x/255 − MEAN)/STD` with numpy's precision:
 * `f32(p)/255` in float32, `− mean` and `/ std` computed in float64 and stored as float32.
 */
import { PdsegError } from '../errors.js';
import type { Image8 } from './image.js';
import { padBottomRight, paddingByte } from './pad.js';
import { resizeLinear, scaledSize } from './resize-linear.js';
import { resizeNearest } from './resize-nearest.js';
import type { PredictSettings } from './settings.js';

/** The resized (not yet padded) size, as vis.py's `valid_shape`, and the resize itself. */
export interface Resized {
  image: Image8;
  /** (width, height) after resizing, before padding. */
  validWidth: number;
  validHeight: number;
}

/** `data_aug.resize` in EVAL/VISUAL mode (spec §6). */
export function augResize(img: Image8, s: PredictSettings): Resized {
  let out = img;
  // cv2.resize to the same size is a plain copy; nothing downstream writes to the image, so
  // the copy is skipped.
  if (s.augMethod === 'unpadding') {
    const [w, h] = s.fixResizeSize;
    if (w !== img.width || h !== img.height) out = resizeLinear(img, w, h);
  } else if (s.augMethod === 'rangescaling') {
    const scale = s.infResizeValue / Math.max(img.height, img.width);
    const [w, h] = scaledSize(img.width, img.height, scale, scale);
    if (w !== img.width || h !== img.height) out = resizeLinear(img, w, h, { fx: scale, fy: scale });
  }
  return { image: out, validWidth: out.width, validHeight: out.height };
}

/** Throws PaddleSeg's EvalPhase crop error when `w×h` exceeds the crop size. */
export function checkFits(width: number, height: number, s: PredictSettings, source: string): void {
  const [cw, ch] = s.cropSize;
  if (width > cw || height > ch) {
    throw new PdsegError(
      'IMAGE_TOO_LARGE',
      `image "${source}" is ${width}x${height} (width x height) after AUG.AUG_METHOD ${s.augMethod} resizing, larger than EVAL_CROP_SIZE (${cw}, ${ch}); PaddleSeg stops with "Crop size(w,h) must large than img size(w,h) when in EvalPhase." — use AUG.AUG_METHOD unpadding or rangescaling with a size that fits, or a model exported with a larger EVAL_CROP_SIZE`,
      { exitCode: 1 },
    );
  }
}

/** Per-channel lookup tables byte → normalised float32 (spec §6 precision). */
export function normalizationTables(s: PredictSettings): Float32Array[] {
  return s.mean.map((m, c) => {
    const std = s.std[c] as number;
    const t = new Float32Array(256);
    for (let p = 0; p < 256; p++) {
      const x = Math.fround(p / 255);
      t[p] = Math.fround(Math.fround(x - m) / std);
    }
    return t;
  });
}

/** The result of {@link preprocess}: where the image sits in the padded crop. */
export interface Preprocessed {
  validWidth: number;
  validHeight: number;
}

/**
 * Resizes, pads and normalises `img` into `out` (CHW float32, `C·H·W` values starting at
 * `offset`, C = DATA_DIM), H×W = EVAL_CROP_SIZE. `tables` come from {@link normalizationTables}.
 */
export function preprocess(
  img: Image8,
  s: PredictSettings,
  tables: readonly Float32Array[],
  out: Float32Array,
  offset: number,
  source: string,
): Preprocessed {
  if (img.channels !== s.channels) {
    throw new PdsegError(
      'IMAGE_CHANNELS',
      s.channels === 4
        ? `image "${source}" has ${img.channels} channels, but DATASET.IMAGE_TYPE rgba needs 4: PaddleSeg reads it with cv2.IMREAD_UNCHANGED and requires DATA_DIM channels — give it images with an alpha channel (RGBA or gray+alpha PNG)`
        : `image "${source}" has ${img.channels} channels, but the model takes ${s.channels}`,
      { exitCode: 1 },
    );
  }
  const r = augResize(img, s);
  checkFits(r.validWidth, r.validHeight, s, source);
  const [cw, ch] = s.cropSize;
  const plane = cw * ch;
  const { data: d, width: vw, height: vh, channels: cn } = r.image;
  // Padding (bottom/right, cv2.copyMakeBorder) and normalisation in one pass: the padded
  // byte image is never built, its normalised value is written directly.
  const fill = s.paddingValue.map(paddingByte);
  for (let c = 0; c < cn; c++) {
    // TO_RGB reverses the channel axis before normalisation (reader.py).
    const srcC = s.toRgb ? cn - 1 - c : c;
    const t = tables[c] as Float32Array;
    const padded = t[fill[srcC] ?? fill[0] ?? 0] as number;
    const base = offset + c * plane;
    for (let y = 0; y < vh; y++) {
      const o = base + y * cw;
      for (let x = 0, j = y * vw * cn + srcC; x < vw; x++, j += cn) out[o + x] = t[d[j] as number] as number;
      if (vw < cw) out.fill(padded, o + vw, o + cw);
    }
    if (vh < ch) out.fill(padded, base + vh * cw, base + plane);
  }
  return { validWidth: r.validWidth, validHeight: r.validHeight };
}

/**
 * eval.py's label preprocessing (spec §7.3): NEAREST resize per AUG_METHOD, then pad
 * bottom/right with IGNORE_INDEX to EVAL_CROP_SIZE.
 */
export function preprocessLabel(label: Image8, s: PredictSettings, source: string): Image8 {
  let out = label;
  if (s.augMethod === 'unpadding') {
    out = resizeNearest(label, s.fixResizeSize[0], s.fixResizeSize[1]);
  } else if (s.augMethod === 'rangescaling') {
    const scale = s.infResizeValue / Math.max(label.height, label.width);
    const [w, h] = scaledSize(label.width, label.height, scale, scale);
    out = resizeNearest(label, w, h, { fx: scale, fy: scale });
  }
  checkFits(out.width, out.height, s, source);
  return padBottomRight(out, s.cropSize[0], s.cropSize[1], [s.ignoreIndex]);
}
