/**
 * decode as cv2.imread(IMREAD_COLOR) on inputs the shared goldens don't cover — EXIF
 * orientations 3/6/8 in JPEG and PNG, 16-bit RGB and gray PNGs, RGBA, gray+alpha and
 * palette+tRNS (alpha dropped), CMYK JPEGs (with and without EXIF orientation), BMPs of
 * 1/4/8 (core and info headers), 16 (5-5-5 and 5-6-5 masks), 24 (bottom-up and top-down) and
 * 32 bits (with and without an alpha mask) — and as PaddleSeg's rgba reader (IMREAD_UNCHANGED, then
 * GRAY2BGR for 2-D results) on the same files, against what OpenCV 4.6 returned
 * (test/reference/predict/make_decode_reference.py), and the one-line errors for corrupt files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { decodeImageBytes, decodeImageFile, jpegComponents } from '../../src/predict/decode.js';
import { ROOT, SHARED } from '../helpers.js';

const HERE = join(ROOT, 'test', 'reference', 'predict');
const ref = JSON.parse(readFileSync(join(HERE, 'decode-reference.json'), 'utf8')) as {
  opencv: string;
  files: Record<
    string,
    { shape: number[]; bgr: string; unchanged: { shape: number[]; dtype: string; data: string } }
  >;
};

describe(`decode against cv2.imread (OpenCV ${ref.opencv})`, () => {
  it.each(Object.keys(ref.files))('%s', async (name) => {
    const expected = ref.files[name]!;
    const img = await decodeImageFile(join(HERE, 'decode', name));
    expect([img.height, img.width, img.channels]).toEqual(expected.shape);
    expect(Buffer.from(img.data).equals(Buffer.from(expected.bgr, 'base64'))).toBe(true);
  });
});

describe(`decode for IMAGE_TYPE rgba against cv2.imread(IMREAD_UNCHANGED) (OpenCV ${ref.opencv})`, () => {
  const eightBit = Object.keys(ref.files).filter((n) => ref.files[n]!.unchanged.dtype === 'uint8');
  it.each(eightBit)('%s', async (name) => {
    const expected = ref.files[name]!.unchanged;
    const img = await decodeImageFile(join(HERE, 'decode', name), 'unchanged');
    expect([img.height, img.width, img.channels]).toEqual(expected.shape);
    expect(Buffer.from(img.data).equals(Buffer.from(expected.data, 'base64'))).toBe(true);
  });

  it('covers alpha, expanded alpha and unrotated EXIF files', () => {
    const four = eightBit.filter((n) => ref.files[n]!.unchanged.shape[2] === 4);
    expect(four.sort()).toEqual([
      'bmp32-alpha.bmp',
      'exif6-rgba.png',
      'graya.png',
      'palette-trns.png',
      'rgba.png',
    ]);
  });

  it.each(Object.keys(ref.files).filter((n) => ref.files[n]!.unchanged.dtype !== 'uint8'))(
    '%s: 16-bit samples are refused, naming the file',
    async (name) => {
      const e = await decodeImageFile(join(HERE, 'decode', name), 'unchanged').catch((x) => x);
      expect(e).toBeInstanceOf(PdsegError);
      expect((e as PdsegError).code).toBe('IMAGE_DECODE');
      expect((e as PdsegError).message).toContain(`${name}" is not 8-bit (ushort samples)`);
    },
  );
});

describe('the JPEG frame header scan that routes CMYK files', () => {
  it('gives the component count sharp reads, on real photos (ICC, EXIF segments) and the CMYK files', async () => {
    const files = [
      join(SHARED, 'testdata', 'images', 'retina.jpg'),
      join(SHARED, 'testdata', 'images', 'rocket.jpg'),
      ...['cmyk.jpg', 'cmyk-exif6.jpg', 'exif3.jpg', 'exif6.jpg'].map((n) => join(HERE, 'decode', n)),
    ];
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(jpegComponents(bytes), f).toBe((await sharp(bytes).metadata()).channels);
    }
    expect(jpegComponents(readFileSync(join(HERE, 'decode', 'cmyk.jpg')))).toBe(4);
  });
  it('gives nothing for other files and cut headers', () => {
    expect(jpegComponents(readFileSync(join(HERE, 'decode', 'rgba.png')))).toBeUndefined();
    expect(jpegComponents(readFileSync(join(HERE, 'decode', 'exif3.jpg')).subarray(0, 30))).toBeUndefined();
  });
});

describe('corrupt inputs', () => {
  const errorOf = async (bytes: Uint8Array, name: string): Promise<PdsegError> => {
    const e = await decodeImageBytes(bytes, name).catch((x) => x);
    expect(e).toBeInstanceOf(PdsegError);
    return e as PdsegError;
  };
  it('names a text file posing as a PNG', async () => {
    const e = await errorOf(new TextEncoder().encode('hello, not an image\n'), 'notes.png');
    expect(e.code).toBe('IMAGE_DECODE');
    expect(e.message).toContain('cannot decode image "notes.png"');
    expect(e.message.includes('\n')).toBe(false);
  });
  it('names an RLE-compressed BMP and says what to do', async () => {
    const bmp = Buffer.from(readFileSync(join(HERE, 'decode', 'bmp8.bmp')));
    bmp.writeUInt32LE(1, 30); // BI_RLE8
    const e = await errorOf(bmp, 'scan.bmp');
    expect(e.code).toBe('IMAGE_DECODE');
    expect(e.message).toContain(
      'cannot decode BMP "scan.bmp": compression 1 (RLE8) is not supported; save it as PNG',
    );
  });
  it('names a truncated BMP', async () => {
    const bmp = readFileSync(join(HERE, 'decode', 'bmp24.bmp'));
    const e = await errorOf(bmp.subarray(0, bmp.length - 100), 'cut.bmp');
    expect(e.message).toContain('cannot decode BMP "cut.bmp": pixel data shorter than the header says');
  });
  it('names a truncated JPEG', async () => {
    const jpg = readFileSync(join(HERE, 'decode', 'exif3.jpg'));
    const e = await errorOf(jpg.subarray(0, jpg.length >> 1), 'half.jpg');
    expect(e.code).toBe('IMAGE_DECODE');
    expect(e.message).toContain('"half.jpg"');
    expect(e.exitCode).toBe(1);
  });
});
