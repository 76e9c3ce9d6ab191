/**
 * The ONNX graph builder (DESIGN.md, "The exported ONNX model"): the one place ONNX nodes
 * are made, by the Paddle-op lowering (`src/program/lower-onnx.ts`) and by predict's graph
 * edits. Every output's shape and element type come from the shared rule table
 * (`src/onnx/shapes/rules.ts`, the one the viewer's inference uses), so no op's shape
 * arithmetic is written twice. Scopes live on the instance (`b.scope('psp1', () => …)`),
 * node `name` is the scope path plus a label, `doc_string` the source location the caller
 * gives (the Paddle op's `op_callstack`).
 */
import { makeNode, type NodeAttr } from './nodes.js';
import type { Dim } from './shapes/dims.js';
import type { RuleAttrValue } from './shapes/rule-context.js';
import { SHAPE_RULES } from './shapes/rules.js';
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type StringStringEntry,
  TENSOR_DATA_TYPE_NAMES,
  TensorDataType,
  type TensorProto,
  type ValueInfoProto,
} from './types.js';

export type { Dim } from './shapes/dims.js';

/** A tensor of the graph under construction: its name, shape (NCHW for images) and element type. */
export interface Value {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dataType: number;
}

export type { NodeAttr } from './nodes.js';

/** Options of one {@link GraphBuilder.node} call. */
export interface NodeOptions {
  /** Label inside the current scope (default: the op type in lower case). */
  label?: string;
  /** Output tensor names (default: one output `<node name>.tmp_0`). */
  outputs?: readonly string[];
  /** Attributes written as FLOAT(S). */
  floats?: readonly string[];
  /** `doc_string`: the source location that asked for the node. */
  docString?: string;
}

/** IR version and opset written (DESIGN.md: IR 8, opset 17). */
export const IR_VERSION = 8;
/** The default-domain opset the builder targets. */
export const OPSET = 17;

const DTYPE_BY_NAME = new Map<string, number>(
  Object.entries(TENSOR_DATA_TYPE_NAMES).map(([k, v]) => [v as string, Number(k)]),
);

/** The rules' view of an attribute proto (numbers, strings and their lists). */
function ruleAttr(a: AttributeProto): RuleAttrValue | undefined {
  switch (a.type) {
    case AttributeType.INT:
      return Number(a.i ?? 0);
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttributeType.INTS:
      return (a.ints ?? []).map(Number);
    case AttributeType.FLOATS:
      return [...(a.floats ?? [])];
    default:
      return undefined;
  }
}

/** Small integer tensors are tracked by value so `Shape → Concat → Resize` chains resolve. */
const MAX_TRACKED = 64;

/**
 * Builds one ONNX graph. Scopes, name counters, initializers and nodes all live on the
 * instance, so two builds never share state.
 */
