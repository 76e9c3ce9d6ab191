/**
 * Test fixture: a small PSPNet-like `ProgramDesc` written from spec §5.5/§9.9 (feed →
 * conv2d → elementwise_add → batch_norm → relu → pool2d → pad → dilated conv2d → PSP branch
 * (adaptive pool2d → conv2d → batch_norm → relu → bilinear_interp) → concat → dropout →
 * logit conv2d → bilinear_interp → transpose2 → softmax → transpose2 → scale → fetch), with
 * `op_namescope` and `op_callstack` attributes like a real export. Other tests (the viewer)
 * may build their `__model__` fixtures with it.
 */
import type { OpAttr, OpDesc, ProgramDesc, VarDesc } from '../../src/paddle/program-desc.js';
import { VarTypeId } from '../../src/paddle/program-desc.js';

const FP32 = 5;

/** Options of {@link pspnetLikeProgram}. */
export interface PspnetLikeOptions {
  numClasses?: number;
  height?: number;
  width?: number;
}

/** Builds the program; parameter names follow PaddleSeg's naming (Appendix A). */
export function pspnetLikeProgram(options: PspnetLikeOptions = {}): ProgramDesc {
  const k = options.numClasses ?? 2;
  const h = options.height ?? 64;
  const w = options.width ?? 64;
  const vars: VarDesc[] = [];
  const ops: OpDesc[] = [];
  const tensor = (
    name: string,
    dims: number[],
    persistable = false,
    extra: Partial<VarDesc> = {},
  ): string => {
    vars.push({
      name,
      type: { type: VarTypeId.LOD_TENSOR, lodTensor: { tensor: { dataType: FP32, dims }, lodLevel: 0 } },
      persistable,
      ...extra,
    });
    return name;
  };
  const param = (name: string, dims: number[]): string => {
    vars.push({
      name,
      type: { type: VarTypeId.LOD_TENSOR, lodTensor: { tensor: { dataType: FP32, dims } } },
      persistable: true,
    });
    return name;
  };
  let line = 100;
  const op = (
    type: string,
    scope: string,
    inputs: Record<string, string[]>,
    outputs: Record<string, string[]>,
    attrs: OpAttr[],
  ): void => {
    line += 7;
    ops.push({
      type,
      inputs: Object.entries(inputs).map(([parameter, args]) => ({ parameter, arguments: args })),
      outputs: Object.entries(outputs).map(([parameter, args]) => ({ parameter, arguments: args })),
      attrs: [
        ...attrs,
        { name: 'op_role', type: 'INT', value: 0 },
        { name: 'op_namescope', type: 'STRING', value: scope },
        {
          name: 'op_callstack',
          type: 'STRINGS',
          value: [
            `  File "pdseg/models/modeling/pspnet.py", line ${line}, in psp_module\n    data = conv(...)\n`,
            `  File "pdseg/models/libs/model_libs.py", line ${line + 3}, in conv\n    return fluid.layers.conv2d(*args, **kargs)\n`,
          ],
        },
      ],
    });
  };
  // conv(): `<prefix>weights`/`<prefix>biases`; bn(): `bn<name>_scale…` in ResNet, `<scope>/BatchNorm/gamma…` in the head
  const convBnRelu = (
    scope: string,
    conv: string,
    bn: string[],
    x: string,
    cin: number,
    cout: number,
    hw: number,
    dilation = 1,
  ): string => {
    const wgt = param(`${conv}weights`, [cout, cin, 3, 3]);
    const bias = param(`${conv}biases`, [cout]);
    const c = tensor(`${conv}conv.tmp_0`, [-1, cout, hw, hw]);
    op('conv2d', scope, { Input: [x], Filter: [wgt] }, { Output: [c] }, [
      { name: 'strides', type: 'INTS', value: [1, 1] },
      { name: 'paddings', type: 'INTS', value: dilation > 1 ? [0, 0] : [1, 1] },
      { name: 'dilations', type: 'INTS', value: [dilation, dilation] },
      { name: 'groups', type: 'INT', value: 1 },
      { name: 'use_cudnn', type: 'BOOLEAN', value: true },
      { name: 'data_format', type: 'STRING', value: 'NCHW' },
      { name: 'padding_algorithm', type: 'STRING', value: 'EXPLICIT' },
    ]);
    const a = tensor(`${conv}add.tmp_1`, [-1, cout, hw, hw]);
    op('elementwise_add', scope, { X: [c], Y: [bias] }, { Out: [a] }, [
      { name: 'axis', type: 'INT', value: 1 },
    ]);
    const names = bn.map((n) => param(n, [cout]));
    const y = tensor(`${conv}bn.tmp_2`, [-1, cout, hw, hw]);
    op(
      'batch_norm',
      scope,
      { X: [a], Scale: [names[0]!], Bias: [names[1]!], Mean: [names[2]!], Variance: [names[3]!] },
      { Y: [y] },
      [
        { name: 'epsilon', type: 'FLOAT', value: Math.fround(1e-5) },
        { name: 'momentum', type: 'FLOAT', value: Math.fround(0.9) },
        { name: 'is_test', type: 'BOOLEAN', value: true },
      ],
    );
    const r = tensor(`${conv}relu.tmp_0`, [-1, cout, hw, hw]);
    op('relu', scope, { X: [y] }, { Out: [r] }, []);
    return r;
  };

  const resnetBn = (n: string): string[] => ['scale', 'offset', 'mean', 'variance'].map((s) => `${n}_${s}`);
  const headBn = (n: string): string[] =>
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((s) => `${n}/BatchNorm/${s}`);
  vars.push({ name: 'feed', type: { type: VarTypeId.FEED_MINIBATCH }, persistable: true });
  vars.push({ name: 'fetch', type: { type: VarTypeId.FETCH_LIST }, persistable: true });
  const image = tensor('image', [-1, 3, h, w], false, { needCheckFeed: true });
  op('feed', '/', { X: ['feed'] }, { Out: [image] }, [{ name: 'col', type: 'INT', value: 0 }]);
  const stem = convBnRelu('/resnet/conv1_1/', 'conv1_1_', resnetBn('bnv1_1'), image, 3, 8, h / 2);
  const pooled = tensor('pool2d_0.tmp_0', [-1, 8, h / 4, w / 4]);
  op('pool2d', '/resnet/', { X: [stem] }, { Out: [pooled] }, [
    { name: 'pooling_type', type: 'STRING', value: 'max' },
    { name: 'ksize', type: 'INTS', value: [3, 3] },
    { name: 'strides', type: 'INTS', value: [2, 2] },
    { name: 'paddings', type: 'INTS', value: [1, 1] },
    { name: 'global_pooling', type: 'BOOLEAN', value: false },
    { name: 'adaptive', type: 'BOOLEAN', value: false },
  ]);
  const padded = tensor('pad_0.tmp_0', [-1, 8, h / 4 + 4, w / 4 + 4]);
  op('pad', '/resnet/res5a/', { X: [pooled] }, { Out: [padded] }, [
    { name: 'paddings', type: 'INTS', value: [0, 0, 0, 0, 2, 2, 2, 2] },
    { name: 'pad_value', type: 'FLOAT', value: 0 },
  ]);
  const res = convBnRelu(
    '/resnet/res5a/',
    'res5a_branch2b_',
    resnetBn('bn5a_branch2b'),
    padded,
    8,
    8,
    h / 4,
    2,
  );
  const bin = tensor('psp1.pool', [-1, 8, 1, 1]);
  op('pool2d', '/psp1/', { X: [res] }, { Out: [bin] }, [
    { name: 'pooling_type', type: 'STRING', value: 'avg' },
    { name: 'ksize', type: 'INTS', value: [1, 1] },
    { name: 'adaptive', type: 'BOOLEAN', value: true },
  ]);
  const psp = convBnRelu('/psp1/', 'psp1/', headBn('psp1'), bin, 8, 4, 1);
  const up = tensor('psp1.up', [-1, 4, h / 4, w / 4]);
  op('bilinear_interp', '/psp1/', { X: [psp] }, { Out: [up] }, [
    { name: 'out_h', type: 'INT', value: h / 4 },
    { name: 'out_w', type: 'INT', value: w / 4 },
    { name: 'align_corners', type: 'BOOLEAN', value: true },
    { name: 'align_mode', type: 'INT', value: 1 },
    { name: 'interp_method', type: 'STRING', value: 'bilinear' },
  ]);
  const cat = tensor('concat_0.tmp_0', [-1, 12, h / 4, w / 4]);
  op('concat', '/', { X: [res, up] }, { Out: [cat] }, [{ name: 'axis', type: 'INT', value: 1 }]);
  const drop = tensor('dropout_0.tmp_0', [-1, 12, h / 4, w / 4]);
  op('dropout', '/', { X: [cat] }, { Out: [drop] }, [
    { name: 'dropout_prob', type: 'FLOAT', value: Math.fround(0.1) },
    { name: 'is_test', type: 'BOOLEAN', value: true },
    { name: 'dropout_implementation', type: 'STRING', value: 'downgrade_in_infer' },
    { name: 'seed', type: 'INT', value: 0 },
  ]);
  const lw = param('logit/weights', [k, 12, 1, 1]);
  const lb = param('logit/biases', [k]);
  const logit0 = tensor('logit.tmp_0', [-1, k, h / 4, w / 4]);
  op('conv2d', '/logit/', { Input: [drop], Filter: [lw] }, { Output: [logit0] }, [
    { name: 'strides', type: 'INTS', value: [1, 1] },
  ]);
  const logit = tensor('logit.tmp_1', [-1, k, h / 4, w / 4]);
  op('elementwise_add', '/logit/', { X: [logit0], Y: [lb] }, { Out: [logit] }, [
    { name: 'axis', type: 'INT', value: 1 },
  ]);
  const full = tensor('bilinear_interp_1.tmp_0', [-1, k, h, w]);
  op('bilinear_interp', '/', { X: [logit] }, { Out: [full] }, [
    { name: 'out_h', type: 'INT', value: h },
    { name: 'out_w', type: 'INT', value: w },
    { name: 'align_corners', type: 'BOOLEAN', value: true },
  ]);
  const t1 = tensor('transpose_0.tmp_0', [-1, h, w, k]);
  op('transpose2', '/', { X: [full] }, { Out: [t1] }, [{ name: 'axis', type: 'INTS', value: [0, 2, 3, 1] }]);
  const sm = tensor('softmax_0.tmp_0', [-1, h, w, k]);
  op('softmax', '/', { X: [t1] }, { Out: [sm] }, [{ name: 'axis', type: 'INT', value: -1 }]);
  const t2 = tensor('transpose_1.tmp_0', [-1, k, h, w]);
  op('transpose2', '/', { X: [sm] }, { Out: [t2] }, [{ name: 'axis', type: 'INTS', value: [0, 3, 1, 2] }]);
  const out = tensor('save_infer_model/scale_0.tmp_0', [-1, k, h, w]);
  op('scale', '/', { X: [t2] }, { Out: [out] }, [
    { name: 'scale', type: 'FLOAT', value: 1 },
    { name: 'bias', type: 'FLOAT', value: 0 },
    { name: 'bias_after_scale', type: 'BOOLEAN', value: true },
  ]);
  op('fetch', '/', { X: [out] }, { Out: ['fetch'] }, [{ name: 'col', type: 'INT', value: 0 }]);
  // FLOAT attributes are float32 in the file, hence Math.fround above
  return { blocks: [{ idx: 0, parentIdx: -1, vars, ops }], version: 1008000 };
}
