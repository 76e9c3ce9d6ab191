/**
 * The graph builder's bookkeeping: scope paths as node names, static shapes in
 * `value_info`, parameters declared once, IR 8 / opset 17, and source locations in
 * `doc_string` that name the `.ts` line of the calling model code (also from dist/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { parseStack, SourceLocator } from '../../src/onnx/source-location.js';
import { ROOT } from '../helpers.js';

function lineOf(file: string, marker: string): number {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not in ${file}`);
  return i + 1;
}

function tinyNetwork(b: GraphBuilder) {
  const x = b.input('image', ['N', 3, 10, 12]);
  return b.scope('stem', () => {
    const w = b.param('stem_weights', [4, 3, 3, 3], 'weights');
    const bias = b.param('stem_biases', [4], 'zeros');
    const y = b.conv(x, w, bias, { strides: [2, 2], pads: [1, 1, 1, 1] }); // MARK-conv
    return b.scope('act', () => b.relu(y));
  });
}

describe('GraphBuilder', () => {
  test('scopes name nodes, shapes are tracked and written to value_info', () => {
    const b = new GraphBuilder({ name: 'tiny' });
    const y = tinyNetwork(b);
    b.output(y);
    expect(b.graphNodes.map((n) => n.name)).toEqual(['stem/conv2d', 'stem/act/relu']);
    // (10 + 2 − 3)/2 + 1 = 5, (12 + 2 − 3)/2 + 1 = 6
    expect(y.shape).toEqual(['N', 4, 5, 6]);
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
    expect(model.graph.initializer.map((t) => t.name)).toEqual(['stem_weights', 'stem_biases']);
  });

  test('names are made unique inside a scope; a parameter declared twice is an error', () => {
    const b = new GraphBuilder({ name: 't' });
    const x = b.input('x', [1, 2, 4, 4]);
    b.relu(b.relu(x));
    expect(b.graphNodes.map((n) => n.name)).toEqual(['relu', 'relu_1']);
    b.param('p', [2], 'ones');
    let caught: unknown;
    try {
      b.param('p', [2], 'ones');
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'MODEL_FORMAT')).toBe(true);
    expect((caught as Error).message).toContain('declared twice');
  });

  test('doc_string is the .ts location of the first non-helper caller', () => {
    const locator = new SourceLocator(ROOT, (f) => f.startsWith('src/onnx/'));
    const b = new GraphBuilder({ name: 'tiny', locator });
    tinyNetwork(b);
    const line = lineOf('test/onnx/builder.test.ts', '// MARK-conv');
    expect(b.graphNodes[0]!.docString).toBe(`test/onnx/builder.test.ts:${line} tinyNetwork`);
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

describe('source locations from the compiled dist/ (source maps)', () => {
  const built = join(ROOT, 'dist', 'models', 'model-builder.js');
  test.runIf(existsSync(built))('a node built by dist/*.js names the src/*.ts line', async () => {
    const mod = (await import(
      pathToFileURL(built).href
    )) as typeof import('../../src/models/model-builder.js');
    const { builder } = mod.buildPredictGraph(
      {
        EVAL_CROP_SIZE: [32, 32],
        DATASET: { NUM_CLASSES: 2, DATA_DIM: 3 },
        MODEL: {
          MODEL_NAME: 'pspnet',
          DEFAULT_NORM_TYPE: 'bn',
          DEFAULT_EPSILON: 1e-5,
          PSPNET: { LAYERS: 50, DEPTH_MULTIPLIER: 0.125 },
        },
      },
      { sourceRoot: ROOT },
    );
    const node = builder.graphNodes.find((n) => n.name === 'resnet/res2a/branch2a/conv2d')!;
    const m = /^src\/models\/backbone\/resnet\.ts:(\d+) bottleneckBlock$/.exec(node.docString);
    expect(m, node.docString).not.toBeNull();
    const src = readFileSync(join(ROOT, 'src/models/backbone/resnet.ts'), 'utf8').split('\n');
    // The located line is the convBnLayer call inside b.scope('branch2a', …).
    const at = Number(m![1]) - 1;
    expect(src[at]).toContain('convBnLayer(');
    expect(`${src[at - 1]}${src[at]}`).toContain("'branch2a'");
    const dropout = builder.graphNodes.find((n) => n.opType === 'Mul')!;
    expect(dropout.docString).toMatch(/^src\/models\/modeling\/pspnet\.ts:\d+ pspnet$/);
  });
});
