/**
 * Image decoding as `cv2.imread(path, cv2.IMREAD_COLOR)` (spec §6): 8-bit, three channels in
 * BGR order, grayscale expanded to three equal channels, alpha dropped (not composited), EXIF
 * orientation applied, and NO colour management — the embedded ICC profile is ignored, as
 * OpenCV ignores it. sharp decodes; `keepIccProfile()` stops it from converting to sRGB.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { messageOf, PdsegError } from '../errors.js';
import type { Image8 } from './image.js';

/** Decodes encoded image bytes into a BGR {@link Image8}; `name` is used in error messages. */
export async function decodeImageBytes(bytes: Uint8Array, name: string): Promise<Image8> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: 1 << 28 })
      .autoOrient()
      .keepIccProfile()
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoded to ${info.channels} channels, expected 3`);
    }
    const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // RGB → BGR in place (OpenCV's channel order).
    for (let i = 0; i < out.length; i += 3) {
      const r = out[i] as number;
      out[i] = out[i + 2] as number;
      out[i + 2] = r;
    }
    return { data: out, width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new PdsegError(
      'IMAGE_DECODE',
      `cannot decode image "${name}": ${reasonOf(e)}; check that the file is a complete JPEG, PNG, BMP, TIFF or WebP image`,
      { cause: e, exitCode: 1 },
    );
  }
}

/** Reads and decodes the image file at `path` (see {@link decodeImageBytes}). */
export async function decodeImageFile(path: string): Promise<Image8> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new PdsegError('IMAGE_DECODE', `cannot read image "${path}": ${messageOf(e)}`, {
      cause: e,
      exitCode: 1,
    });
  }
  return decodeImageBytes(bytes, path);
}

/** The first line of a decoder message, without libvips' prefixes. */
function reasonOf(e: unknown): string {
  const text = messageOf(e).split('\n')[0] ?? '';
  return text.replace(/^Input (buffer|file) /, '').trim() || 'unknown decoder error';
}
