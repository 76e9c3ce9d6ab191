/**
 * decode as cv2.imread(IMREAD_COLOR) on inputs the shared goldens don't cover — EXIF
 * orientations 3/6/8 in JPEG and PNG, 16-bit RGB and gray PNGs, RGBA (alpha dropped) —
 * against what OpenCV 4.6 returned (test/reference/predict/make_decode_reference.py),
 * and the one-line errors for corrupt files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { decodeImageBytes, decodeImageFile } from '../../src/predict/decode.js';
import { ROOT } from '../helpers.js';

const HERE = join(ROOT, 'test', 'reference', 'predict');
const ref = JSON.parse(readFileSync(join(HERE, 'decode-reference.json'), 'utf8')) as {
  opencv: string;
  files: Record<string, { shape: number[]; bgr: string }>;
};

describe(`decode against cv2.imread (OpenCV ${ref.opencv})`, () => {
  it.each(Object.keys(ref.files))('%s', async (name) => {
    const expected = ref.files[name]!;
    const img = await decodeImageFile(join(HERE, 'decode', name));
    expect([img.height, img.width, img.channels]).toEqual(expected.shape);
    expect(Buffer.from(img.data).equals(Buffer.from(expected.bgr, 'base64'))).toBe(true);
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
  it('names a truncated JPEG', async () => {
    const jpg = readFileSync(join(HERE, 'decode', 'exif3.jpg'));
    const e = await errorOf(jpg.subarray(0, jpg.length >> 1), 'half.jpg');
    expect(e.code).toBe('IMAGE_DECODE');
    expect(e.message).toContain('"half.jpg"');
    expect(e.exitCode).toBe(1);
  });
});
