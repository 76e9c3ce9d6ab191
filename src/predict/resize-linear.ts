/**
 * `cv2.resize(img, dsize, interpolation=INTER_LINEAR)` on 8-bit images, reproduced with
 * OpenCV 4's fixed-point arithmetic (spec §6 "Bit-exactness note"): half-pixel source
 * coordinates computed in double and stored as float, 11-bit interpolation coefficients
 * (`INTER_RESIZE_COEF_BITS`), an integer horizontal pass, and the vertical pass as OpenCV's
 * `VResizeLinear<uchar,int,short>` specialisation computes it in both its vector and scalar
 * loops: `((β0·(S0>>4))>>16) + ((β1·(S1>>4))>>16)`, rounded by 2 bits. (Verified bit-exact
 * against every `*.linear512.png` and `*.rangescaling500.pad512.png` golden.)
 * sharp's resize is a different filter and differs by tens of levels, so it is not used.
 */
import type { Image8 } from './image.js';

/** `INTER_RESIZE_COEF_BITS` in OpenCV's resize.cpp. */
const COEF_BITS = 11;
/** `INTER_RESIZE_COEF_SCALE`. */
const COEF_SCALE = 1 << COEF_BITS;

/** Options of {@link resizeLinear}. */
export interface ResizeLinearOptions {
  /**
   * Scale factors as given to `cv2.resize(img, (0, 0), fx=…, fy=…)`. When set, the output
   * size is `round(width·fx) × round(height·fy)` and the coordinate map uses `1/fx` exactly
   * as OpenCV does (not `width/outWidth`), which matters for bit-exactness.
   */
  fx?: number;
  fy?: number;
}

/** OpenCV's `saturate_cast<int>(double)`: round half to even. */
export function cvRound(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; OpenCV (lrint) rounds half to even.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Output size of `cv2.resize(src, (0,0), fx, fy)`: `saturate_cast<int>(w·fx)`,
 * `saturate_cast<int>(h·fy)`.
 */
export function scaledSize(width: number, height: number, fx: number, fy: number): [number, number] {
  return [cvRound(width * fx), cvRound(height * fy)];
}

/** Per-output-position source index and 11-bit weights of one axis. */
interface AxisTable {
  /** Source index (not clamped for the vertical axis; clamped for the horizontal one). */
  ofs: Int32Array;
  /** Weights `[w0, w1]` per output position. */
  w: Int16Array;
  /** First output position whose right neighbour falls outside the source (horizontal). */
  limit: number;
}

/** Builds the coordinate table of one axis as `resize()` in OpenCV's resize.cpp does. */
function axisTable(inSize: number, outSize: number, scale: number, clampToBorder: boolean): AxisTable {
  const ofs = new Int32Array(outSize);
  const w = new Int16Array(outSize * 2);
  let limit = outSize;
  for (let d = 0; d < outSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampToBorder) {
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s + 1 >= inSize) {
        limit = Math.min(limit, d);
        if (s >= inSize - 1) {
          f = 0;
          s = inSize - 1;
        }
      }
    }
    ofs[d] = s;
    w[2 * d] = cvRound(Math.fround(1 - f) * COEF_SCALE);
    w[2 * d + 1] = cvRound(f * COEF_SCALE);
  }
  return { ofs, w, limit };
}

/** Horizontal pass of one source row into `out` (Int32, `outW * cn` values). */
function horizontalRow(src: Uint8Array, rowStart: number, cn: number, tab: AxisTable, out: Int32Array): void {
  const outW = tab.ofs.length;
  const { ofs, w, limit } = tab;
  if (cn === 3) {
    // The common case, unrolled over the three channels.
    for (let d = 0, j = 0; d < outW; d++, j += 3) {
      const b = rowStart + (ofs[d] as number) * 3;
      if (d < limit) {
        const a0 = w[2 * d] as number;
        const a1 = w[2 * d + 1] as number;
        out[j] = (src[b] as number) * a0 + (src[b + 3] as number) * a1;
        out[j + 1] = (src[b + 1] as number) * a0 + (src[b + 4] as number) * a1;
        out[j + 2] = (src[b + 2] as number) * a0 + (src[b + 5] as number) * a1;
      } else {
        out[j] = (src[b] as number) * COEF_SCALE;
        out[j + 1] = (src[b + 1] as number) * COEF_SCALE;
        out[j + 2] = (src[b + 2] as number) * COEF_SCALE;
      }
    }
    return;
  }
  for (let d = 0; d < outW; d++) {
    const base = rowStart + (ofs[d] as number) * cn;
    if (d < limit) {
      const a0 = w[2 * d] as number;
      const a1 = w[2 * d + 1] as number;
      for (let k = 0; k < cn; k++) {
        out[d * cn + k] = (src[base + k] as number) * a0 + (src[base + k + cn] as number) * a1;
      }
    } else {
      for (let k = 0; k < cn; k++) out[d * cn + k] = (src[base + k] as number) * COEF_SCALE;
    }
  }
}

/**
 * Resizes an 8-bit HWC image to `outWidth × outHeight` with OpenCV's INTER_LINEAR.
 * Equal sizes return a copy, as `cv::resize` does.
 */
export function resizeLinear(
  img: Image8,
  outWidth: number,
  outHeight: number,
  options: ResizeLinearOptions = {},
): Image8 {
  const { width, height, channels: cn, data } = img;
  if (outWidth === width && outHeight === height) {
    return { data: data.slice(), width, height, channels: cn };
  }
  const scaleX = 1 / (options.fx ?? outWidth / width);
  const scaleY = 1 / (options.fy ?? outHeight / height);
  const xt = axisTable(width, outWidth, scaleX, true);
  const yt = axisTable(height, outHeight, scaleY, false);
  const rowLen = outWidth * cn;
  const out = new Uint8Array(rowLen * outHeight);
  // Stores saturate to 0…255 as OpenCV's final `v_pack_u` does.
  const sat = new Uint8ClampedArray(out.buffer);
  // Two cached horizontal rows, keyed by source row index (rows are visited in order).
  const rowA = new Int32Array(rowLen);
  const rowB = new Int32Array(rowLen);
  let keyA = -1;
  let keyB = -1;
  const rowOf = (sy: number): Int32Array => {
    const y = sy < 0 ? 0 : sy >= height ? height - 1 : sy;
    if (y === keyA) return rowA;
    if (y === keyB) return rowB;
    // Evict the older row (the one with the smaller index).
    if (keyA < keyB) {
      horizontalRow(data, y * width * cn, cn, xt, rowA);
      keyA = y;
      return rowA;
    }
    horizontalRow(data, y * width * cn, cn, xt, rowB);
    keyB = y;
    return rowB;
  };
  for (let dy = 0; dy < outHeight; dy++) {
    const sy = yt.ofs[dy] as number;
    const s0 = rowOf(sy);
    const s1 = rowOf(sy + 1);
    const b0 = yt.w[2 * dy] as number;
    const b1 = yt.w[2 * dy + 1] as number;
    const o = dy * rowLen;
    // OpenCV's int16 lanes: `v_mul_hi(S >> 4, β)`. A horizontal sum is at most 255·2049, so
    // `S >> 4` ≤ 32655 never saturates the int16 pack, and every product fits in 31 bits.
    for (let x = 0; x < rowLen; x++) {
      const v = ((((s0[x] as number) >> 4) * b0) >> 16) + ((((s1[x] as number) >> 4) * b1) >> 16);
      sat[o + x] = (v + 2) >> 2;
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels: cn };
}
