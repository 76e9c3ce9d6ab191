import { describe, expect, it } from 'vitest';
import { applyShapes, inferShapes } from '../../../src/viewer/analysis/shape-inference.js';
import type { ViewAttrValue } from '../../../src/viewer/analysis/view-types.js';
import { GraphBuilder } from './fixtures.js';

type Dims = Array<number | string | null>;

/** Runs one node on inputs of the given shapes (or initializers `{ init: values }`) and returns its output shapes. */
function infer(
  op: string,
  inputs: Array<Dims | { init: number[]; dims?: number[]; dtype?: string } | ''>,
  attributes: Record<string, ViewAttrValue> = {},
  outputs = 1,
): Array<Dims | undefined> {
  const b = new GraphBuilder();
  const names = inputs.map((spec, i) => {
    if (spec === '') return '';
    if (Array.isArray(spec)) return b.input(`in${i}`, spec);
    return b.init(`c${i}`, spec.dims ?? [spec.init.length], spec.init, spec.dtype ?? 'int64');
  });
  const outs = Array.from({ length: outputs }, (_, k) => `out${k}`);
  b.node(op, names, outs, attributes);
  const { shapes } = inferShapes(b.graph);
  return outs.map((o) => shapes[o]);
}

describe('inferShapes: convolution and pooling', () => {
  it('Conv with pads, strides, dilations and groups', () => {
    // (224 + 3 + 3 - 7) / 2 + 1 = 112
    expect(
      infer(
        'Conv',
        [
          ['N', 3, 224, 224],
          [64, 3, 7, 7],
        ],
        { strides: [2, 2], pads: [3, 3, 3, 3] },
      ),
    ).toEqual([['N', 64, 112, 112]]);
    // dilation 2, kernel 3 → extent 5; (65 + 4 - 5) / 1 + 1 = 65
    expect(
      infer(
        'Conv',
        [
          [1, 8, 65, 65],
          [8, 1, 3, 3],
        ],
        { dilations: [2, 2], pads: [2, 2, 2, 2], group: 8 },
      ),
    ).toEqual([[1, 8, 65, 65]]);
    // SAME_UPPER: ceil(15 / 2) = 8; VALID: floor((15 - 3) / 2) + 1 = 7
    expect(
      infer(
        'Conv',
        [
          [1, 2, 15, 15],
          [4, 2, 3, 3],
        ],
        { strides: [2, 2], auto_pad: 'SAME_UPPER' },
      ),
    ).toEqual([[1, 4, 8, 8]]);
    expect(
      infer(
        'Conv',
        [
          [1, 2, 15, 15],
          [4, 2, 3, 3],
        ],
        { strides: [2, 2], auto_pad: 'VALID' },
      ),
    ).toEqual([[1, 4, 7, 7]]);
    // Symbolic spatial size: unknown, not guessed.
    expect(
      infer(
        'Conv',
        [
          [1, 2, 'H', 15],
          [4, 2, 3, 3],
        ],
        {},
      ),
    ).toEqual([[1, 4, null, 13]]);
    expect(
      infer(
        'Conv',
        [
          [1, 2, 'H', 'W'],
          [4, 2, 1, 1],
        ],
        {},
      ),
    ).toEqual([[1, 4, 'H', 'W']]);
  });

  it('ConvTranspose', () => {
    // 2 * (16 - 1) + 0 + 4 - 1 - 1 = 32; channels W[1] * group = 8
    expect(
      infer(
        'ConvTranspose',
        [
          [1, 16, 16, 16],
          [16, 8, 4, 4],
        ],
        { strides: [2, 2], pads: [1, 1, 1, 1] },
      ),
    ).toEqual([[1, 8, 32, 32]]);
    expect(
      infer(
        'ConvTranspose',
        [
          [1, 16, 5, 5],
          [16, 8, 3, 3],
        ],
        { output_shape: [11, 12] },
      ),
    ).toEqual([[1, 8, 11, 12]]);
  });

  it('MaxPool and AveragePool, floor and ceil modes', () => {
    // (112 + 2 - 3) / 2 + 1 = 56.5 → 56
    expect(
      infer('MaxPool', [['N', 64, 112, 112]], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
    ).toEqual([['N', 64, 56, 56]]);
    // ceil((6 - 3) / 2) + 1 = 3
    expect(infer('MaxPool', [[1, 1, 6, 6]], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })).toEqual(
      [[1, 1, 3, 3]],
    );
    // ceil((7 + 2 - 2) / 3) + 1 = 4, but the 4th window would start at 9 ≥ 7 + 1 (in the end padding): 3,
    // as onnxruntime computes it.
    expect(
      infer('AveragePool', [[1, 1, 7, 7]], {
        kernel_shape: [2, 2],
        strides: [3, 3],
        pads: [1, 1, 1, 1],
        ceil_mode: 1,
      }),
    ).toEqual([[1, 1, 3, 3]]);
    expect(infer('MaxPool', [[1, 1, 10, 10]], { kernel_shape: [3, 3], dilations: [2, 2] })).toEqual([
      [1, 1, 6, 6],
    ]);
    expect(infer('GlobalAveragePool', [['N', 2048, 'h', 'w']])).toEqual([['N', 2048, 1, 1]]);
  });
});

