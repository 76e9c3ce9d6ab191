/**
 * The PSP fold against the literal graph, both run by onnxruntime: hand-built graphs (a
 * 3×3 convolution over a concat of a full-size map and align_corners upsamplings, square and
 * not, with and without bias and a plain part) and the exported PSPNet fixture at two crop
 * sizes. The interpolation matrix is checked against values worked out by hand from §9.1.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../src/onnx/encode.js';
import { AttributeType, type ModelProto, type NodeProto, TensorDataType } from '../../src/onnx/types.js';
import { alignCornersMatrix, foldUpsampledConcat } from '../../src/predict/fold-upsampled-concat.js';
import { collectInputs } from '../../src/predict/inputs.js';
import { loadLabelModel, readModel } from '../../src/predict/load-model.js';
import { predictImages } from '../../src/predict/pipeline.js';
import { SegSession } from '../../src/predict/session.js';
import { floatInfo, modelOf } from '../fixtures/onnx-model.js';
import { makePspnetFixture } from '../fixtures/pspnet.js';
import { mulberry32 } from '../fixtures/seeded-weights.js';
import { tempDir } from '../helpers.js';
import { writeTestImage } from './images.js';

describe('alignCornersMatrix (Paddle bilinear_interp, align_corners=True, spec §9.1)', () => {
  it('2 → 4: ratio 1/3, corners kept', () => {
    const r = Array.from(alignCornersMatrix(2, 4));
    const third = Math.fround(1 / 3);
    const expected = [1, 0, 1 - third, third, 1 - Math.fround(2 * third), Math.fround(2 * third), 0, 1];
    for (let i = 0; i < r.length; i++) expect(r[i]).toBeCloseTo(expected[i] as number, 6);
  });

  it('1 → 5 is a broadcast (ratio 0)', () => {
    expect(Array.from(alignCornersMatrix(1, 5))).toEqual([1, 1, 1, 1, 1]);
  });

  it('every row sums to 1 and touches at most two neighbours', () => {
    for (const [i, o] of [
      [6, 64],
      [3, 64],
      [2, 13],
    ] as const) {
      const r = alignCornersMatrix(i, o);
      for (let k = 0; k < o; k++) {
        const row = Array.from(r.subarray(k * i, (k + 1) * i));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        expect(row.filter((v) => v !== 0).length).toBeLessThanOrEqual(2);
      }
    }
  });
});

/** Builds `conv3x3(concat(parts…))` on an input x [1, c, h, w]; parts are x itself or upsampled average pools. */
function concatConvModel(o: {
  c: number;
  h: number;
  w: number;
  cout: number;
  /** 'x' for the input itself, or [ph, pw] for AveragePool(x) to ph×pw then an align_corners resize back. */
  parts: ('x' | [number, number])[];
  bias: boolean;
  /** Also read the first resize's output from a second node (it must then stay). */
  extraReader?: boolean;
  /** Write value_info shapes (the fold needs them). */
  shapes?: boolean;
  seed?: number;
}): ModelProto {
  const rand = mulberry32(o.seed ?? 7);
  const f32 = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() - 0.5) * scale);
  const nodes: NodeProto[] = [];
  const vi: { name: string; dims: number[] }[] = [];
  const inits: ModelProto['graph']['initializer'] = [];
  const concatInputs: string[] = [];
  const ints = (name: string, v: number[]) => ({ name, type: AttributeType.INTS, ints: v });
  const str = (name: string, v: string) => ({
    name,
    type: AttributeType.STRING,
    s: new TextEncoder().encode(v),
  });
  o.parts.forEach((p, k) => {
    if (p === 'x') {
      concatInputs.push('x');
      return;
    }
    const [ph, pw] = p;
    const pool = `pool${k}`;
    const up = `up${k}`;
    nodes.push({
      name: pool,
      opType: 'AveragePool',
      domain: '',
      input: ['x'],
      output: [pool],
      attribute: [ints('kernel_shape', [o.h / ph, o.w / pw]), ints('strides', [o.h / ph, o.w / pw])],
      docString: '',
    });
    inits.push({
      name: `${up}_scales`,
      dims: [4],
      dataType: TensorDataType.FLOAT,
      rawData: new Uint8Array(Float32Array.from([1, 1, o.h / ph, o.w / pw]).buffer),
    });
    nodes.push({
      name: up,
      opType: 'Resize',
      domain: '',
      input: [pool, '', `${up}_scales`],
      output: [up],
      attribute: [str('mode', 'linear'), str('coordinate_transformation_mode', 'align_corners')],
      docString: '',
    });
    vi.push({ name: pool, dims: [-1, o.c, ph, pw] }, { name: up, dims: [-1, o.c, o.h, o.w] });
    concatInputs.push(up);
  });
  const cin = o.c * o.parts.length;
  nodes.push({
    name: 'cat',
    opType: 'Concat',
    domain: '',
    input: concatInputs,
    output: ['cat'],
    attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }],
    docString: '',
  });
  vi.push({ name: 'cat', dims: [-1, cin, o.h, o.w] });
  inits.push({
    name: 'W',
    dims: [o.cout, cin, 3, 3],
    dataType: TensorDataType.FLOAT,
    rawData: new Uint8Array(f32(o.cout * cin * 9, 0.4).buffer),
  });
  if (o.bias) {
    inits.push({
      name: 'B',
      dims: [o.cout],
      dataType: TensorDataType.FLOAT,
      rawData: new Uint8Array(f32(o.cout, 1).buffer),
    });
  }
  nodes.push({
    name: 'conv',
    opType: 'Conv',
    domain: '',
    input: o.bias ? ['cat', 'W', 'B'] : ['cat', 'W'],
    output: ['conv'],
    attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])],
    docString: '',
  });
  let out = 'conv';
  if (o.extraReader) {
    nodes.push({
      name: 'extra',
      opType: 'Mul',
      domain: '',
      input: ['conv', concatInputs.find((t) => t !== 'x') as string],
      output: ['y'],
      attribute: [],
      docString: '',
    });
    out = 'y';
  }
  return modelOf({
    name: 'g',
    node: nodes,
    initializer: inits,
    input: [floatInfo('x', [-1, o.c, o.h, o.w])],
    output: [floatInfo(out, [-1, o.extraReader ? o.c : o.cout, o.h, o.w])],
    valueInfo: o.shapes === false ? [] : vi.map((v) => floatInfo(v.name, v.dims)),
    docString: '',
  });
}

