/**
 * The program builder: Paddle's unique names, attributes defaulted from the op table and
 * typed as Paddle types them, `op_namescope` from the scopes, `op_callstack` naming the
 * model code's `.ts` lines (also when the model runs from the compiled dist/), and what
 * `save_inference_model` adds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import * as L from '../../src/program/layers.js';
import { lowerToOnnx } from '../../src/program/lower-onnx.js';
import { parseCallstack, sourceLocation } from '../../src/program/program.js';
import { ProgramBuilder } from '../../src/program/program-builder.js';
import { ROOT } from '../helpers.js';

const tinyCfg = {
  EVAL_CROP_SIZE: [32, 32],
  DATASET: { NUM_CLASSES: 2, DATA_DIM: 3 },
  MODEL: {
    MODEL_NAME: 'pspnet',
    DEFAULT_NORM_TYPE: 'bn',
    DEFAULT_EPSILON: 1e-5,
    PSPNET: { LAYERS: 50, DEPTH_MULTIPLIER: 0.125 },
  },
};

describe('ProgramBuilder', () => {
  test('unique names per key, tmp names per helper, scoped parameter names', () => {
    const p = new ProgramBuilder();
    expect([p.uniqueName('conv2d'), p.uniqueName('conv2d'), p.uniqueName('pool2d')]).toEqual([
      'conv2d_0',
      'conv2d_1',
      'pool2d_0',
    ]);
    expect([p.tmpName('conv2d_0'), p.tmpName('conv2d_0'), p.tmpName('x')]).toEqual([
      'conv2d_0.tmp_0',
      'conv2d_0.tmp_1',
      'x.tmp_0',
    ]);
    expect(p.scope('psp1', () => p.scope('BatchNorm', () => p.scopedName('gamma')))).toBe(
      'psp1/BatchNorm/gamma',
    );
    expect(p.nameScope('resnet', () => p.scopedName('weights'))).toBe('weights');
  });

  test('a layer records Paddle 1.8 ops, names and typed attributes', () => {
    const p = new ProgramBuilder();
    const x = p.data('x', [-1, 3, 8, 8]);
    const y = p.nameScope('stem', () =>
      L.conv2d(p, x, {
        numFilters: 4,
        filterSize: 3,
        padding: 1,
        paramName: 'w',
        biasName: 'b',
        act: 'relu',
      }),
    );
    const prog = p.inferenceProgram([x], [y]);
    expect(prog.ops.map((o) => o.type)).toEqual([
      'feed',
      'conv2d',
      'elementwise_add',
      'relu',
      'scale',
      'fetch',
    ]);
    expect(y.name).toBe('conv2d_0.tmp_2');
    expect(y.shape).toEqual([-1, 4, 8, 8]);
    const conv = prog.ops[1]!;
    expect(conv.inputs).toEqual({ Bias: [], Filter: ['w'], Input: ['x'], ResidualData: [] });
    expect(conv.attrs.get('paddings')).toEqual({ type: 'INTS', value: [1, 1] });
    expect(conv.attrs.get('use_cudnn')).toEqual({ type: 'BOOLEAN', value: true });
    expect(conv.attrs.get('fuse_brelu_threshold')).toEqual({ type: 'FLOAT', value: 6 });
    expect(conv.attrs.get('op_namescope')).toEqual({ type: 'STRING', value: '/stem/' });
    expect(prog.ops[2]!.attrs.get('axis')).toEqual({ type: 'INT', value: 1 });
    expect(prog.ops[4]!.outputs.Out).toEqual(['save_infer_model/scale_0.tmp_0']);
    expect(prog.ops[0]!.attrs.get('col')).toEqual({ type: 'INT', value: 0 });
    expect(prog.vars.get('feed')).toMatchObject({ kind: 'feed', persistable: true });
    expect(prog.version).toBe(1008000);
  });

  test('groups = channels without cudnn records depthwise_conv2d', () => {
    const p = new ProgramBuilder();
    const x = p.data('x', [-1, 6, 8, 8]);
    L.conv2d(p, x, { numFilters: 6, filterSize: 3, groups: 6, useCudnn: false, paramName: 'dw' });
    const prog = p.inferenceProgram([x], []);
    expect(prog.ops.map((o) => o.type)).toContain('depthwise_conv2d');
    expect(prog.vars.get('dw')!.shape).toEqual([6, 1, 3, 3]);
    expect(prog.vars.get('depthwise_conv2d_0.tmp_0')!.shape).toEqual([-1, 6, 6, 6]);
  });

  test('a parameter declared twice and an unknown attribute are errors', () => {
    const p = new ProgramBuilder();
    p.param('w', [1], 'ones');
    let caught: unknown;
    try {
      p.param('w', [1], 'ones');
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'MODEL_FORMAT')).toBe(true);
    expect((caught as Error).message).toContain('declared twice');
    const x = p.data('x', [-1, 1, 2, 2]);
    expect(() => p.appendOp('relu', { X: [x] }, { Out: ['r'] }, { no_such: 1 })).toThrow(
      /no attribute "no_such"/,
    );
  });

  test('parseCallstack reads Paddle traceback entries', () => {
    const frames = parseCallstack([
      '  File "/usr/lib/python3/site-packages/paddle/fluid/framework.py", line 2488, in append_op\n    attrs=…',
      '  File "pdseg/models/modeling/pspnet.py", line 52, in psp_module\n    data = conv(pool, …',
    ]);
    expect(frames.map((f) => `${f.file}:${f.line} ${f.fn}`)).toEqual([
      '/usr/lib/python3/site-packages/paddle/fluid/framework.py:2488 append_op',
      'pdseg/models/modeling/pspnet.py:52 psp_module',
    ]);
  });
});

describe('op_callstack and doc_string from the compiled dist/ (source maps)', () => {
  const built = join(ROOT, 'dist', 'models', 'model-builder.js');
  test.runIf(existsSync(built))(
    'ops built by dist/*.js name the src/*.ts lines of the model code',
    async () => {
      const mod = (await import(
        pathToFileURL(built).href
      )) as typeof import('../../src/models/model-builder.js');
      const program = mod.buildPredictProgram(tinyCfg, { sourceRoot: ROOT });
      const conv = program.ops.find((o) => o.outputs.Output?.[0] === 'res2a_branch2a.conv2d.output.1.tmp_0')!;
      const stack = conv.attrs.get('op_callstack')!.value as string[];
      // Innermost first: the helper's L.conv2d call, then the block, the backbone, the network.
      expect(
        parseCallstack(stack)
          .map((f) => `${f.file} ${f.fn}`)
          .slice(0, 4),
      ).toEqual([
        'src/models/libs/conv-bn-layer.ts convBnLayer',
        'src/models/backbone/resnet.ts bottleneckBlock',
        'src/models/backbone/resnet.ts bottleneckBlock',
        'src/models/backbone/resnet.ts bottleneckBlock',
      ]);
      const m = /^src\/models\/backbone\/resnet\.ts:(\d+) bottleneckBlock$/.exec(sourceLocation(conv));
      expect(m, sourceLocation(conv)).not.toBeNull();
      const src = readFileSync(join(ROOT, 'src/models/backbone/resnet.ts'), 'utf8').split('\n');
      // The located line is the convBnLayer call inside p.nameScope('branch2a', …).
      const at = Number(m![1]) - 1;
      expect(src[at]).toContain('convBnLayer(');
      expect(`${src[at - 1]}${src[at]}`).toContain("'branch2a'");
      const onnx = lowerToOnnx(program, { name: 'pspnet' }).builder.graphNodes;
      const node = onnx.find((n) => n.name === 'resnet/res2a/branch2a/conv2d')!;
      expect(node.docString).toBe(sourceLocation(conv));
      const dropout = onnx.find((n) => n.opType === 'Mul')!;
      expect(dropout.docString).toMatch(/^src\/models\/modeling\/pspnet\.ts:\d+ pspnet$/);
    },
  );
});