describe('inferShapes: resizing and layout', () => {
  it('Resize from scales or sizes, Upsample from scales', () => {
    const scales = { init: [1, 1, 2, 2], dtype: 'float32' };
    expect(infer('Resize', [[1, 19, 64, 48], '', scales])).toEqual([[1, 19, 128, 96]]);
    expect(infer('Resize', [[1, 19, 64, 48], '', '', { init: [1, 19, 512, 512] }])).toEqual([
      [1, 19, 512, 512],
    ]);
    expect(infer('Upsample', [[1, 3, 5, 5], { init: [1, 1, 1.5, 1.5], dtype: 'float32' }])).toEqual([
      [1, 3, 7, 7],
    ]);
    expect(infer('Resize', [[1, 19, 64, 48], '', ''])).toEqual([undefined]);
  });

  it('Concat, Transpose, Flatten', () => {
    expect(
      infer(
        'Concat',
        [
          ['N', 2048, 64, 64],
          ['N', 512, 64, 64],
        ],
        { axis: 1 },
      ),
    ).toEqual([['N', 2560, 64, 64]]);
    expect(
      infer(
        'Concat',
        [
          [2, 3],
          [2, 'k'],
        ],
        { axis: -1 },
      ),
    ).toEqual([[2, null]]);
    expect(infer('Transpose', [['N', 19, 64, 32]], { perm: [0, 2, 3, 1] })).toEqual([['N', 64, 32, 19]]);
    expect(infer('Transpose', [[2, 3, 4]])).toEqual([[4, 3, 2]]);
    expect(infer('Flatten', [['N', 256, 7, 7]])).toEqual([['N', 12544]]);
    expect(infer('Flatten', [[2, 3, 4, 5]], { axis: 2 })).toEqual([[6, 20]]);
  });

  it('Reshape with 0 and -1, symbolic batch carried', () => {
    expect(infer('Reshape', [['N', 256, 7, 7], { init: [0, -1] }])).toEqual([['N', 12544]]);
    expect(infer('Reshape', [[2, 3, 4], { init: [4, -1, 2] }])).toEqual([[4, 3, 2]]);
    expect(infer('Reshape', [[2, 3, 4], { init: [0, 0, 2, 2] }])).toEqual([[2, 3, 2, 2]]);
    expect(infer('Reshape', [[2, 'k'], { init: [-1] }])).toEqual([[null]]);
  });

  it('Slice from constant inputs, with negative indices, steps and clamping', () => {
    const consts = (...lists: number[][]) => lists.map((l) => ({ init: l }));
    expect(infer('Slice', [[10, 20, 30], ...consts([1, -5], [1000, -1], [0, 2])])).toEqual([[9, 20, 4]]);
    // step -2 over 10 from 9 down to (but not) 0: 9, 7, 5, 3, 1 → 5
    expect(infer('Slice', [[10], ...consts([9], [0], [0], [-2])])).toEqual([[5]]);
    expect(infer('Slice', [['N', 8], ...consts([0], [2 ** 62], [0])])).toEqual([['N', 8]]);
    expect(infer('Slice', [[5, 8]], { starts: [2], ends: [4], axes: [1] })).toEqual([[5, 2]]);
  });

  it('Split, Pad', () => {
    expect(infer('Split', [[1, 10, 4], { init: [3, 7] }], { axis: 1 }, 2)).toEqual([
      [1, 3, 4],
      [1, 7, 4],
    ]);
    expect(infer('Split', [[1, 6, 4]], { axis: 1 }, 3)).toEqual([
      [1, 2, 4],
      [1, 2, 4],
      [1, 2, 4],
    ]);
    expect(infer('Pad', [[1, 3, 10, 10], { init: [0, 0, 1, 2, 0, 0, 3, 4] }])).toEqual([[1, 3, 14, 16]]);
    expect(infer('Pad', [['N', 3, 10, 10]], { pads: [0, 0, 1, 1, 0, 0, 1, 1] })).toEqual([['N', 3, 12, 12]]);
  });
});