export class GraphBuilder {
  private readonly scopes: string[] = [];
  private readonly used = new Map<string, number>();
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly values = new Map<string, Value>();
  private readonly known = new Map<string, Dim[]>();
  private readonly producers = new Map<string, NodeProto>();
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];

  constructor(readonly graphName: string) {}

  /** The current scope path, `''` at top level, else e.g. `psp1/BatchNorm`. */
  get scopePath(): string {
    return this.scopes.join('/');
  }

  /** Runs `fn` inside the named scopes (`a/b` opens two); node names get the prefix. */
  scope<T>(name: string, fn: () => T): T {
    const parts = name.split('/').filter((s) => s !== '');
    this.scopes.push(...parts);
    try {
      return fn();
    } finally {
      this.scopes.length -= parts.length;
    }
  }

  /** `<scope path>/<name>`, or `name` at top level. */
  scopedName(name: string): string {
    return this.scopes.length ? `${this.scopePath}/${name}` : name;
  }

  /** Initializers (parameters and constants); parameters get their data from the loader. */
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

  /** Whether a tensor called `name` exists. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The node that computes `v`, if a node does (not for inputs and initializers). */
  producer(v: Value): NodeProto | undefined {
    return this.producers.get(v.name);
  }

  /** Nodes that read `v`. */
  consumers(v: Value): NodeProto[] {
    return this.nodes.filter((n) => n.input.includes(v.name));
  }

  /** The values of a small integer tensor known at build time (a constant, or shape arithmetic). */
  knownValues(v: Value): readonly Dim[] | undefined {
    return this.known.get(v.name);
  }

  private track(name: string, shape: readonly Dim[], dataType: number): Value {
    if (this.values.has(name)) throw new RangeError(`tensor name "${name}" is used twice`);
    const v: Value = { name, shape: [...shape], dataType };
    this.values.set(name, v);
    return v;
  }

  /** A fresh name from `base` (`base`, then `base_1`, …) that no tensor or node has. */
  unique(base: string): string {
    for (;;) {
      const n = this.used.get(base) ?? 0;
      this.used.set(base, n + 1);
      const name = n === 0 ? base : `${base}_${n}`;
      if (!this.values.has(name)) return name;
    }
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
   * Declares an initializer under its exact `name` (a Paddle parameter name); the returned
   * tensor proto is filled later (`rawData` or `rawDataSource`).
   */
  initializer(
    name: string,
    dims: readonly number[],
    dataType: number = TensorDataType.FLOAT,
  ): { value: Value; tensor: TensorProto } {
    const tensor: TensorProto = { name, dims: [...dims], dataType };
    this.inits.push(tensor);
    return { value: this.track(name, dims, dataType), tensor };
  }

  /** Adds a constant initializer known at build time, named `<scope>/<name>` (made unique). */
  constant(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): Value {
    const full = this.unique(this.scopedName(name));
    const dataType = data instanceof Float32Array ? TensorDataType.FLOAT : TensorDataType.INT64;
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push({ name: full, dims: [...dims], dataType, rawData });
    if (data instanceof BigInt64Array && data.length <= MAX_TRACKED) {
      this.known.set(
        full,
        Array.from(data, (x) => Number(x)),
      );
    }
    return this.track(full, dims, dataType);
  }

  /** An int64 vector constant. */
  int64s(name: string, values: readonly number[]): Value {
    return this.constant(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): Value {
    return this.constant(name, [], new Float32Array([value]));
  }

  /**
   * Appends a node and returns its outputs, shaped by the rule table. An op without a rule,
   * or a rule that cannot give an output's shape, is a bug in the caller: it throws.
   */
  node(
    opType: string,
    inputs: readonly (Value | null)[],
    attrs: Readonly<Record<string, NodeAttr>> = {},
    opts: NodeOptions = {},
  ): Value[] {
    const name = this.unique(this.scopedName(opts.label ?? opType.toLowerCase()));
    const outNames = opts.outputs ?? [`${name}.tmp_0`];
    const inputNames = inputs.map((i) => i?.name ?? '');
    const node = makeNode({
      name,
      opType,
      inputs: inputNames,
      outputs: outNames,
      attrs,
      floats: opts.floats,
      docString: opts.docString,
    });
    const attribute = node.attribute;
    const rule = SHAPE_RULES.get(opType);
    if (!rule) throw new RangeError(`GraphBuilder: no shape rule for ONNX op ${opType}`);
    const byName = new Map(attribute.map((a) => [a.name, ruleAttr(a)]));
    const at = (i: number) => inputs[i] ?? undefined;
    const result = rule({
      shape: (i) => (at(i) ? [...at(i)!.shape] : undefined),
      value: (i) => (at(i) ? this.known.get(at(i)!.name) : undefined),
      dtype: (i) => (at(i) ? TENSOR_DATA_TYPE_NAMES[at(i)!.dataType] : undefined),
      has: (i) => at(i) !== undefined,
      attr: (n) => byName.get(n),
      outputs: outNames.length,
    });
    const outs = outNames.map((out, k) => {
      const shape = result?.shapes[k];
      if (shape === undefined) {
        throw new RangeError(`GraphBuilder: cannot infer the shape of output ${k} of ${opType} "${name}"`);
      }
      const dtypeName = result?.dtypes?.[k];
      const dataType = dtypeName
        ? (DTYPE_BY_NAME.get(dtypeName) ?? TensorDataType.FLOAT)
        : (at(0)?.dataType ?? 1);
      const v = this.track(out, shape, dataType);
      const value = result?.values?.[k];
      if (value && value.length <= MAX_TRACKED) this.known.set(out, value);
      this.producers.set(out, node);
      return v;
    });
    this.nodes.push(node);
    return outs;
  }

  /** {@link node} for the usual single-output op. */
  node1(
    opType: string,
    inputs: readonly (Value | null)[],
    attrs: Readonly<Record<string, NodeAttr>> = {},
    opts: NodeOptions = {},
  ): Value {
    return this.node(opType, inputs, attrs, opts)[0]!;
  }

  /**
   * Adds `extra` as a further input of the node that computes `v` (a bias joining its Conv);
   * only for a node whose output nothing else reads yet.
   */
  appendInput(v: Value, extra: Value): void {
    const n = this.producers.get(v.name);
    if (!n) throw new RangeError(`appendInput: "${v.name}" is not computed by a node`);
    n.input.push(extra.name);
  }

  /**
   * Renames the output `v` of its node to `name` (so a fused op's result carries the name
   * of the Paddle variable it stands for).
   */
  rename(v: Value, name: string): Value {
    const n = this.producers.get(v.name);
    if (!n || this.consumers(v).length > 0) throw new RangeError(`rename: "${v.name}" is read already`);
    n.output = n.output.map((o) => (o === v.name ? name : o));
    this.values.delete(v.name);
    this.producers.delete(v.name);
    const known = this.known.get(v.name);
    this.known.delete(v.name);
    const out = this.track(name, v.shape, v.dataType);
    this.producers.set(name, n);
    if (known) this.known.set(name, known);
    return out;
  }

  private valueInfo(v: Value): ValueInfoProto {
    return {
      name: v.name,
      type: {
        tensorType: {
          elemType: v.dataType,
          shape: {
            dim: v.shape.map((d) =>
              typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {},
            ),
          },
        },
      },
    };
  }

  /** The finished graph with every intermediate shape in `value_info`. */
  toGraph(): GraphProto {
    const edge = new Set<string>([...this.inputs, ...this.outputs].map((v) => v.name));
    for (const t of this.inits) edge.add(t.name);
    const valueInfo: ValueInfoProto[] = [];
    for (const n of this.nodes)
      for (const out of n.output) if (!edge.has(out)) valueInfo.push(this.valueInfo(this.value(out)));
    return {
      name: this.graphName,
      node: [...this.nodes],
      initializer: [...this.inits],
      input: this.inputs.map((v) => this.valueInfo(v)),
      output: this.outputs.map((v) => this.valueInfo(v)),
      valueInfo,
      docString: '',
    };
  }

  /** The finished model (IR 8, opset 17). */
  toModel(o: { producerVersion: string; metadata: StringStringEntry[]; docString?: string }): ModelProto {
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'pdseg',
      producerVersion: o.producerVersion,
      domain: '',
      modelVersion: 1,
      docString: o.docString ?? '',
      graph: this.toGraph(),
      metadataProps: o.metadata,
      functions: [],
    };
  }
}
