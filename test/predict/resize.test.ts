/**
 * cv2.resize INTER_LINEAR / INTER_NEAREST on small random images against outputs OpenCV 4.6
 * computed (test/reference/predict/make_resize_reference.py): upscaling, downscaling, exact
 * 2× downscaling, fx/fy factors, odd sizes, 1 and 3 channels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resizeLinear } from '../../src/predict/resize-linear.js';
import { resizeNearest } from '../../src/predict/resize-nearest.js';
import { ROOT } from '../helpers.js';

interface Case {
  kind: 'linear' | 'nearest';
  width: number;
  height: number;
  channels: number;
  dsize: [number, number] | null;
  fx: number | null;
  outWidth: number;
  outHeight: number;
  src: string;
  out: string;
}

const ref = JSON.parse(
  readFileSync(join(ROOT, 'test', 'reference', 'predict', 'resize-reference.json'), 'utf8'),
) as {
  opencv: string;
  cases: Case[];
};

describe(`resize against OpenCV ${ref.opencv}`, () => {
  it.each(
    ref.cases.map(
      (c) =>
        [
          `${c.kind} ${c.width}x${c.height}x${c.channels} → ${c.outWidth}x${c.outHeight}${c.fx ? ` (fx ${c.fx})` : ''}`,
          c,
        ] as const,
    ),
  )('%s', (_, c) => {
    const img = {
      data: new Uint8Array(Buffer.from(c.src, 'base64')),
      width: c.width,
      height: c.height,
      channels: c.channels,
    };
    const opts = c.fx ? { fx: c.fx, fy: c.fx } : {};
    const out =
      c.kind === 'linear'
        ? resizeLinear(img, c.outWidth, c.outHeight, opts)
        : resizeNearest(img, c.outWidth, c.outHeight, opts);
    expect([out.width, out.height]).toEqual([c.outWidth, c.outHeight]);
    const expected = new Uint8Array(Buffer.from(c.out, 'base64'));
    let diff = 0;
    for (let i = 0; i < expected.length; i++) if (out.data[i] !== expected[i]) diff++;
    expect(diff).toBe(0);
  });
});
