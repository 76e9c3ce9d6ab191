/**
 * `cv2.resize(img, dsize, interpolation=INTER_NEAREST)` (spec §6): source index
 * `min(floor(d · (1 / (outSize / inSize))), inSize − 1)` computed in double, as OpenCV's
 * `resizeNN` does. Works for any channel count (labels have one).
 */
import type { Image8 } from './image.js';

/** Source index table of one axis. */
function nearestTable(inSize: number, outSize: number, factor?: number): Int32Array {
  const inv = 1 / (factor ?? outSize / inSize);
  const t = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) t[d] = Math.min(Math.floor(d * inv), inSize - 1);
  return t;
}

/**
 * Resizes an 8-bit HWC image (or label map with `channels` 1) with OpenCV's INTER_NEAREST.
 * `options.fx/fy` are the factors of `cv2.resize(img, (0,0), fx, fy)`, used as OpenCV uses them.
 */
export function resizeNearest(
  img: Image8,
  outWidth: number,
  outHeight: number,
  options: { fx?: number; fy?: number } = {},
): Image8 {
  const { width, height, channels: cn, data } = img;
  if (outWidth === width && outHeight === height) {
    return { data: data.slice(), width, height, channels: cn };
  }
  const xs = nearestTable(width, outWidth, options.fx);
  const ys = nearestTable(height, outHeight, options.fy);
  const out = new Uint8Array(outWidth * outHeight * cn);
  let o = 0;
  for (let dy = 0; dy < outHeight; dy++) {
    const rowBase = (ys[dy] as number) * width * cn;
    if (cn === 1) {
      for (let dx = 0; dx < outWidth; dx++) out[o++] = data[rowBase + (xs[dx] as number)] as number;
    } else {
      for (let dx = 0; dx < outWidth; dx++) {
        const s = rowBase + (xs[dx] as number) * cn;
        for (let k = 0; k < cn; k++) out[o++] = data[s + k] as number;
      }
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels: cn };
}
