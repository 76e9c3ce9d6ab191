/**
 * Op-level checks of the graph builder's Paddle mappings (spec §9.1 `bilinear_interp`,
 * §9.2 adaptive `pool2d`), run with onnxruntime-node: small cases worked out by hand from
 * the spec's formulas, and random cases against the naive reference kernels.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { adaptiveAvgPool2d, adaptiveBins } from '../../src/models/libs/adaptive-pool.js';
import { GraphBuilder, type Value } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { adaptiveAvgPool, bilinearInterp, chw } from '../reference/paddle-ops.js';

async function run(
  shape: [number, number, number, number],
  data: Float32Array,
  build: (b: GraphBuilder, x: Value) => Value,
): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const b = new GraphBuilder({ name: 'op' });
  const x = b.input('x', ['N', shape[1], shape[2], shape[3]]);
  const y = build(b, x);
  b.output(y);
  const session = await ort.InferenceSession.create(
    encodeModel(b.toModel({ producerVersion: 'test', metadata: [] })),
  );
  const out = await session.run({ x: new ort.Tensor('float32', data, shape) });
  const t = out[y.name]!;
  return { dims: t.dims, data: t.data as Float32Array };
}

function close(got: Float32Array, want: ArrayLike<number>, abs = 1e-6, rel = 1e-6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = abs + rel * Math.abs(want[i]!);
    if (Math.abs(got[i]! - want[i]!) > tol) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
    }
  }
}

const square = Float32Array.from([1, 2, 3, 4]);

describe('bilinear_interp (spec §9.1)', () => {
  test('align_corners=True: 2×2 → 3×3 puts the corners on the corners', async () => {
    const y = await run([1, 1, 2, 2], square, (b, x) => b.resizeBilinear(x, [3, 3]));
    expect(y.dims).toEqual([1, 1, 3, 3]);
    close(y.data, [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
  });

  test('align_corners=False, align_mode=1: src = dst·in/out, upper neighbour clamped', async () => {
    // ratio 0.5: src rows 0, 0.5, 1, 1.5 → the last two both read row 1.
    const y = await run([1, 1, 2, 2], square, (b, x) =>
      b.resizeBilinear(x, [4, 4], { alignCorners: false, alignMode: 1 }),
    );
    close(y.data, [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4]);
  });

  test('align_corners=False, align_mode=0: half-pixel centres clamped at 0', async () => {
    // src = max((dst+0.5)·0.5 − 0.5, 0) = 0, 0.25, 0.75, 1.25 → weights (1,0), (.75,.25), (.25,.75), (0,1).
    const y = await run([1, 1, 2, 2], square, (b, x) =>
      b.resizeBilinear(x, [4, 4], { alignCorners: false, alignMode: 0 }),
    );
    close(y.data, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });

  test.each([
    [true, 1, 7, 9, 13, 5],
    [true, 1, 8, 8, 64, 64],
    [true, 1, 1, 1, 13, 13],
    [false, 1, 7, 9, 13, 5],
    [false, 0, 7, 9, 13, 5],
    [false, 0, 12, 10, 5, 23],
  ] as const)(
    'align_corners=%s align_mode=%s %i×%i → %i×%i matches the reference kernel',
    async (ac, am, h, w, oh, ow) => {
      const rnd = mulberry32(h * 100 + ow);
      const x = chw(2, h, w);
      for (let i = 0; i < x.data.length; i++) x.data[i] = rnd() * 4 - 2;
      const y = await run([1, 2, h, w], x.data, (b, v) =>
        b.resizeBilinear(v, [oh, ow], { alignCorners: ac, alignMode: am }),
      );
      close(y.data, bilinearInterp(x, oh, ow, ac, am).data, 1e-5, 1e-5);
    },
  );
});

describe('adaptive avg pool2d (spec §9.2)', () => {
  test('bins overlap where the size does not divide: the spec examples on 64', () => {
    expect(adaptiveBins(64, 3)).toEqual([
      [0, 22],
      [21, 43],
      [42, 64],
    ]);
    expect(adaptiveBins(64, 6)).toEqual([
      [0, 11],
      [10, 22],
      [21, 32],
      [32, 43],
      [42, 54],
      [53, 64],
    ]);
  });

  test('5×5 → 3×3 averages the overlapping bins [0,2), [1,4), [3,5)', async () => {
    // x[i][j] = 5i + j, so a bin's mean is 5·(mean row) + (mean column); bin means 0.5, 2, 3.5.
    const x = Float32Array.from({ length: 25 }, (_, k) => k);
    const y = await run([1, 1, 5, 5], x, (b, v) => adaptiveAvgPool2d(b, v, [3, 3]));
    const m = [0.5, 2, 3.5];
    close(
      y.data,
      m.flatMap((r) => m.map((c) => 5 * r + c)),
      1e-5,
    );
  });

  test.each([
    [8, 8, 1],
    [8, 8, 2],
    [8, 8, 3],
    [8, 8, 6],
    [13, 13, 6],
    [13, 11, 3],
    [64, 64, 6],
  ])('%i×%i → %i×%i matches the reference kernel', async (h, w, s) => {
    const rnd = mulberry32(h * w + s);
    const x = chw(3, h, w);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rnd() * 2 - 1;
    const y = await run([1, 3, h, w], x.data, (b, v) => adaptiveAvgPool2d(b, v, [s, s]));
    expect(y.dims).toEqual([1, 3, s, s]);
    close(y.data, adaptiveAvgPool(x, s, s).data, 1e-5, 1e-5);
  });
});
