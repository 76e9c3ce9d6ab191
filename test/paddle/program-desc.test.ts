import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import {
  decodeProgramDesc,
  encodeProgramDesc,
  type OpAttr,
  type ProgramDesc,
  persistableParamNames,
  VarTypeId,
} from '../../src/paddle/program-desc.js';
import { SHARED } from '../helpers.js';
import { pspnetLikeProgram } from './pspnet-like-program.js';

const PADDLE = join(SHARED, 'testdata', 'paddle');
const gestureBytes = new Uint8Array(
  readFileSync(join(PADDLE, 'v1-combined-paddlejs-gesture_rec', '__model__')),
);
const simpleBytes = new Uint8Array(readFileSync(join(PADDLE, 'v2-paddlelite-simple_model', 'model.pdmodel')));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ProgramDesc decoder on files written by Paddle (spec §9.9)', () => {
  it('decodes gesture_rec (Paddle 1.6.3): 164 ops, version 1006003, the op types its README lists', () => {
    const d = decodeProgramDesc(gestureBytes, '__model__');
    expect(d.version).toBe(1006003);
    expect(d.blocks).toHaveLength(1);
    const ops = d.blocks[0]!.ops;
    expect(ops).toHaveLength(164);
    expect(ops[0]!.type).toBe('feed');
    expect(ops[ops.length - 1]!.type).toBe('fetch');
    const types = new Set(ops.map((o) => o.type));
    for (const t of [
      'conv2d',
      'depthwise_conv2d',
      'batch_norm',
      'relu6',
      'pool2d',
      'concat',
      'mul',
      'scale',
    ]) {
      expect(types.has(t)).toBe(true);
    }
    expect(d.opCompatibleMap?.pair.length).toBeGreaterThan(0);
  });

  it('reads negative INTS (10-byte varints in the file) as negative numbers', () => {
    const d = decodeProgramDesc(gestureBytes);
    const ksizes = d.blocks[0]!.ops.filter((o) => o.type === 'pool2d').map((o) =>
      o.attrs.find((a) => a.name === 'ksize'),
    );
    expect(ksizes.some((a) => a?.type === 'INTS' && a.value.join(',') === '-1,-1')).toBe(true);
    // the same fact seen in the raw bytes: two field-6 keys, each followed by 2^64 - 1
    expect(hex(gestureBytes)).toContain('30ffffffffffffffffff0130ffffffffffffffffff01');
  });

  it('finds the 269 parameters of gesture_rec (its README) in byte-wise order', () => {
    const names = persistableParamNames(decodeProgramDesc(gestureBytes));
    expect(names).toHaveLength(269);
    const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(names).toEqual(sorted);
    expect(names).not.toContain('feed');
    expect(names).not.toContain('fetch');
  });

  it('decodes simple_model (Paddle 2.2.2): feed → conv2d → batch_norm → relu → fetch', () => {
    const d = decodeProgramDesc(simpleBytes, 'model.pdmodel');
    expect(d.version).toBe(2002002);
    expect(d.blocks[0]!.ops.map((o) => o.type)).toEqual(['feed', 'conv2d', 'batch_norm', 'relu', 'fetch']);
    expect(d.opVersionMap?.length).toBeGreaterThan(0);
    expect(persistableParamNames(d)).toEqual([
      'conv1_bn_mean',
      'conv1_bn_offset',
      'conv1_bn_scale',
      'conv1_bn_variance',
      'conv1_weights',
    ]);
    const conv = d.blocks[0]!.ops[1]!;
    expect(conv.inputs.find((v) => v.parameter === 'Filter')?.arguments).toEqual(['conv1_weights']);
    expect(conv.attrs.find((a) => a.name === 'strides')).toMatchObject({ type: 'INTS', value: [2, 2] });
    const w = d.blocks[0]!.vars.find((v) => v.name === 'conv1_weights')!;
    expect(w.persistable).toBe(true);
    expect(w.type.type).toBe(VarTypeId.LOD_TENSOR);
    expect(w.type.lodTensor?.tensor.dataType).toBe(5);
    const activation = d.blocks[0]!.vars.find((v) => v.name === 'conv2d_0.tmp_0')!;
    expect(activation.type.lodTensor?.tensor.dims[0]).toBe(-1);
  });

  it('re-encodes both real files byte for byte', () => {
    expect(hex(encodeProgramDesc(decodeProgramDesc(gestureBytes)))).toBe(hex(gestureBytes));
    expect(hex(encodeProgramDesc(decodeProgramDesc(simpleBytes)))).toBe(hex(simpleBytes));
  });

  it('rejects bytes that are not a ProgramDesc with MODEL_FORMAT naming the file', () => {
    try {
      decodeProgramDesc(new TextEncoder().encode('# README\nnot a model\n'), 'README.md');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PdsegError);
      expect((e as PdsegError).code).toBe('MODEL_FORMAT');
      expect((e as PdsegError).message).toContain('README.md');
    }
  });
});

