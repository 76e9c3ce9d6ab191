import { describe, expect, it } from 'vitest';
import {
  parseDocFrames,
  parsePythonFrames,
  parseTorchNameScopes,
} from '../../../src/viewer/analysis/source-frames.js';
import {
  buildSourceIndex,
  enclosingFunction,
  functionRanges,
  matchSourceFile,
  nodesAtLine,
  nodesInLines,
  nodesOfFunction,
} from '../../../src/viewer/analysis/source-index.js';
import { GraphBuilder } from './fixtures.js';

describe('source frame parsers', () => {
  it('parses a pdseg doc_string frame', () => {
    expect(parseDocFrames('src/models/backbone/resnet.ts:120 bottleneckBlock')).toEqual([
      { file: 'src/models/backbone/resnet.ts', line: 120, func: 'bottleneckBlock' },
    ]);
    expect(parseDocFrames('src/models/modeling/pspnet.ts:7:13\nnot a frame')).toEqual([
      { file: 'src/models/modeling/pspnet.ts', line: 7 },
    ]);
  });

  it('parses Paddle op_callstack entries innermost first', () => {
    const callstack = [
      '  File "train.py", line 10, in <module>\n    main()\n',
      '  File "/home/u/PaddleSeg/pdseg/models/modeling/pspnet.py", line 53, in psp_module\n    conv = conv2d(x)\n',
      '  File "/usr/lib/python3/paddle/fluid/layers/nn.py", line 1402, in conv2d\n    helper.append_op(\n',
    ];
    expect(parsePythonFrames(callstack)).toEqual([
      { file: '/usr/lib/python3/paddle/fluid/layers/nn.py', line: 1402, func: 'conv2d' },
      { file: '/home/u/PaddleSeg/pdseg/models/modeling/pspnet.py', line: 53, func: 'psp_module' },
      { file: 'train.py', line: 10, func: '<module>' },
    ]);
  });

  it('parses a PyTorch stack_trace and name_scopes', () => {
    const trace =
      'File "/w/model.py", line 96, in forward\n    return self.network(x)\n  File "/t/torch/nn/modules/linear.py", line 125, in forward\n    return F.linear(x)';
    expect(parsePythonFrames(trace).map((f) => `${f.file}:${f.line}`)).toEqual([
      '/t/torch/nn/modules/linear.py:125',
      '/w/model.py:96',
    ]);
    expect(parseTorchNameScopes("['', 'network', 'network.0', 'linear']")).toEqual(['network', '0']);
    expect(parseTorchNameScopes("['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d']")).toEqual([
      'layer1',
      '0',
      'conv1',
    ]);
    expect(parseTorchNameScopes('not a list')).toEqual([]);
  });
});

describe('buildSourceIndex', () => {
  const b = new GraphBuilder();
  const x = b.input('x', [1]);
  const frame = (line: number, func: string) => ({ file: 'src/models/modeling/pspnet.ts', line, func });
  const branches = [1, 2, 3, 6].map((bin) =>
    b.node('AveragePool', [x], 1, { bin }, `psp/pool${bin}`, {
      source: [{ ...frame(30, 'pspConv') }, frame(52, 'pspModule')],
    }),
  );
  b.node('Concat', [x, ...branches], 1, { axis: 1 }, 'psp/concat', { source: [frame(55, 'pspModule')] });
  b.node('Relu', [x], 1, {}, 'other/relu', { source: [frame(80, 'pspnet')] });
  const index = buildSourceIndex(b.graph);

  it('maps a function to every node it built, across calls', () => {
    expect(nodesOfFunction(index, 'pspModule')).toEqual([0, 1, 2, 3, 4]);
    expect(nodesOfFunction(index, 'pspConv')).toEqual([0, 1, 2, 3]);
    expect(nodesOfFunction(index, 'missing')).toEqual([]);
  });

  it('maps lines and line ranges to nodes, matching paths by their tail', () => {
    expect(nodesAtLine(index, 'src/models/modeling/pspnet.ts', 55)).toEqual([4]);
    expect(nodesAtLine(index, '/abs/checkout/src/models/modeling/pspnet.ts', 30)).toEqual([0, 1, 2, 3]);
    expect(nodesInLines(index, 'src/models/modeling/pspnet.ts', 50, 90)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(index.callPaths[0]).toEqual(['pspModule', 'pspConv']);
  });

  it('matches files by the longest common tail', () => {
    expect(
      matchSourceFile('/h/PaddleSeg/pdseg/models/backbone/resnet.py', [
        'models/backbone/resnet.py',
        'resnet.py',
      ]),
    ).toBe('models/backbone/resnet.py');
    expect(matchSourceFile('/a/b.py', ['c.py'])).toBeUndefined();
  });
});

describe('functionRanges', () => {
  it('finds TypeScript functions, arrow functions and methods', () => {
    const text = [
      'export function pspModule(b: Builder, x: string): string {', // 1
      "  const s = '}{';", // 2
      '  return b.concat([x]); // }', // 3
      '}', // 4
      'const helper = (y: number) => {', // 5
      '  if (y) {', // 6
      '    return 1;', // 7
      '  }', // 8
      '  return 2;', // 9
      '};', // 10
      'class A {', // 11
      '  build(x: string): string {', // 12
      '    return x;', // 13
      '  }', // 14
      '}', // 15
      'function bottleneckBlock(', // 16
      '  x: Value,', // 17
      '  o: { name: string; stride: number },', // 18
      '): Value {', // 19
      '  const f = (y) => { return y; };', // 20
      '  const g = y => y;', // 21
      '  return f(x);', // 22
      '}', // 23
      'const h = (y: number) => y + 1;', // 24
      'function last() {', // 25
      '}', // 26
    ].join('\n');
    const ranges = functionRanges(text, 'pspnet.ts');
    expect(ranges).toEqual([
      { name: 'pspModule', start: 1, end: 4 },
      { name: 'helper', start: 5, end: 10 },
      { name: 'build', start: 12, end: 14 },
      { name: 'bottleneckBlock', start: 16, end: 23 },
      { name: 'f', start: 20, end: 20 },
      { name: 'last', start: 25, end: 26 },
    ]);
    expect(enclosingFunction(ranges, 18)?.name).toBe('bottleneckBlock');
    expect(enclosingFunction(ranges, 20)?.name).toBe('f');
    expect(enclosingFunction(ranges, 7)?.name).toBe('helper');
    expect(enclosingFunction(ranges, 11)).toBeUndefined();
  });

  it('finds Python functions by indentation, nested ones innermost', () => {
    const text = [
      'def psp_module(input, out_features):', // 1
      '    cat_layers = []', // 2
      '    def inner(x):', // 3
      '        return x', // 4
      '', // 5
      '    for size in sizes:', // 6
      '        cat_layers.append(size)', // 7
      '    return cat_layers', // 8
      'x = 1', // 9
    ].join('\n');
    const ranges = functionRanges(text, 'pspnet.py');
    expect(ranges).toEqual([
      { name: 'psp_module', start: 1, end: 8 },
      { name: 'inner', start: 3, end: 4 },
    ]);
    expect(enclosingFunction(ranges, 4)?.name).toBe('inner');
    expect(enclosingFunction(ranges, 7)?.name).toBe('psp_module');
  });
});
