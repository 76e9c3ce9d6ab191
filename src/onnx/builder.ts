/**
 * The ONNX graph builder (DESIGN.md, "The exported ONNX model"; spec §10 for the op
 * mapping). Typed op helpers that track every tensor's static shape (written to
 * `value_info`), name scopes held on the instance (`b.scope('psp1', () => …)`), parameters
 * declared by their Paddle names and filled later by the weight loader, and for every node
 * its scope path as `name` and the model-code source location as `doc_string`.
 */
import { PdsegError } from '../errors.js';
import type { SourceLocator } from './source-location.js';
import {
  type AttributeProto,
  AttributeType,
  type ModelProto,
  type NodeProto,
  type StringStringEntry,
  TensorDataType,
  type TensorProto,
  type ValueInfoProto,
} from './types.js';

/** A dimension: a fixed size or a symbolic name (the batch, `N`). */
export type Dim = number | string;

/** A tensor in the graph under construction: its name and static shape (NCHW for images). */
export interface Value {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dataType: number;
}

/** How a parameter is initialised when a checkpoint does not provide it (`--skip-mismatch`). */
export type ParamInit = 'weights' | 'zeros' | 'ones';

/** A parameter the network needs from the checkpoint, by its Paddle name. */
export interface ParamSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly init: ParamInit;
}

/** Options of {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Graph name. */
  name: string;
  /** Resolves the model-code location of each node; omit to leave `doc_string` empty. */
  locator?: SourceLocator;
}

/** Attribute values the op helpers pass; numbers that are integers become INT unless listed as floats. */
type AttrValue = number | string | number[];

/** IR version and opset written (DESIGN.md: IR 8, opset 17). */
export const IR_VERSION = 8;
/** The default-domain opset the builder targets. */
export const OPSET = 17;

function attr(name: string, value: AttrValue, float: boolean): AttributeProto {
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (Array.isArray(value)) {
    return float
      ? { name, type: AttributeType.FLOATS, floats: value }
      : { name, type: AttributeType.INTS, ints: value };
  }
  return float ? { name, type: AttributeType.FLOAT, f: value } : { name, type: AttributeType.INT, i: value };
}

function fixed(v: Value, what: string): number[] {
  return v.shape.map((d, i) => {
    if (typeof d !== 'number') {
      throw new RangeError(`${what}: dimension ${i} of "${v.name}" must be static, got "${d}"`);
    }
    return d;
  });
}

function sameDim(a: Dim, b: Dim): boolean {
  return a === b || a === 1 || b === 1;
}

