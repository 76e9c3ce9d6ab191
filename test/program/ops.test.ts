/**
 * Every op of the table, recorded through the fluid-like layers, lowered to ONNX, run with
 * onnxruntime-node and compared with the naive interpreter of test/reference (written from
 * the op definitions); plus small bilinear and adaptive-pool cases worked out by hand from
 * spec §9.1–9.2.
 */
import { describe, expect, test } from 'vitest';
import * as L from '../../src/program/layers.js';
import { adaptiveBins } from '../../src/program/ops/pool.js';
import { ProgramBuilder, type Var } from '../../src/program/program-builder.js';
import { checkAgainstInterpreter, expectClose, runOnnx } from './run-program.js';

function program(shape: number[], build: (p: ProgramBuilder, x: Var) => Var) {
  const p = new ProgramBuilder();
  const x = p.data('x', [-1, ...shape]);
  return p.inferenceProgram([x], [build(p, x)]);
}

const w = (name: string) => ({ paramName: `${name}_w` });

describe('each op lowered agrees with the interpreter', () => {
  const cases: Array<[string, number[], (p: ProgramBuilder, x: Var) => Var]> = [
    [
      'conv2d stride 2, pad 1, bias, relu',
      [3, 9, 11],
      (p, x) =>
        L.conv2d(p, x, {
          numFilters: 4,
          filterSize: 3,
          stride: 2,
          padding: 1,
          ...w('c'),
          biasName: 'c_b',
          act: 'relu',
        }),
    ],
    [
      'conv2d dilation 2, 4-element padding',
      [2, 10, 10],
      (p, x) =>
        L.conv2d(p, x, { numFilters: 3, filterSize: 3, dilation: 2, padding: [1, 2, 0, 3], ...w('c') }),
    ],
    [
      'conv2d SAME, stride 2',
      [2, 9, 8],
      (p, x) => L.conv2d(p, x, { numFilters: 2, filterSize: 3, stride: 2, padding: 'SAME', ...w('c') }),
    ],
    [
      'conv2d VALID 1×3 kernel',
      [2, 6, 7],
      (p, x) => L.conv2d(p, x, { numFilters: 2, filterSize: [1, 3], padding: 'VALID', ...w('c') }),
    ],
    [
      'conv2d groups 2',
      [4, 6, 6],
      (p, x) => L.conv2d(p, x, { numFilters: 6, filterSize: 3, padding: 1, groups: 2, ...w('c') }),
    ],
    [
      'depthwise_conv2d dilated (use_cudnn off)',
      [4, 9, 9],
      (p, x) =>
        L.conv2d(p, x, {
          numFilters: 4,
          filterSize: 3,
          padding: 2,
          dilation: 2,
          groups: 4,
          useCudnn: false,
          ...w('dw'),
        }),
    ],
    [
      'conv2d_transpose stride 2 + bias',
      [3, 5, 4],
      (p, x) =>
        L.conv2dTranspose(p, x, {
          numFilters: 2,
          filterSize: 2,
          stride: 2,
          paramName: 't_w',
          biasName: 't_b',
        }),
    ],
    [
      'batch_norm + relu6',
      [3, 4, 5],
      (p, x) =>
        L.batchNorm(p, x, {
          epsilon: 1e-3,
          scaleName: 'g',
          biasName: 'b',
          meanName: 'm',
          varianceName: 'bn_variance',
          act: 'relu6',
        }),
    ],
    [
      'group_norm 2 groups + sigmoid',
      [4, 3, 5],
      (p, x) => L.groupNorm(p, x, { groups: 2, scaleName: 'g', biasName: 'b', act: 'sigmoid' }),
    ],
    ['hard_swish', [2, 3, 3], (p, x) => L.act(p, 'hard_swish', L.scale(p, x, { scale: 4 }))],
    [
      'hard_sigmoid slope 0.2',
      [2, 3, 3],
      (p, x) => L.act(p, 'hard_sigmoid', L.scale(p, x, { scale: 3 }), { slope: 0.2, offset: 0.5 }),
    ],
    [
      'scale without bias_after_scale',
      [2, 2, 2],
      (p, x) => L.scale(p, x, { scale: 2, bias: 0.5, biasAfterScale: false }),
    ],
    [
      'pool2d max 3×3 s2 p1',
      [2, 9, 8],
      (p, x) => L.pool2d(p, x, { poolSize: 3, poolStride: 2, poolPadding: 1, poolType: 'max' }),
    ],
    [
      'pool2d avg 2×2 s2 ceil_mode exclusive (ResNet_vd)',
      [2, 7, 9],
      (p, x) => L.pool2d(p, x, { poolSize: 2, poolStride: 2, poolType: 'avg', ceilMode: true }),
    ],
    [
      'pool2d avg 3×3 s2 p1 not exclusive',
      [2, 7, 7],
      (p, x) =>
        L.pool2d(p, x, { poolSize: 3, poolStride: 2, poolPadding: 1, poolType: 'avg', exclusive: false }),
    ],
    [
      'pool2d avg VALID strides',
      [2, 9, 11],
      (p, x) => L.pool2d(p, x, { poolSize: 3, poolStride: 2, poolPadding: 'VALID', poolType: 'avg' }),
    ],
    ['pool2d global avg', [3, 5, 4], (p, x) => L.pool2d(p, x, { poolType: 'avg', globalPooling: true })],
    ['pool2d global max', [3, 5, 4], (p, x) => L.pool2d(p, x, { poolType: 'max', globalPooling: true })],
    [
      'adaptive avg 13×11 → 3×3 (overlapping bins)',
      [2, 13, 11],
      (p, x) => L.adaptivePool2d(p, x, { poolSize: [3, 3], poolType: 'avg' }),
    ],
    [
      'adaptive avg 8×8 → 2×2 (tiles)',
      [2, 8, 8],
      (p, x) => L.adaptivePool2d(p, x, { poolSize: [2, 2], poolType: 'avg' }),
    ],
    ['pad H and W', [2, 3, 4], (p, x) => L.pad(p, x, [0, 0, 0, 0, 2, 1, 0, 3], 0.5)],
    ['bilinear align_corners', [2, 5, 7], (p, x) => L.resizeBilinear(p, x, { outShape: [9, 4] })],
    [
      'bilinear align_mode 0',
      [2, 5, 7],
      (p, x) => L.resizeBilinear(p, x, { outShape: [11, 13], alignCorners: false, alignMode: 0 }),
    ],
    [
      'bilinear asymmetric',
      [2, 5, 7],
      (p, x) => L.resizeBilinear(p, x, { outShape: [11, 3], alignCorners: false, alignMode: 1 }),
    ],
    [
      'concat axis 1 of three',
      [2, 3, 3],
      (p, x) => L.concat(p, [x, L.act(p, 'relu', x), L.scale(p, x, { scale: -1 })], 1),
    ],
    [
      'elementwise_add axis 1 of a [C] tensor',
      [3, 2, 2],
      (p, x) => L.elementwiseAdd(p, x, L.reduceMean(p, x, { dim: [0, 2, 3] }), { axis: 1 }),
    ],
    [
      'elementwise_mul axis 0 of [N, C, 1, 1] (SE)',
      [3, 4, 4],
      (p, x) => L.elementwiseMul(p, x, L.pool2d(p, x, { poolType: 'avg', globalPooling: true }), { axis: 0 }),
    ],
    [
      'elementwise_add of two maps, relu',
      [2, 3, 3],
      (p, x) => L.elementwiseAdd(p, x, L.scale(p, x, { scale: 0.5 }), { act: 'relu' }),
    ],
    ['dropout downgrade_in_infer p 0.9', [2, 2, 2], (p, x) => L.dropout(p, x, { dropoutProb: 0.9 })],
    [
      'dropout upscale_in_train',
      [2, 2, 2],
      (p, x) => L.dropout(p, x, { dropoutProb: 0.3, implementation: 'upscale_in_train' }),
    ],
    ['reduce_mean keep_dim', [3, 4, 5], (p, x) => L.reduceMean(p, x, { dim: [2, 3], keepDim: true })],
    ['reduce_mean all', [3, 4, 5], (p, x) => L.reduceMean(p, x)],
    ['softmax axis 1', [4, 2, 3], (p, x) => L.softmax(p, x, { axis: 1 })],
    [
      'OCR-style attention: reshape2, transpose2, matmul, softmax, unsqueeze2',
      [4, 3, 2],
      (p, x) => {
        const q = L.transpose(p, L.reshape(p, x, [0, 4, -1]), [0, 2, 1]);
        const k = L.reshape(p, x, [0, 4, -1]);
        const sim = L.softmax(p, L.matmul(p, q, k, { alpha: 0.5 }));
        const ctx = L.matmul(p, k, sim, { transposeY: true });
        return L.unsqueeze(p, ctx, [3]);
      },
    ],
  ];
  test.each(cases)('%s', async (_name, shape, build) => {
    const worst = await checkAgainstInterpreter(program(shape, build), 17, 1e-5, 2);
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('bilinear_interp by hand (spec §9.1)', () => {
  const square = { dims: [1, 1, 2, 2], data: Float32Array.from([1, 2, 3, 4]) };
  const run = async (o: Parameters<typeof L.resizeBilinear>[2]) => {
    const prog = program([1, 2, 2], (p, x) => L.resizeBilinear(p, x, o));
    return (await runOnnx(prog, new Map(), { x: square }))[0]!.data;
  };
  test('align_corners=True: 2×2 → 3×3 puts the corners on the corners', async () => {
    expectClose(await run({ outShape: [3, 3] }), [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], 1e-6);
  });
  test('align_corners=False, align_mode=1: src = dst·in/out, upper neighbour clamped', async () => {
    expectClose(
      await run({ outShape: [4, 4], alignCorners: false, alignMode: 1 }),
      [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4],
      1e-6,
    );
  });
  test('align_corners=False, align_mode=0: half-pixel centres clamped at 0', async () => {
    const want = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4];
    expectClose(await run({ outShape: [4, 4], alignCorners: false, alignMode: 0 }), want, 1e-6);
  });
});

describe('adaptive avg pool2d by hand (spec §9.2)', () => {
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
    const prog = program([1, 5, 5], (p, x) => L.adaptivePool2d(p, x, { poolSize: [3, 3], poolType: 'avg' }));
    const x = { dims: [1, 1, 5, 5], data: Float32Array.from({ length: 25 }, (_, k) => k) };
    const m = [0.5, 2, 3.5];
    expectClose(
      (await runOnnx(prog, new Map(), { x }))[0]!.data,
      m.flatMap((r) => m.map((c) => 5 * r + c)),
      1e-5,
    );
  });
});
