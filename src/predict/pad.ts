/**
 * `cv2.copyMakeBorder(img, 0, padH, 0, padW, BORDER_CONSTANT, value)` as vis.py/eval.py use it
 * (spec §6): pad bottom and right only. The value is already a uint8 (OpenCV rounds the
 * float PADDING_VALUE with `saturate_cast<uchar>`, see {@link paddingByte}).
 */
import type { Image8 } from './image.js';
import { cvRound } from './resize-linear.js';

/** OpenCV's `saturate_cast<uchar>(double)`: round half to even, clamp to 0…255 (127.5 → 128). */
export function paddingByte(value: number): number {
  const r = cvRound(value);
  return r < 0 ? 0 : Math.min(r, 255);
}

/** Pads `img` at the bottom/right to `width × height` with per-channel byte `values`. */
export function padBottomRight(
  img: Image8,
  width: number,
  height: number,
  values: readonly number[],
): Image8 {
  const cn = img.channels;
  if (width === img.width && height === img.height) return img;
  const out = new Uint8Array(width * height * cn);
  const fill = new Uint8Array(width * cn);
  for (let x = 0; x < width; x++) for (let k = 0; k < cn; k++) fill[x * cn + k] = values[k] ?? values[0] ?? 0;
  const srcRow = img.width * cn;
  for (let y = 0; y < height; y++) {
    const o = y * width * cn;
    out.set(fill, o);
    if (y < img.height) out.set(img.data.subarray(y * srcRow, (y + 1) * srcRow), o);
  }
  return { data: out, width, height, channels: cn };
}
