/**
 * The graph builder's bookkeeping: scope paths as node names, shapes from the shared rule
 * table written to `value_info`, unique names, IR 8 / opset 17, the edits the lowering
 * makes (a bias joining its Conv, an output renamed), and the stack parser the source
 * locations rest on.
 */
import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { parseStack } from '../../src/onnx/source-location.js';
import { TensorDataType } from '../../src/onnx/types.js';

function tinyNetwork(b: GraphBuilder) {
  const x = b.input('image', ['N', 3, 10, 12]);
  return b.scope('stem', () => {
    const w = b.initializer('stem_weights', [4, 3, 3, 3]).value;
    const y = b.node1(
      'Conv',
      [x, w],
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
      { label: 'conv2d' },
    );
    return b.scope('act', () => b.node1('Relu', [y], {}, { label: 'relu', docString: 'src/x.ts:3 f' }));
  });
}

describe('GraphBuilder', () => {
  test('scopes name nodes, shapes come from the rule table and go to value_info', () => {
    const b = new GraphBuilder('tiny');
    const y = tinyNetwork(b);
    b.output(y);
    expect(b.graphNodes.map((n) => n.name)).toEqual(['stem/conv2d', 'stem/act/relu']);
    // (10 + 2 − 3)/2 + 1 = 5, (12 + 2 − 3)/2 + 1 = 6
    expect(y.shape).toEqual(['N', 4, 5, 6]);
    expect(b.graphNodes[1]!.docString).toBe('src/x.ts:3 f');
    const model = decodeModel(
      encodeModel(b.toModel({ producerVersion: 't', metadata: [{ key: 'K', value: 'V' }] })),
    );
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(model.metadataProps).toEqual([{ key: 'K', value: 'V' }]);
    expect(model.graph.valueInfo.map((v) => v.name)).toEqual(['stem/conv2d.tmp_0']);
    expect(model.graph.valueInfo[0]!.type!.tensorType!.shape!.dim).toEqual([
      { dimParam: 'N' },
      { dimValue: 4 },
      { dimValue: 5 },
      { dimValue: 6 },
    ]);
    expect(model.graph.initializer.map((t) => t.name)).toEqual(['stem_weights']);
  });

  test('node names are made unique inside a scope; a tensor name used twice is an error', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', [1, 2, 4, 4]);
    b.node1('Relu', [b.node1('Relu', [x])]);
    expect(b.graphNodes.map((n) => n.name)).toEqual(['relu', 'relu_1']);
    expect(() => b.input('x', [1])).toThrow(/used twice/);
  });

  test('shape arithmetic resolves through Shape → Concat → Resize; dtypes follow the rules', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', ['N', 2, 3, 3]);
    const nc = b.node1('Shape', [x], { start: 0, end: 2 });
    expect(nc.dataType).toBe(TensorDataType.INT64);
    const sizes = b.node1('Concat', [nc, b.int64s('hw', [7, 5])], { axis: 0 });
    expect(b.knownValues(sizes)).toEqual(['N', 2, 7, 5]);
    const y = b.node1('Resize', [x, null, null, sizes], { mode: 'linear' });
    expect(y.shape).toEqual(['N', 2, 7, 5]);
  });

  test('an op without a rule, or a shape the rule cannot give, throws', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', [1, 2]);
    expect(() => b.node1('NoSuchOp', [x])).toThrow(/no shape rule/);
    expect(() => b.node1('Reshape', [x, b.input('s', [2], TensorDataType.INT64)])).toThrow(/cannot infer/);
  });

  test('appendInput adds a bias to its Conv; rename gives the output a Paddle variable name', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', [1, 2, 4, 4]);
    const w = b.initializer('w', [3, 2, 1, 1]).value;
    const y = b.node1('Conv', [x, w], { kernel_shape: [1, 1] });
    b.appendInput(y, b.initializer('bias', [3]).value);
    const named = b.rename(y, 'conv2d_0.tmp_1');
    expect(b.graphNodes[0]!.input).toEqual(['x', 'w', 'bias']);
    expect(b.graphNodes[0]!.output).toEqual(['conv2d_0.tmp_1']);
    expect(b.producer(named)).toBe(b.graphNodes[0]);
    b.node1('Relu', [named]);
    expect(() => b.rename(named, 'other')).toThrow(/read already/);
  });

  test('parseStack reads named, anonymous and file:// frames', () => {
    const frames = parseStack(
      [
        'Error',
        '    at GraphBuilder.node (file:///r/src/onnx/builder.js:10:5)',
        '    at /r/src/models/x.ts:3:9',
        '    at async run (/r/a.ts:1:1)',
      ].join('\n'),
    );
    expect(frames).toEqual([
      { fn: 'GraphBuilder.node', file: '/r/src/onnx/builder.js', line: 10, column: 5 },
      { fn: '', file: '/r/src/models/x.ts', line: 3, column: 9 },
      { fn: 'run', file: '/r/a.ts', line: 1, column: 1 },
    ]);
  });
});