describe('inferShapes: linear algebra, broadcasting, reductions', () => {
  it('Gemm and MatMul', () => {
    expect(infer('Gemm', [['N', 2048], [1000, 2048], [1000]], { transB: 1 })).toEqual([['N', 1000]]);
    expect(
      infer(
        'Gemm',
        [
          [5, 3],
          [5, 4],
        ],
        { transA: 1 },
      ),
    ).toEqual([[3, 4]]);
    expect(
      infer('MatMul', [
        [2, 1, 3, 4],
        [5, 4, 6],
      ]),
    ).toEqual([[2, 5, 3, 6]]);
    expect(infer('MatMul', [[3, 4], [4]])).toEqual([[3]]);
    expect(infer('MatMul', [[4], [2, 4, 6]])).toEqual([[2, 6]]);
  });

  it('elementwise broadcast and unary ops', () => {
    expect(
      infer('Add', [
        ['N', 256, 64, 64],
        [256, 1, 1],
      ]),
    ).toEqual([['N', 256, 64, 64]]);
    expect(
      infer('Mul', [
        [1, 3, 1],
        [2, 1, 5],
      ]),
    ).toEqual([[2, 3, 5]]);
    expect(
      infer('Div', [
        ['a', 1],
        ['b', 4],
      ]),
    ).toEqual([[null, 4]]);
    expect(infer('Relu', [['N', 8]])).toEqual([['N', 8]]);
    expect(infer('Clip', [[2, 3], '', ''])).toEqual([[2, 3]]);
    expect(infer('Softmax', [['N', 19, 512, 512]], { axis: 1 })).toEqual([['N', 19, 512, 512]]);
    expect(infer('BatchNormalization', [[1, 4, 8, 8], [4], [4], [4], [4]])).toEqual([[1, 4, 8, 8]]);
    expect(infer('Dropout', [[1, 4]], {}, 2)).toEqual([
      [1, 4],
      [1, 4],
    ]);
  });

  it('ReduceMean, ReduceSum, ArgMax', () => {
    expect(infer('ReduceMean', [['N', 512, 16, 16]], { axes: [2, 3] })).toEqual([['N', 512, 1, 1]]);
    expect(infer('ReduceMean', [['N', 512, 16, 16]], { axes: [-1], keepdims: 0 })).toEqual([['N', 512, 16]]);
    expect(infer('ReduceSum', [[2, 3, 4], { init: [1] }], { keepdims: 0 })).toEqual([[2, 4]]);
    expect(infer('ReduceSum', [[2, 3, 4]], { keepdims: 0 })).toEqual([[]]);
    expect(infer('ArgMax', [['N', 19, 64, 64]], { axis: 1, keepdims: 0 })).toEqual([['N', 64, 64]]);
    expect(infer('ArgMax', [['N', 19, 64, 64]], { axis: 1 })).toEqual([['N', 1, 64, 64]]);
  });

  it('Squeeze and Unsqueeze, axes as attribute or input', () => {
    expect(infer('Squeeze', [[1, 3, 1, 5]])).toEqual([[3, 5]]);
    expect(infer('Squeeze', [[1, 3, 1, 5], { init: [0] }])).toEqual([[3, 1, 5]]);
    expect(infer('Squeeze', [['N', 3, 1]], { axes: [-1] })).toEqual([['N', 3]]);
    expect(infer('Squeeze', [['N', 3, 1]])).toEqual([undefined]);
    expect(infer('Unsqueeze', [[3, 5], { init: [0, 3] }])).toEqual([[1, 3, 5, 1]]);
    expect(infer('Unsqueeze', [[3, 5]], { axes: [-1] })).toEqual([[3, 5, 1]]);
  });
});

describe('inferShapes: whole graphs', () => {
  it('resolves a Shape → Gather → Concat → Reshape chain with a symbolic batch', () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['N', 64, 7, 7]);
    const shape = b.node('Shape', [x]);
    const batch = b.node('Gather', [shape, b.init('zero', [1], [0], 'int64')], 1, { axis: 0 });
    const target = b.node('Concat', [batch, b.init('minus', [1], [-1], 'int64')], 1, { axis: 0 });
    const flat = b.node('Reshape', [x, target]);
    const { shapes, dtypes } = inferShapes(b.graph);
    expect(shapes[shape]).toEqual([4]);
    expect(dtypes[shape]).toBe('int64');
    expect(shapes[flat]).toEqual(['N', 3136]);
  });

  it('uses Constant nodes and keeps declared shapes, marks unsupported ops', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 3, 8, 8]);
    const axes = b.node('Constant', [], 1, {
      value: { tensor: { dims: [2], dtype: 'int64', byteLength: 16, head: [2, 3] } },
    });
    const mean = b.node('ReduceMean', [x, axes], 1, { keepdims: 1 });
    const odd = b.node('MyCustomOp', [mean], 1, {}, 'custom', { domain: 'com.example' });
    const after = b.node('Relu', [odd]);
    b.graph.tensors[after]!.shape = [7];
    const result = inferShapes(b.graph);
    expect(result.shapes[axes]).toEqual([2]);
    expect(result.shapes[mean]).toEqual([1, 3, 1, 1]);
    expect(result.shapes[odd]).toBeUndefined();
    expect(result.shapes[after]).toBeUndefined(); // declared, so not re-inferred
    expect(result.unsupported).toEqual({ MyCustomOp: 1 });
    const applied = applyShapes(b.graph, result);
    expect(applied.tensors[mean]!.shape).toEqual([1, 3, 1, 1]);
    expect(applied.tensors[mean]!.dtype).toBe('float32');
    expect(b.graph.tensors[mean]!.shape).toBeUndefined();
  });
});