async function runModel(model: ModelProto, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await SegSession.create(encodeModel(model), { threads: 1 });
  try {
    return (await session.run(input, dims)).data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('foldUpsampledConcat on hand-built graphs (onnxruntime, literal vs folded)', () => {
  const cases: { name: string; parts: ('x' | [number, number])[]; bias: boolean; h: number; w: number }[] = [
    { name: 'PSP-like: x, 2×2 and 1×1 branches, bias', parts: ['x', [2, 2], [1, 1]], bias: true, h: 8, w: 8 },
    { name: 'not square (8×12 from 2×3 and 1×1)', parts: ['x', [2, 3], [1, 1]], bias: true, h: 8, w: 12 },
    {
      name: 'only upsampled parts, bias',
      parts: [
        [1, 1],
        [2, 2],
      ],
      bias: true,
      h: 8,
      w: 8,
    },
    {
      name: 'only upsampled parts, no bias',
      parts: [
        [2, 2],
        [1, 1],
      ],
      bias: false,
      h: 8,
      w: 8,
    },
    { name: 'upsampled part between two plain parts', parts: ['x', [1, 1], 'x'], bias: true, h: 8, w: 8 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const m = concatConvModel({ c: 3, h: c.h, w: c.w, cout: 5, parts: c.parts, bias: c.bias });
      const f = foldUpsampledConcat(m);
      expect(f.folded).toEqual(['conv']);
      const ops = f.model.graph.node.map((n) => n.opType);
      expect(ops).not.toContain('Resize');
      expect(ops.filter((t) => t === 'Conv').length).toBe(c.parts.includes('x') ? 1 : 0);
      // A batch of two: the fold keeps the batch symbolic.
      const rand = mulberry32(3);
      const x = Float32Array.from({ length: 2 * 3 * c.h * c.w }, () => rand() * 2 - 1);
      const literal = await runModel(m, x.slice(), [2, 3, c.h, c.w]);
      const folded = await runModel(f.model, x.slice(), [2, 3, c.h, c.w]);
      expect(maxAbsDiff(literal, folded)).toBeLessThan(1e-5);
      // The unchanged graph is what the literal run used.
      expect(m.graph.node.map((n) => n.opType)).toContain('Resize');
    });
  }

  it('leaves a resize that is read elsewhere, and the whole model when shapes are unknown', () => {
    const small = {
      c: 2,
      h: 8,
      w: 8,
      cout: 2,
      parts: ['x', [1, 1]] as ('x' | [number, number])[],
      bias: true,
    };
    const shared = concatConvModel({ ...small, extraReader: true });
    expect(foldUpsampledConcat(shared).folded).toEqual([]);
    const noShapes = concatConvModel({ ...small, shapes: false });
    const r = foldUpsampledConcat(noShapes);
    expect(r.folded).toEqual([]);
    expect(r.model).toBe(noShapes);
  });

  it('does not fold an upsampling of less than 16× the area', () => {
    // 4×4 → 8×8 is 4×: folding would not pay.
    const m = concatConvModel({ c: 2, h: 8, w: 8, cout: 2, parts: ['x', [4, 4]], bias: true });
    expect(foldUpsampledConcat(m).folded).toEqual([]);
  });
});

describe('the fold on the exported PSPNet fixture', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => {
    await tmp.cleanup();
  });

  for (const crop of [64, 128] as const) {
    it(`crop ${crop}: psp_end folded, softmax within 1e-6 of the literal graph, same labels`, async () => {
      const dir = join(tmp.dir, `m${crop}`);
      const fx = await makePspnetFixture({ dir, numClasses: 3, cropSize: [crop, crop] });
      const model = await readModel(fx.modelPath);
      const f = foldUpsampledConcat(model);
      expect(f.folded).toEqual(['psp_end/conv2d']);
      // At 64×64 res5c is 8×8: psp1 and psp2 fold (≥ 16× area), psp3 and psp6 stay in the
      // convolution; at 128×128 (16×16) psp3 folds too.
      const resizes = f.model.graph.node.filter((n) => n.opType === 'Resize' && n.name.startsWith('psp'));
      expect(resizes.map((n) => n.name).sort()).toEqual(
        crop === 64 ? ['psp3/bilinear_interp', 'psp6/bilinear_interp'] : ['psp6/bilinear_interp'],
      );
      const rand = mulberry32(crop);
      const x = Float32Array.from({ length: 3 * crop * crop }, () => rand() * 2 - 1);
      const literal = await runModel(model, x.slice(), [1, 3, crop, crop]);
      const folded = await runModel(f.model, x.slice(), [1, 3, crop, crop]);
      expect(maxAbsDiff(literal, folded)).toBeLessThan(1e-6);

      // predict with and without the fold writes the same label maps.
      const inDir = join(dir, 'in');
      await mkdir(inDir, { recursive: true });
      await writeTestImage(inDir, 'a.png', 90, 70, 5);
      await writeTestImage(inDir, 'b.jpg', crop, crop, 6);
      const labels: Uint8Array[][] = [];
      for (const fold of [true, false]) {
        const lm = await loadLabelModel(fx.modelPath, { threads: 1, fold });
        expect(lm.folded).toEqual(fold ? ['psp_end/conv2d'] : []);
        const items = await collectInputs({ inputs: [inDir], outputDir: join(dir, `out-${fold}`) });
        const maps: Uint8Array[] = [];
        const summary = await predictImages({ items, runner: lm.session, settings: lm.settings });
        await lm.session.release();
        expect(summary.failures).toEqual([]);
        const { readFile } = await import('node:fs/promises');
        for (const it of items) maps.push(await readFile(it.output));
        labels.push(maps);
      }
      expect(labels[0]).toEqual(labels[1]);
    }, 60_000);
  }
});
