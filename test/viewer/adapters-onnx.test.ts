import { describe, expect, it } from 'vitest';
import { AttributeType, TensorDataType } from '../../src/onnx/types.js';
import { decodeOnnxView, scopeOfName, sourceOfDoc } from '../../src/viewer/adapters/onnx.js';
import { bytesOf, model, node, rawFloat, vi } from './models.js';

describe('ONNX adapter', () => {
  it('derives scope from / in names, both PaddleSeg and PyTorch styles', () => {
    expect(scopeOfName('resnet/res2a/branch2a/conv2d')).toEqual(['resnet', 'res2a', 'branch2a']);
    expect(scopeOfName('/layer1/layer1.0/conv1/Conv')).toEqual(['layer1', 'layer1.0', 'conv1']);
    expect(scopeOfName('Conv_0')).toEqual([]);
  });

  it('parses doc_string source frames and ignores other doc text', () => {
    expect(sourceOfDoc('src/models/backbone/resnet.ts:120 bottleneckBlock')).toEqual([
      { file: 'src/models/backbone/resnet.ts', line: 120, func: 'bottleneckBlock' },
    ]);
    expect(sourceOfDoc('a free-form comment')).toBeUndefined();
  });

  it('summarises initializers from raw_data, typed fields and Constant nodes; inputs exclude weights', () => {
    const m = model({
      node: [
        node(
          'Conv',
          'block/conv',
          ['x', 'w', 'b'],
          ['y'],
          [{ name: 'strides', type: AttributeType.INTS, ints: [2, 2] }],
        ),
        node(
          'Constant',
          'block/const',
          [],
          ['c'],
          [
            {
              name: 'value',
              type: AttributeType.TENSOR,
              t: { name: '', dims: [3], dataType: TensorDataType.INT64, int64Data: [7, -1, 5] },
            },
          ],
        ),
        node('Add', 'block/add', ['y', 'c'], ['z']),
      ],
      initializer: [
        rawFloat('w', [2, 1, 1, 2], [0.5, -1.5, 2, 3]),
        { name: 'b', dims: [2], dataType: TensorDataType.FLOAT, floatData: [10, 20] },
      ],
      input: [vi('x', ['N', 1, 4, 4]), vi('w', [2, 1, 1, 2]), vi('b', [2])],
      output: [vi('z', ['N', 2, 2, 2])],
    });
    const g = decodeOnnxView(bytesOf(m));
    expect(g.inputs).toEqual(['x']);
    expect(g.outputs).toEqual(['z']);
    expect(g.nodes.map((n) => n.scope)).toEqual([['block'], ['block'], ['block']]);
    expect(g.nodes[0]!.attributes.strides).toEqual([2, 2]);
    expect(g.tensors.w!.initializer).toMatchObject({
      dims: [2, 1, 1, 2],
      dtype: 'float32',
      byteLength: 16,
      min: -1.5,
      max: 3,
    });
    expect(g.tensors.w!.initializer!.mean).toBeCloseTo(1, 6);
    expect(g.tensors.w!.initializer!.head).toEqual([0.5, -1.5, 2, 3]);
    expect(g.tensors.b!.initializer).toMatchObject({ min: 10, max: 20, head: [10, 20] });
    expect(g.tensors.c!.initializer).toMatchObject({
      dims: [3],
      dtype: 'int64',
      min: -1,
      max: 7,
      head: [7, -1, 5],
    });
    expect(g.tensors.y!.producer).toBe(0);
    expect(g.tensors.y!.consumers).toEqual([2]);
    expect(g.tensors.x!.shape).toEqual(['N', 1, 4, 4]);
    expect(g.metadata).toMatchObject({ ir_version: '8', opset: 'ai.onnx 17', producer: 'pdseg-test 1' });
  });

  it('keeps If branches as subgraphs of their node, for old IR versions too', () => {
    const branch = (name: string, op: string) => ({
      name,
      node: [node(op, `${name}/op`, ['x'], [`${name}_out`])],
      initializer: [],
      input: [],
      output: [vi(`${name}_out`, [1])],
      valueInfo: [],
      docString: '',
    });
    const m = model(
      {
        node: [
          node(
            'If',
            'cond/if',
            ['flag'],
            ['out'],
            [
              { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', 'Relu') },
              { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', 'Neg') },
            ],
          ),
        ],
        input: [vi('flag', [], TensorDataType.BOOL), vi('x', [1])],
        output: [vi('out', [1])],
      },
      3,
      9,
    );
    const g = decodeOnnxView(bytesOf(m));
    const ifNode = g.nodes[0]!;
    expect(ifNode.attributes.then_branch).toEqual({ graph: 0 });
    expect(ifNode.attributes.else_branch).toEqual({ graph: 1 });
    expect(ifNode.subgraphs!.map((s) => s.nodes[0]!.opType)).toEqual(['Relu', 'Neg']);
    expect(g.metadata.opset).toBe('ai.onnx 9');
    expect(g.formatVersion).toBe('IR 3');
  });
});
