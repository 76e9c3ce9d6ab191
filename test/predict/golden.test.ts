/** Decode, INTER_LINEAR resize, padding and INTER_NEAREST against OpenCV 4.6 goldens (shared testdata). */
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/predict/decode.js';
import type { Image8 } from '../../src/predict/image.js';
import { padBottomRight, paddingByte } from '../../src/predict/pad.js';
import { resizeLinear, scaledSize } from '../../src/predict/resize-linear.js';
import { resizeNearest } from '../../src/predict/resize-nearest.js';
import { SHARED } from '../helpers.js';

const IMAGES = join(SHARED, 'testdata', 'images');
const GOLDEN = join(SHARED, 'testdata', 'golden');
const FILES = ['retina.jpg', 'coffee.png', 'chelsea.png', 'astronaut.png', 'rocket.jpg', 'camera.png'];

/** Reads a golden PNG; colour goldens are stored so that decoding gives RGB = reversed BGR. */
async function golden(name: string, bgr: boolean): Promise<Image8> {
  const { data, info } = await sharp(join(GOLDEN, name)).raw().toBuffer({ resolveWithObject: true });
  const d = new Uint8Array(data);
  if (bgr && info.channels === 3) {
    for (let i = 0; i < d.length; i += 3) {
      const t = d[i] as number;
      d[i] = d[i + 2] as number;
      d[i + 2] = t;
    }
  }
  return { data: d, width: info.width, height: info.height, channels: info.channels };
}

/** Count of differing values (0 means identical). */
function differing(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe.each(FILES)('%s against OpenCV goldens', (file) => {
  const stem = file.split('.')[0] as string;

  it('decodes as cv2.imread(IMREAD_COLOR)', async () => {
    const img = await decodeImageFile(join(IMAGES, file));
    const g = await golden(`${stem}.decoded.png`, true);
    expect([img.width, img.height, img.channels]).toEqual([g.width, g.height, 3]);
    expect(differing(img.data, g.data)).toBe(0);
  });

  it('resizes to 512x512 as cv2.resize INTER_LINEAR', async () => {
    const img = await decodeImageFile(join(IMAGES, file));
    const g = await golden(`${stem}.linear512.png`, true);
    expect(differing(resizeLinear(img, 512, 512).data, g.data)).toBe(0);
  });

  it('rangescaling 500 then pads to 512 with 128', async () => {
    const img = await decodeImageFile(join(IMAGES, file));
    const g = await golden(`${stem}.rangescaling500.pad512.png`, true);
    const s = 500 / Math.max(img.width, img.height);
    const [w, h] = scaledSize(img.width, img.height, s, s);
    const fill = paddingByte(127.5);
    const out = padBottomRight(resizeLinear(img, w, h, { fx: s, fy: s }), 512, 512, [fill, fill, fill]);
    expect(differing(out.data, g.data)).toBe(0);
  });

  it('resizes a 64x64 label map back with INTER_NEAREST', async () => {
    const img = await sharp(join(IMAGES, file)).metadata();
    const lab = await golden(`${stem}.label64.png`, false);
    const g = await golden(`${stem}.label64.nearest.png`, false);
    // Labels are single-valued; take channel 0 of whatever the PNG stores.
    const one = (im: Image8): Image8 => ({
      data: im.data.filter((_, i) => i % im.channels === 0),
      width: im.width,
      height: im.height,
      channels: 1,
    });
    const out = resizeNearest(one(lab), img.width as number, img.height as number);
    expect(differing(out.data, one(g).data)).toBe(0);
  });
});

describe('OpenCV rounding helpers', () => {
  it('rounds the default padding 127.5 to 128 and clamps', () => {
    expect(paddingByte(127.5)).toBe(128);
    expect(paddingByte(126.5)).toBe(126);
    expect(paddingByte(-3)).toBe(0);
    expect(paddingByte(300)).toBe(255);
  });
  it('sizes fx/fy resizes with round-half-even', () => {
    expect(scaledSize(600, 400, 500 / 600, 500 / 600)).toEqual([500, 333]);
    expect(scaledSize(640, 427, 500 / 640, 500 / 640)).toEqual([500, 334]);
  });
});
