/**
 * Windows BMP decoding to what `cv2.imread` returns (the image decoder sharp lacks): the
 * BITMAPCOREHEADER (12), BITMAPINFOHEADER (40) and V4/V5 (108/124) headers; 1, 4 and 8-bit
 * palettes, 16-bit (5-5-5, or the 5-6-5 / 5-5-5 masks of BI_BITFIELDS), 24-bit and 32-bit
 * (BI_RGB, or BI_BITFIELDS with byte-aligned masks) pixels; bottom-up and top-down rows,
 * each padded to 4 bytes. Output is BGR, 8-bit; 5- and 6-bit channels are widened by a left
 * shift (`v << 3`, `v << 2`) as OpenCV widens them, without replicating the high bits.
 * OpenCV keeps a fourth channel for IMREAD_UNCHANGED only for 32-bit files whose header
 * declares an alpha mask; so does this. One quirk is kept too: for a palette in the old
 * 12-byte header, IMREAD_UNCHANGED gives OpenCV's gray of each palette colour
 * (`(1868·b + 9617·g + 4899·r + 8192) >> 14`), which PaddleSeg's reader then turns back
 * into three equal channels. RLE-compressed files are refused by name.
 */
import { PdsegError } from '../errors.js';
import type { Image8 } from './image.js';

/** True when `bytes` start like a BMP file. */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function fail(name: string, why: string): never {
  throw new PdsegError(
    'IMAGE_DECODE',
    `cannot decode BMP "${name}": ${why}; save it as PNG (any tool: \`convert in.bmp out.png\`) if it is a valid BMP`,
    { exitCode: 1 },
  );
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;

/** Decodes a BMP file; `unchanged` keeps an alpha channel the header declares. */
export function decodeBmp(bytes: Uint8Array, name: string, unchanged = false): Image8 {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 26 || !isBmp(bytes)) fail(name, 'no BMP header');
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  let paletteEntry = 4;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntry = 3;
  } else if (
    headerSize === 40 ||
    headerSize === 52 ||
    headerSize === 56 ||
    headerSize === 108 ||
    headerSize === 124
  ) {
    if (bytes.length < 14 + headerSize) fail(name, 'truncated header');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
  } else {
    fail(name, `unknown header size ${headerSize}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0 || width * height > 1 << 28) fail(name, `bad size ${width}×${height}`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS) {
    fail(
      name,
      `compression ${compression} (${compression === 1 ? 'RLE8' : compression === 2 ? 'RLE4' : 'other'}) is not supported`,
    );
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(name, `${bpp} bits per pixel`);
  if (compression === BI_BITFIELDS && bpp !== 16 && bpp !== 32)
    fail(name, `BI_BITFIELDS with ${bpp} bits per pixel`);

  // Channel masks: in the header (V2+) or right after a 40-byte one.
  let masks: [number, number, number, number] =
    bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0x00ff00, 0x0000ff, 0];
  if (compression === BI_BITFIELDS) {
    const at = 14 + 40;
    if (bytes.length < at + 12) fail(name, 'truncated channel masks');
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true), 0];
  }
  if (headerSize >= 56 && bytes.length >= 14 + 56) masks[3] = dv.getUint32(14 + 52, true);
  const alpha = unchanged && bpp === 32 && masks[3] !== 0;

  // Palette.
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const count = colorsUsed || 1 << bpp;
    const at = 14 + headerSize;
    if (count > 256 || at + count * paletteEntry > bytes.length) fail(name, 'truncated palette');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count; i++)
      for (let c = 0; c < 3; c++) palette[i * 3 + c] = bytes[at + i * paletteEntry + c]!;
    if (unchanged && headerSize === 12) {
      for (let i = 0; i < 256; i++) {
        const [b, g, r] = [palette[i * 3]!, palette[i * 3 + 1]!, palette[i * 3 + 2]!];
        palette.fill((1868 * b + 9617 * g + 4899 * r + 8192) >> 14, i * 3, i * 3 + 3);
      }
    }
  }

  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) fail(name, 'pixel data shorter than the header says');
  const cn = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * cn);
  const field = (v: number, mask: number): number => {
    if (mask === 0) return 0;
    const shift = 31 - Math.clz32(mask & -mask);
    const bits = 32 - Math.clz32(mask >>> shift);
    const x = (v & mask) >>> shift;
    return bits >= 8 ? x >>> (bits - 8) : x << (8 - bits);
  };
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * cn;
      if (palette) {
        const bit = x * bpp;
        const byte = bytes[row + (bit >> 3)]!;
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[index * 3]!;
        out[o + 1] = palette[index * 3 + 1]!;
        out[o + 2] = palette[index * 3 + 2]!;
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = bytes[p]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p + 2]!;
      } else {
        const v = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        out[o] = field(v, masks[2]);
        out[o + 1] = field(v, masks[1]);
        out[o + 2] = field(v, masks[0]);
        if (alpha) out[o + 3] = field(v, masks[3]);
      }
    }
  }
  return { data: out, width, height, channels: cn };
}
