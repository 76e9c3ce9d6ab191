/**
 * The network's parameters and node sequence against the spec: Appendix A's variable list
 * (ResNet50, 2 classes: 362 variables, `__params__` 187,187,666 bytes written by the real
 * writer), §4.6/Appendix B for ResNet101 (668 variables, 263,477,529 bytes), the strides
 * of §4.2, and §5.5's op sequence; plus the registry's errors.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import { buildPredictProgram } from '../../src/models/model-builder.js';
import type { ModelConfig } from '../../src/models/model-config.js';
import { createModelRegistry, lookupModel } from '../../src/models/registry.js';
import { lowerToOnnx } from '../../src/program/lower-onnx.js';
import { makePspnetFixture, pspnetParams } from '../fixtures/pspnet.js';
import { SHARED, tempDir } from '../helpers.js';

const lowered = (c: ModelConfig) => lowerToOnnx(buildPredictProgram(c), { name: 'pspnet' }).builder;

function cfg(
  layers: number,
  depthMultiplier = 1,
  numClasses = 2,
  crop: [number, number] = [64, 64],
): ModelConfig {
  return {
    EVAL_CROP_SIZE: crop,
    DATASET: { NUM_CLASSES: numClasses, DATA_DIM: 3 },
    MODEL: {
      MODEL_NAME: 'pspnet',
      DEFAULT_NORM_TYPE: 'bn',
      DEFAULT_EPSILON: 1e-5,
      PSPNET: { LAYERS: layers, DEPTH_MULTIPLIER: depthMultiplier },
    },
  };
}

function bytewise(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** Size of one §9.7 record: 20 header bytes + TensorDesc (`08 05`, then `10 <varint>` per dim) + data. */
function recordSize(dims: readonly number[]): number {
  const varint = (v: number) => (v < 128 ? 1 : v < 16384 ? 2 : 3);
  const desc = 2 + dims.reduce((n, d) => n + 1 + varint(d), 0);
  return 20 + desc + 4 * dims.reduce((a, b) => a * b, 1);
}

