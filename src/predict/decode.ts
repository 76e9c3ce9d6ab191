/**
 * Image decoding as PaddleSeg's reader does it (spec §6): `cv2.imread(path, IMREAD_COLOR)`
 * for `DATASET.IMAGE_TYPE` rgb/gray — 8-bit, three channels in BGR order, grayscale expanded
 * to three equal channels, alpha dropped (not composited), EXIF orientation applied — and
 * `cv2.imread(path, IMREAD_UNCHANGED)` for rgba — the file's own channels (BGRA when it has
 * alpha, gray+alpha and palette+tRNS become BGRA as OpenCV expands them, plain gray becomes
 * BGR through the reader's GRAY2BGR), and NO orientation (OpenCV applies EXIF orientation
 * for every flag but IMREAD_UNCHANGED). Neither mode does colour management: the embedded ICC
 * profile is ignored, as OpenCV ignores it. sharp decodes; `keepIccProfile()` stops it from
 * converting to sRGB. Two cases OpenCV handles itself, and so does this module: CMYK/YCCK
 * JPEGs (libjpeg's CMYK samples through OpenCV's own conversion, no profile) and BMP files
 * (bmp.ts: sharp has no BMP decoder).
 */
import sharp, { type Sharp } from 'sharp';
import { messageOf, PdsegError } from '../errors.js';
import { readRegularFile } from '../util/read-file.js';
import { decodeBmp, isBmp } from './bmp.js';
import type { Image8 } from './image.js';

/** `IMREAD_COLOR` (rgb/gray image types) or `IMREAD_UNCHANGED` (rgba). */
export type ReadMode = 'color' | 'unchanged';

/** The read mode of PaddleSeg's reader for `DATA_DIM` channels: IMREAD_UNCHANGED for rgba (4). */
export function readModeFor(channels: number): ReadMode {
  return channels === 4 ? 'unchanged' : 'color';
}

/**
 * Decodes encoded image bytes into a BGR (or BGRA) {@link Image8}; `name` is used in error
 * messages.
 */
export async function decodeImageBytes(
  bytes: Uint8Array,
  name: string,
  mode: ReadMode = 'color',
): Promise<Image8> {
  if (isBmp(bytes)) return decodeBmp(bytes, name, mode === 'unchanged');
  try {
    const input = sharp(bytes, { failOn: 'error', limitInputPixels: 1 << 28 });
    if (jpegComponents(bytes) === 4) return await decodeCmykJpeg(input, mode);
    if (mode === 'unchanged') {
      const { depth } = await input.metadata();
      if (depth !== 'uchar' && depth !== 'char') {
        throw new PdsegError(
          'IMAGE_DECODE',
          `image "${name}" is not 8-bit (${depth} samples): with DATASET.IMAGE_TYPE rgba PaddleSeg reads it with cv2.IMREAD_UNCHANGED, which keeps the wide values and still divides by 255 — save it as an 8-bit PNG`,
          { exitCode: 1 },
        );
      }
    }
    const pipeline =
      mode === 'color' ? input.autoOrient().keepIccProfile().removeAlpha() : input.keepIccProfile();
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const cn = info.channels;
    if (mode === 'color' ? cn !== 3 : cn !== 3 && cn !== 4) {
      throw new Error(`decoded to ${cn} channels, expected ${mode === 'color' ? 3 : '3 or 4'}`);
    }
    const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // RGB(A) → BGR(A) in place (OpenCV's channel order).
    for (let i = 0; i < out.length; i += cn) {
      const r = out[i] as number;
      out[i] = out[i + 2] as number;
      out[i + 2] = r;
    }
    return { data: out, width: info.width, height: info.height, channels: cn };
  } catch (e) {
    if (e instanceof PdsegError) throw e;
    throw new PdsegError(
      'IMAGE_DECODE',
      `cannot decode image "${name}": ${reasonOf(e)}; check that the file is a complete JPEG, PNG, BMP, TIFF or WebP image`,
      { cause: e, exitCode: 1 },
    );
  }
}

/**
 * The component count of a JPEG's frame header (4 for CMYK and YCCK), read from the marker
 * segments without decoding; undefined for anything that is not a readable JPEG header.
 */
export function jpegComponents(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): Nf is the 6th byte of the segment.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return at + 9 < bytes.length ? bytes[at + 9] : undefined;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before a frame header
    at += 2 + length;
  }
  return undefined;
}

/**
 * A CMYK (or YCCK) JPEG as OpenCV reads it: libjpeg's CMYK samples — stored inverted, as
 * Adobe writes them — turned into BGR by OpenCV's own formula, per channel
 * `k − ((255 − v)·k >> 8)` on the stored values, with no colour profile; EXIF orientation
 * applied for IMREAD_COLOR only. libvips un-inverts Adobe CMYK on load, so the stored value is
 * `255 −` what it returns.
 */
async function decodeCmykJpeg(input: Sharp, mode: ReadMode): Promise<Image8> {
  const oriented = mode === 'color' ? input.autoOrient() : input;
  const { data, info } = await oriented
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`CMYK JPEG decoded to ${info.channels} channels`);
  const n = info.width * info.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = 255 - data[i * 4 + 3]!;
    // Stored c = 255 − C, so 255 − c = C: OpenCV's `k − ((255 − c)·k >> 8)`.
    const conv = (v: number) => k - ((v * k) >> 8);
    out[i * 3] = conv(data[i * 4 + 2]!);
    out[i * 3 + 1] = conv(data[i * 4 + 1]!);
    out[i * 3 + 2] = conv(data[i * 4]!);
  }
  return { data: out, width: info.width, height: info.height, channels: 3 };
}

/** Largest image file read (a 16k×16k PNG is far below it). */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 * 1024;

/** Reads and decodes the image file at `path` (see {@link decodeImageBytes}). */
export async function decodeImageFile(path: string, mode: ReadMode = 'color'): Promise<Image8> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, MAX_IMAGE_FILE_BYTES);
  } catch (e) {
    throw new PdsegError('IMAGE_DECODE', `cannot read image "${path}": ${messageOf(e)}`, {
      cause: e,
      exitCode: 1,
    });
  }
  return decodeImageBytes(bytes, path, mode);
}

/** The first line of a decoder message, without libvips' prefixes. */
function reasonOf(e: unknown): string {
  const text = messageOf(e).split('\n')[0] ?? '';
  return text.replace(/^Input (buffer|file) /, '').trim() || 'unknown decoder error';
}
