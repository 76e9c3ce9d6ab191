/**
 * Label images as PaddleSeg reads them (spec §6): PIL `np.asarray(Image.open(path))`, i.e.
 * the stored values — palette INDICES for palette PNGs (not their colours), gray levels for
 * grayscale PNGs. sharp expands palettes to RGB, so 8-bit gray and palette PNGs (bit depths
 * 1, 2, 4, 8; non-interlaced, the form label tools write) are decoded here with `node:zlib`.
 */

import { inflateSync } from 'node:zlib';
import { messageOf, PdsegError } from '../errors.js';
import { MAX_IMAGE_FILE_BYTES } from '../predict/decode.js';
import type { Image8 } from '../predict/image.js';
import { readRegularFile } from '../util/read-file.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function bad(path: string, reason: string, cause?: unknown): PdsegError {
  return new PdsegError(
    'DATASET',
    `cannot read label "${path}": ${reason}; labels must be single-channel (gray or palette) PNGs whose values are class ids`,
    { cause },
  );
}

/** Paeth predictor of the PNG specification. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes the stored values of a gray or palette PNG (one value per pixel). */
export function decodeLabelPng(bytes: Uint8Array, path: string): Image8 {
  if (bytes.length < 8 || PNG_SIGNATURE.some((v, i) => bytes[i] !== v)) throw bad(path, 'not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let interlace = 0;
  const idat: Uint8Array[] = [];
  let o = 8;
  while (o + 8 <= bytes.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...bytes.subarray(o + 4, o + 8));
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (data.length !== len) throw bad(path, `truncated ${type} chunk`);
    if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      depth = data[8] as number;
      colorType = data[9] as number;
      interlace = data[12] as number;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    o += 12 + len;
  }
  if (colorType !== 0 && colorType !== 3) {
    throw bad(path, `PNG colour type ${colorType} has several channels (PIL would give an H×W×C array)`);
  }
  if (depth > 8) throw bad(path, `${depth}-bit PNG labels are not supported`);
  if (interlace !== 0) throw bad(path, 'interlaced PNG labels are not supported');
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw bad(path, `corrupt image data (${messageOf(e)})`, e);
  }
  const stride = Math.ceil((width * depth) / 8);
  if (raw.length < height * (stride + 1)) throw bad(path, 'truncated image data');
  const bpp = 1; // filter unit: one byte for depths ≤ 8 with one channel
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)] as number;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (rows[dst + x - bpp] as number) : 0;
      const b = y > 0 ? (rows[dst - stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (rows[dst - stride + x - bpp] as number) : 0;
      const v = raw[src + x] as number;
      let r: number;
      if (f === 0) r = v;
      else if (f === 1) r = v + a;
      else if (f === 2) r = v + b;
      else if (f === 3) r = v + ((a + b) >> 1);
      else if (f === 4) r = v + paeth(a, b, c);
      else throw bad(path, `unknown PNG filter type ${f}`);
      rows[dst + x] = r & 0xff;
    }
  }
  if (depth === 8) return { data: rows, width, height, channels: 1 };
  const out = new Uint8Array(width * height);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const byte = rows[y * stride + Math.floor(x / perByte)] as number;
      const shift = 8 - depth * ((x % perByte) + 1);
      // PIL keeps palette indices; 1-bit gray is mode "1" (numpy bools 0/1); 2/4-bit gray is
      // unpacked to "L" scaled to 0…255.
      const v = (byte >> shift) & mask;
      out[y * width + x] = colorType === 0 && depth > 1 ? Math.round((v * 255) / mask) : v;
    }
  return { data: out, width, height, channels: 1 };
}

/** Reads a label file (see {@link decodeLabelPng}). */
export async function readLabel(path: string): Promise<Image8> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, MAX_IMAGE_FILE_BYTES);
  } catch (e) {
    throw bad(path, messageOf(e), e);
  }
  return decodeLabelPng(bytes, path);
}