/** Appendix A's table (name, shape with K = 2), read from the spec. */
function appendixA(): Array<[string, number[]]> {
  const text = readFileSync(join(SHARED, 'spec', 'paddleseg-static.md'), 'utf8');
  const section = text.slice(text.indexOf('## Appendix A'), text.indexOf('## Appendix B'));
  const rows: Array<[string, number[]]> = [];
  for (const m of section.matchAll(/^\| \d+ \| `([^`]+)` \| \[([^\]]+)\] \|$/gm)) {
    rows.push([m[1]!, m[2]!.split(',').map((d) => (d.trim() === 'K' ? 2 : Number(d)))]);
  }
  return rows;
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir('pdseg-models-');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('PSPNet-ResNet50 parameters (Appendix A)', () => {
  test('names and shapes in byte-wise order equal the spec table', () => {
    const params = [...pspnetParams({ numClasses: 2, depthMultiplier: 1, layers: 50 })];
    params.sort((a, b) => bytewise(a.name, b.name));
    const table = appendixA();
    expect(table).toHaveLength(362);
    expect(params.map((p) => [p.name, [...p.dims]])).toEqual(table);
  });

  test('the real writer makes a 187,187,666-byte __params__ of 362 records', async () => {
    const fx = await makePspnetFixture({
      dir: join(tmp.dir, 'r50'),
      numClasses: 2,
      depthMultiplier: 1,
      layout: 'combined',
      values: 'zeros',
      runExport: false,
    });
    expect(fx.params).toHaveLength(362);
    expect((await stat(join(fx.checkpointDir, '__params__'))).size).toBe(187_187_666);
  });
});

describe('PSPNet-ResNet101 (spec §4.6, Appendix B)', () => {
  test('668 variables, 263,477,529 combined bytes, res4b1…res4b22', () => {
    const params = pspnetParams({ numClasses: 2, depthMultiplier: 1, layers: 101 });
    expect(params).toHaveLength(668);
    expect(params.reduce((n, p) => n + recordSize(p.dims), 0)).toBe(263_477_529);
    const names = new Set(params.map((p) => p.name));
    expect(names.has('res4b22_branch2b_weights')).toBe(true);
    expect(names.has('bn4b17_branch2b_variance')).toBe(true);
    expect(names.has('res4b23_branch2a_weights')).toBe(false);
  });

  test('ResNet101 strides the 3×3 of res3a, ResNet50 its first 1×1', () => {
    const stride = (layers: number, node: string) => {
      const n = lowered(cfg(layers, 0.125)).graphNodes.find((x) => x.name === node)!;
      return n.attribute.find((a) => a.name === 'strides')!.ints;
    };
    expect(stride(50, 'resnet/res3a/branch2a/conv2d')).toEqual([2, 2]);
    expect(stride(50, 'resnet/res3a/branch2b/conv2d')).toEqual([1, 1]);
    expect(stride(101, 'resnet/res3a/branch2a/conv2d')).toEqual([1, 1]);
    expect(stride(101, 'resnet/res3a/branch2b/conv2d')).toEqual([2, 2]);
    expect(stride(101, 'resnet/res3a/branch1/conv2d')).toEqual([2, 2]);
  });
});

describe('Paddle op sequence of the program (spec §5.5)', () => {
  const program = buildPredictProgram(cfg(50, 0.125));
  const types = program.ops.map((o) => o.type);
  const attr = (i: number, name: string) => program.ops[i]!.attrs.get(name);

  test('feed, the stem conv_bn_layers, pool, then the PREDICT tail and fetch', () => {
    const convBnRelu = ['conv2d', 'elementwise_add', 'batch_norm', 'relu'];
    expect(types.slice(0, 15)).toEqual([
      'feed',
      ...convBnRelu,
      ...convBnRelu,
      ...convBnRelu,
      'pool2d',
      'conv2d',
    ]);
    expect(types.slice(-14)).toEqual([
      'concat',
      ...convBnRelu,
      'dropout',
      'conv2d',
      'elementwise_add',
      'bilinear_interp',
      'transpose2',
      'softmax',
      'transpose2',
      'scale',
      'fetch',
    ]);
    expect(types.filter((t) => t === 'pad')).toHaveLength(9);
    expect(types.filter((t) => t === 'bilinear_interp')).toHaveLength(5);
  });

  test('variables are named as Paddle 1.8 names them', () => {
    const out = (i: number, slot: string) => program.ops[i]!.outputs[slot]![0];
    expect(out(1, 'Output')).toBe('conv1_1.conv2d.output.1.tmp_0');
    expect(out(2, 'Out')).toBe('conv1_1.conv2d.output.1.tmp_1');
    expect(program.ops[3]!.outputs).toMatchObject({ Y: ['bnv1_1.output.1.tmp_2'], MeanOut: ['bnv1_1_mean'] });
    expect(out(4, 'Out')).toBe('bnv1_1.output.1.tmp_3');
    const add = program.ops.find(
      (o) => o.type === 'elementwise_add' && o.outputs.Out![0] === 'res2a.add.output.5',
    )!;
    expect(add.attrs.get('axis')?.value).toBe(-1);
    const drop = program.ops.find((o) => o.type === 'dropout')!;
    expect(drop.outputs).toEqual({ Mask: ['dropout.tmp_1'], Out: ['dropout.tmp_0'] });
    expect(program.ops.at(-1)!.inputs).toEqual({ X: ['save_infer_model/scale_0.tmp_0'] });
    expect(program.vars.get('image')).toMatchObject({
      shape: [-1, 3, 64, 64],
      needCheckFeed: true,
      persistable: false,
    });
    expect(program.vars.get('bnv1_1_mean')).toMatchObject({ persistable: true, shape: [8] });
  });

  test('attributes: backbone BN momentum 0.9, head 0.99; dropout 0.1 downgrade_in_infer; is_test', () => {
    expect(attr(3, 'momentum')).toEqual({ type: 'FLOAT', value: 0.9 });
    expect(attr(3, 'epsilon')).toEqual({ type: 'FLOAT', value: 1e-5 });
    expect(attr(3, 'is_test')).toEqual({ type: 'INT', value: 1 });
    const psp = program.ops.findIndex(
      (o) => o.type === 'batch_norm' && o.inputs.Scale![0] === 'psp1/BatchNorm/gamma',
    );
    expect(attr(psp, 'momentum')?.value).toBe(0.99);
    const drop = program.ops.findIndex((o) => o.type === 'dropout');
    expect(attr(drop, 'dropout_prob')?.value).toBe(0.1);
    expect(attr(drop, 'dropout_implementation')?.value).toBe('downgrade_in_infer');
    const interp = program.ops.findIndex((o) => o.type === 'bilinear_interp');
    expect([
      attr(interp, 'out_h')?.value,
      attr(interp, 'align_corners')?.value,
      attr(interp, 'align_mode')?.value,
    ]).toEqual([8, true, 1]);
    expect(attr(1, 'padding_algorithm')).toEqual({ type: 'STRING', value: 'EXPLICIT' });
    expect(attr(1, 'op_namescope')).toEqual({ type: 'STRING', value: '/resnet/conv1_1/' });
  });
});

describe('node sequence of the lowered ONNX graph (spec §10)', () => {
  const builder = lowered(cfg(50, 0.125));
  const ops = builder.graphNodes.map((n) => n.opType);
  const count = (op: string) => ops.filter((o) => o === op).length;

  test('stem, first bottleneck and the PREDICT tail read as in Paddle', () => {
    const convBnRelu = ['Conv', 'BatchNormalization', 'Relu'];
    expect(ops.slice(0, 10)).toEqual([...convBnRelu, ...convBnRelu, ...convBnRelu, 'MaxPool']);
    expect(ops.slice(10, 22)).toEqual([
      ...convBnRelu,
      ...convBnRelu,
      'Conv',
      'BatchNormalization',
      'Conv',
      'BatchNormalization',
      'Add',
      'Relu',
    ]);
    expect(ops.slice(-13)).toEqual([
      'Concat',
      ...convBnRelu,
      'Mul',
      'Conv',
      'Shape',
      'Concat',
      'Resize',
      'Transpose',
      'Softmax',
      'Transpose',
      'Identity',
    ]);
  });

  test('op counts: 55+6 convs, 9 dilation pads, 16 residual adds, 5 resizes, one ×0.9', () => {
    // 3 stem + 16 blocks × 3 + 4 projection shortcuts = 55 backbone convs; psp ×4, psp_end, logit.
    expect(count('Conv')).toBe(61);
    expect(count('BatchNormalization')).toBe(60);
    expect(count('Pad')).toBe(9);
    expect(count('Add')).toBe(16);
    expect(count('Resize')).toBe(5);
    expect(count('Mul')).toBe(1);
    expect(count('MaxPool')).toBe(1);
    // 3 stem + 3 per block + 4 psp + psp_end
    expect(count('Relu')).toBe(56);
    const dropout = builder.initializers.find((t) => t.name === 'dropout/dropout.factor')!;
    expect(new Float32Array(dropout.rawData!.slice().buffer)[0]).toBe(Math.fround(0.9));
  });

  test('dilated convs are padded by their dilation and have no padding of their own', () => {
    const conv = builder.graphNodes.find((n) => n.name === 'resnet/res5a/branch2b/conv2d')!;
    const attr = (name: string) => conv.attribute.find((a) => a.name === name)!.ints;
    expect(attr('dilations')).toEqual([4, 4]);
    expect(attr('pads')).toEqual([0, 0, 0, 0]);
    const pad = builder.graphNodes.find((n) => n.name === 'resnet/res5a/branch2b/pad')!;
    const pads = builder.initializers.find((t) => t.name === pad.input[1])!;
    expect(Array.from(new BigInt64Array(pads.rawData!.slice().buffer), Number)).toEqual([
      0, 0, 4, 4, 0, 0, 4, 4,
    ]);
  });

  test('every intermediate tensor has a static shape in value_info', () => {
    const model = builder.toModel({ producerVersion: 't', metadata: [] });
    const outputs = model.graph.node
      .flatMap((n) => n.output)
      .filter((o) => o !== 'save_infer_model/scale_0.tmp_0');
    expect(model.graph.valueInfo.map((v) => v.name).sort()).toEqual(outputs.sort());
    const res5c = model.graph.valueInfo.find((v) => v.name === 'res5c.add.output.5.tmp_0')!;
    expect(res5c.type!.tensorType!.shape!.dim.map((d) => d.dimValue ?? d.dimParam)).toEqual(['N', 256, 8, 8]);
  });
});

describe('model registry', () => {
  test('an unknown MODEL_NAME lists the known models', () => {
    let caught: unknown;
    try {
      lookupModel('no_such_net');
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'MODEL_UNKNOWN')).toBe(true);
    expect((caught as Error).message).toContain('known models: pspnet, unet, hrnet');
  });

  test('a duplicate name is an error', () => {
    const fn = () => {
      throw new Error('unused');
    };
    expect(() =>
      createModelRegistry([
        ['a', fn],
        ['a', fn],
      ]),
    ).toThrow(/registered twice/);
  });

  test('an unsupported LAYERS value is a CONFIG_CHECK error naming the value', () => {
    let caught: unknown;
    try {
      buildPredictProgram(cfg(42));
    } catch (e) {
      caught = e;
    }
    expect(isPdsegError(caught, 'CONFIG_CHECK')).toBe(true);
    expect((caught as Error).message).toContain('MODEL.PSPNET.LAYERS 42');
  });
});