function broadcast(a: readonly Dim[], b: readonly Dim[], what: string): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (!sameDim(x, y)) throw new RangeError(`${what}: shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Output size of a convolution or pooling window (spec §9.6 `ConvOutputSize`, floor mode). */
export function windowOutput(
  input: number,
  kernel: number,
  stride: number,
  padSum: number,
  dilation = 1,
): number {
  return Math.floor((input + padSum - (dilation * (kernel - 1) + 1)) / stride) + 1;
}

/**
 * Builds one ONNX graph. Scopes, name counters, parameters and nodes all live on the
 * instance, so two builds never share state.
 */
export class GraphBuilder {
  private readonly scopes: string[] = [];
  private readonly used = new Map<string, number>();
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly paramSpecs: ParamSpec[] = [];
  private readonly values = new Map<string, Value>();
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];

  constructor(private readonly options: GraphBuilderOptions) {}

  /** The current scope path, `''` at top level, else e.g. `psp1/BatchNorm`. */
  get scopePath(): string {
    return this.scopes.join('/');
  }

  /** Runs `fn` inside the named scope; node names and {@link scopedName} get the prefix. */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** `<scope path>/<name>` (or `name` at top level): PaddleSeg's `name_scope + name` (spec §4.1). */
  scopedName(name: string): string {
    return this.scopes.length ? `${this.scopePath}/${name}` : name;
  }

  /** Parameters declared so far, in declaration order. */
  get params(): readonly ParamSpec[] {
    return this.paramSpecs;
  }

  /** Initializers (parameters and constants); parameters have no data until the loader sets it. */
  get initializers(): readonly TensorProto[] {
    return this.inits;
  }

  /** Nodes created so far. */
  get graphNodes(): readonly NodeProto[] {
    return this.nodes;
  }

  /** The tracked value called `name`. */
  value(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new RangeError(`no tensor named "${name}" in the graph`);
    return v;
  }

  private track(name: string, shape: readonly Dim[], dataType: number = TensorDataType.FLOAT): Value {
    if (this.values.has(name)) throw new RangeError(`tensor name "${name}" is used twice`);
    const v: Value = { name, shape: [...shape], dataType };
    this.values.set(name, v);
    return v;
  }

  private unique(base: string): string {
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** Declares a graph input (float32 unless told). */
  input(name: string, shape: readonly Dim[], dataType: number = TensorDataType.FLOAT): Value {
    const v = this.track(name, shape, dataType);
    this.inputs.push(v);
    return v;
  }

  /** Marks `v` as a graph output. */
  output(v: Value): void {
    this.outputs.push(v);
  }

  /**
   * Declares a float32 parameter read from the checkpoint under its Paddle `name`
   * (not scoped: callers pass the full Paddle name).
   */
  param(name: string, dims: readonly number[], init: ParamInit): Value {
    if (this.paramSpecs.some((p) => p.name === name)) {
      throw new PdsegError('MODEL_FORMAT', `parameter "${name}" is declared twice by the network`);
    }
    this.paramSpecs.push({ name, dims: [...dims], init });
    this.inits.push({ name, dims: [...dims], dataType: TensorDataType.FLOAT });
    return this.track(name, dims);
  }

  /** Adds a constant initializer (a float32 or int64 tensor known at build time), scoped by name. */
  constant(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): Value {
    const full = this.unique(this.scopedName(name));
    const dataType = data instanceof Float32Array ? TensorDataType.FLOAT : TensorDataType.INT64;
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push({ name: full, dims: [...dims], dataType, rawData });
    return this.track(full, dims, dataType);
  }

  private int64s(name: string, values: readonly number[]): Value {
    return this.constant(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /**
   * Appends a node. `label` names it inside the current scope (`conv2d` → `resnet/res2a/branch2a/conv2d`);
   * its single output gets `outName` or `<node name>.tmp_0`.
   */
  node(
    opType: string,
    inputs: readonly (Value | null)[],
    shape: readonly Dim[],
    attrs: Record<string, AttrValue> = {},
    opts: { label?: string; outName?: string; floatAttrs?: readonly string[]; dataType?: number } = {},
  ): Value {
    const name = this.unique(this.scopedName(opts.label ?? opType.toLowerCase()));
    const out = this.track(opts.outName ?? `${name}.tmp_0`, shape, opts.dataType ?? TensorDataType.FLOAT);
    const attribute = Object.entries(attrs).map(([k, v]) =>
      attr(k, v, opts.floatAttrs?.includes(k) ?? false),
    );
    const docString = this.options.locator ? this.options.locator.locate(new Error().stack ?? '') : '';
    this.nodes.push({
      name,
      opType,
      domain: '',
      input: inputs.map((i) => i?.name ?? ''),
      output: [out.name],
      attribute,
      docString,
    });
    return out;
  }

  /** `Conv` with optional bias (Paddle `conv2d` + `elementwise_add(axis=1)`, spec §10), NCHW. */
  conv(
    x: Value,
    w: Value,
    b: Value | null,
    o: { strides?: number[]; pads?: number[]; dilations?: number[] } = {},
  ): Value {
    const [cout, , kh, kw] = fixed(w, 'conv weights');
    const strides = o.strides ?? [1, 1];
    const pads = o.pads ?? [0, 0, 0, 0];
    const dilations = o.dilations ?? [1, 1];
    const [, , h, wd] = fixed({ ...x, shape: [1, 1, ...x.shape.slice(2)] }, 'conv input');
    const shape = [
      x.shape[0]!,
      cout!,
      windowOutput(h!, kh!, strides[0]!, pads[0]! + pads[2]!, dilations[0]),
      windowOutput(wd!, kw!, strides[1]!, pads[1]! + pads[3]!, dilations[1]),
    ];
    return this.node(
      'Conv',
      b ? [x, w, b] : [x, w],
      shape,
      {
        kernel_shape: [kh!, kw!],
        strides,
        pads,
        dilations,
        group: 1,
      },
      { label: 'conv2d' },
    );
  }

  /** Inference `BatchNormalization` (spec §9.3): y = (x − mean)/√(var + ε)·γ + β per channel. */
  batchNorm(x: Value, scale: Value, bias: Value, mean: Value, variance: Value, epsilon: number): Value {
    return this.node(
      'BatchNormalization',
      [x, scale, bias, mean, variance],
      x.shape,
      { epsilon },
      {
        label: 'batch_norm',
        floatAttrs: ['epsilon'],
      },
    );
  }

  /** `Relu`. */
  relu(x: Value): Value {
    return this.node('Relu', [x], x.shape, {}, { label: 'relu' });
  }

  /** `MaxPool`, floor mode (spec §9.2: padding never contributes). */
  maxPool(x: Value, o: { kernel: number[]; strides: number[]; pads: number[] }): Value {
    const [, , h, w] = fixed({ ...x, shape: [1, 1, ...x.shape.slice(2)] }, 'max pool input');
    const shape = [
      x.shape[0]!,
      x.shape[1]!,
      windowOutput(h!, o.kernel[0]!, o.strides[0]!, o.pads[0]! + o.pads[2]!),
      windowOutput(w!, o.kernel[1]!, o.strides[1]!, o.pads[1]! + o.pads[3]!),
    ];
    return this.node(
      'MaxPool',
      [x],
      shape,
      {
        kernel_shape: o.kernel,
        strides: o.strides,
        pads: o.pads,
        ceil_mode: 0,
      },
      { label: 'pool2d' },
    );
  }

  /** `AveragePool` without padding (windows that tile the input exactly). */
  averagePool(x: Value, o: { kernel: number[]; strides: number[]; label?: string }): Value {
    const [, , h, w] = fixed({ ...x, shape: [1, 1, ...x.shape.slice(2)] }, 'average pool input');
    const shape = [
      x.shape[0]!,
      x.shape[1]!,
      windowOutput(h!, o.kernel[0]!, o.strides[0]!, 0),
      windowOutput(w!, o.kernel[1]!, o.strides[1]!, 0),
    ];
    return this.node(
      'AveragePool',
      [x],
      shape,
      { kernel_shape: o.kernel, strides: o.strides },
      {
        label: o.label ?? 'pool2d',
      },
    );
  }

  /**
   * Constant zero `Pad` in ONNX order (`[x1_begin, x2_begin, …, x1_end, x2_end, …]`); spec §9.5
   * Paddle's `[0,0, 0,0, d,d, d,d]` (before/after per dimension) becomes `[0,0,d,d, 0,0,d,d]`.
   */
  pad(x: Value, pads: number[], value = 0): Value {
    const rank = x.shape.length;
    if (pads.length !== 2 * rank) throw new RangeError(`pad: need ${2 * rank} pads for rank ${rank}`);
    const shape = x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i]! + pads[i + rank]! : d));
    const p = this.int64s('pad.pads', pads);
    const v = this.constant('pad.value', [], new Float32Array([value]));
    return this.node('Pad', [x, p, v], shape, { mode: 'constant' }, { label: 'pad' });
  }

  /** Element-wise `Add` with broadcasting. */
  add(a: Value, b: Value, label = 'elementwise_add'): Value {
    return this.node('Add', [a, b], broadcast(a.shape, b.shape, 'Add'), {}, { label });
  }

  /** Element-wise `Mul` with broadcasting. */
  mul(a: Value, b: Value, label = 'mul'): Value {
    return this.node('Mul', [a, b], broadcast(a.shape, b.shape, 'Mul'), {}, { label });
  }

  /** Multiplies by a float32 scalar constant (dropout at inference, spec §9.4). */
  mulScalar(x: Value, factor: number, label: string): Value {
    const c = this.constant(`${label}.factor`, [], new Float32Array([factor]));
    return this.mul(x, c, label);
  }

  /** `MatMul` (numpy semantics, batch dimensions broadcast). */
  matMul(a: Value, b: Value, label = 'matmul'): Value {
    const m = a.shape[a.shape.length - 2]!;
    const n = b.shape[b.shape.length - 1]!;
    const batch = broadcast(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
    return this.node('MatMul', [a, b], [...batch, m, n], {}, { label });
  }

  /** `Concat` along `axis`. */
  concat(xs: readonly Value[], axis: number): Value {
    const shape = [...xs[0]!.shape];
    let sum = 0;
    for (const x of xs) {
      const d = x.shape[axis];
      if (typeof d !== 'number') throw new RangeError(`concat: axis ${axis} of "${x.name}" must be static`);
      sum += d;
    }
    shape[axis] = sum;
    return this.node('Concat', xs, shape, { axis }, { label: 'concat' });
  }

  /**
   * Bilinear `Resize` of the two last axes to `[h, w]` (Paddle `bilinear_interp`, spec §9.1,
   * §10). PSPNet uses Paddle's defaults align_corners=True, align_mode=1 → ONNX
   * `align_corners`; align_corners=False maps to `asymmetric` (align_mode 1) or
   * `half_pixel` (align_mode 0; ONNX clamps negative source coordinates as Paddle does).
   */
  resizeBilinear(
    x: Value,
    size: [number, number],
    paddle: { alignCorners: boolean; alignMode: 0 | 1 } = { alignCorners: true, alignMode: 1 },
  ): Value {
    const coordinateMode = paddle.alignCorners
      ? 'align_corners'
      : paddle.alignMode === 0
        ? 'half_pixel'
        : 'asymmetric';
    const lead = x.shape.slice(0, -2);
    let sizes: Value;
    if (lead.every((d) => typeof d === 'number')) {
      sizes = this.int64s('bilinear_interp.sizes', [...(lead as number[]), ...size]);
    } else {
      // A symbolic batch: opset 17 `Resize` takes sizes for every axis (the `axes` input is
      // opset 18), so the leading N, C come from the tensor's shape at run time.
      const nc = this.node(
        'Shape',
        [x],
        [lead.length],
        { start: 0, end: lead.length },
        {
          label: 'bilinear_interp.shape',
          dataType: TensorDataType.INT64,
        },
      );
      const hw = this.int64s('bilinear_interp.hw', size);
      sizes = this.node(
        'Concat',
        [nc, hw],
        [x.shape.length],
        { axis: 0 },
        {
          label: 'bilinear_interp.sizes',
          dataType: TensorDataType.INT64,
        },
      );
    }
    return this.node(
      'Resize',
      [x, null, null, sizes],
      [...lead, ...size],
      { mode: 'linear', coordinate_transformation_mode: coordinateMode },
      { label: 'bilinear_interp' },
    );
  }

  /** `Transpose` by `perm`. */
  transpose(x: Value, perm: number[]): Value {
    return this.node(
      'Transpose',
      [x],
      perm.map((p) => x.shape[p]!),
      { perm },
      { label: 'transpose2' },
    );
  }

  /** `Softmax` along `axis` (opset 13+: a single axis, spec §10). */
  softmax(x: Value, axis: number): Value {
    return this.node('Softmax', [x], x.shape, { axis }, { label: 'softmax' });
  }

  /** `Identity` writing to `outName` (Paddle's `scale` 1.0 before the fetch, spec §5.3). */
  identity(x: Value, outName: string, label = 'scale'): Value {
    return this.node('Identity', [x], x.shape, {}, { label, outName });
  }

  private valueInfo(v: Value): ValueInfoProto {
    return {
      name: v.name,
      type: {
        tensorType: {
          elemType: v.dataType,
          shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    };
  }

  /** The finished model (IR 8, opset 17) with every intermediate shape in `value_info`. */
  toModel(o: { producerVersion: string; metadata: StringStringEntry[]; docString?: string }): ModelProto {
    const edge = new Set<string>([...this.inputs, ...this.outputs].map((v) => v.name));
    for (const t of this.inits) edge.add(t.name);
    const valueInfo: ValueInfoProto[] = [];
    for (const n of this.nodes)
      for (const out of n.output) if (!edge.has(out)) valueInfo.push(this.valueInfo(this.value(out)));
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'pdseg',
      producerVersion: o.producerVersion,
      domain: '',
      modelVersion: 1,
      docString: o.docString ?? '',
      graph: {
        name: this.options.name,
        node: [...this.nodes],
        initializer: [...this.inits],
        input: this.inputs.map((v) => this.valueInfo(v)),
        output: this.outputs.map((v) => this.valueInfo(v)),
        valueInfo,
        docString: '',
      },
      metadataProps: o.metadata,
      functions: [],
    };
  }
}