describe('ProgramDesc encoder', () => {
  it('round-trips a PSPNet-like program, op_namescope and op_callstack included', () => {
    const program = pspnetLikeProgram({ numClasses: 3 });
    const bytes = encodeProgramDesc(program);
    const back = decodeProgramDesc(bytes);
    expect(back).toEqual(program);
    expect(hex(encodeProgramDesc(back))).toBe(hex(bytes));
    const conv = back.blocks[0]!.ops.find((o) => o.type === 'conv2d')!;
    expect(conv.attrs.find((a) => a.name === 'op_namescope')).toEqual({
      name: 'op_namescope',
      type: 'STRING',
      value: '/resnet/conv1_1/',
    });
    const stack = conv.attrs.find((a) => a.name === 'op_callstack');
    expect(stack?.type).toBe('STRINGS');
    expect((stack?.value as string[] | undefined)?.[0]).toContain('pspnet.py');
    expect(back.blocks[0]!.ops.map((o) => o.type).slice(-5)).toEqual([
      'transpose2',
      'softmax',
      'transpose2',
      'scale',
      'fetch',
    ]);
  });

  it('round-trips every attribute type, negative ints, longs beyond 2^53 and doubles', () => {
    const attrs: OpAttr[] = [
      { name: 'i', type: 'INT', value: -7 },
      { name: 'f', type: 'FLOAT', value: 0.5 },
      { name: 's', type: 'STRING', value: 'NCHW' },
      { name: 'ints', type: 'INTS', value: [-1, 0, 2147483647, -2147483648] },
      { name: 'floats', type: 'FLOATS', value: [1.5, -0.25] },
      { name: 'strings', type: 'STRINGS', value: ['a', '', 'é'] },
      { name: 'b', type: 'BOOLEAN', value: true },
      { name: 'bools', type: 'BOOLEANS', value: [true, false, true] },
      { name: 'block', type: 'BLOCK', value: 1 },
      { name: 'l', type: 'LONG', value: -(2n ** 60n) },
      { name: 'blocks', type: 'BLOCKS', value: [1, 2] },
      { name: 'longs', type: 'LONGS', value: [-1, 2n ** 62n, 5] },
      { name: 'f64s', type: 'FLOAT64S', value: [Math.PI, -1e300] },
      { name: 'var', type: 'VAR', value: 'x' },
      { name: 'vars', type: 'VARS', value: ['x', 'y'] },
      { name: 'f64', type: 'FLOAT64', value: 0.1 },
      { name: 'scalar', type: 'SCALAR', value: new Uint8Array([8, 2, 0x18, 5]) },
    ];
    const program: ProgramDesc = {
      blocks: [
        {
          idx: 0,
          parentIdx: -1,
          vars: [
            {
              name: 'x',
              type: { type: VarTypeId.LOD_TENSOR, lodTensor: { tensor: { dataType: 5, dims: [-1, 3] } } },
            },
          ],
          ops: [
            {
              type: 'custom',
              inputs: [{ parameter: 'X', arguments: ['x'] }],
              outputs: [],
              attrs,
              isTarget: false,
            },
          ],
          forwardBlockIdx: -1,
        },
        { idx: 1, parentIdx: 0, vars: [], ops: [] },
      ],
      version: 1008000,
      opVersionMap: [{ opName: 'conv2d', version: 1 }],
    };
    const bytes = encodeProgramDesc(program);
    expect(decodeProgramDesc(bytes)).toEqual(program);
    // INT -7 is the 10-byte varint f9 ff ff ff ff ff ff ff ff 01 after key 0x18 (field 3)
    expect(hex(bytes)).toContain('18f9ffffffffffffffff01');
  });

  it('lists persistable parameters in byte-wise order, without feed/fetch (spec §9.8 examples)', () => {
    const names = [
      'res2a_branch1_weights',
      'psp_end/biases',
      'psp1/biases',
      'psp1/BatchNorm/mean',
      'logit/weights',
      'bnv1_1_scale',
      'bn5c_branch2a_scale',
      'bn4b1_branch2a_scale',
      'bn4b10_branch2a_scale',
      'psp6/biases',
    ];
    const program: ProgramDesc = {
      blocks: [
        {
          idx: 0,
          parentIdx: -1,
          vars: [
            { name: 'feed', type: { type: VarTypeId.FEED_MINIBATCH }, persistable: true },
            { name: 'fetch', type: { type: VarTypeId.FETCH_LIST }, persistable: true },
            { name: 'activation', type: { type: VarTypeId.LOD_TENSOR }, persistable: false },
            ...names.map((name) => ({ name, type: { type: VarTypeId.LOD_TENSOR }, persistable: true })),
          ],
          ops: [],
        },
      ],
    };
    expect(persistableParamNames(program)).toEqual([
      'bn4b10_branch2a_scale',
      'bn4b1_branch2a_scale',
      'bn5c_branch2a_scale',
      'bnv1_1_scale',
      'logit/weights',
      'psp1/BatchNorm/mean',
      'psp1/biases',
      'psp6/biases',
      'psp_end/biases',
      'res2a_branch1_weights',
    ]);
  });
});
