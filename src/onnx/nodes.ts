/**
 * Making and reading ONNX nodes and constant tensors: the one place attribute values are
 * encoded into `NodeProto`s. The graph builder makes its nodes here, and so do predict's
 * in-memory graph edits (the ArgMax tail, the PSP fold), which rewrite a decoded model.
 */
import {
  type AttributeProto,
  AttributeType,
  type NodeProto,
  TensorDataType,
  type TensorProto,
} from './types.js';

/** Attribute values a node is made with; integers become INT(S) unless named in `floats`. */
export type NodeAttr = number | string | readonly number[];

/** What {@link makeNode} needs. */
export interface NodeSpec {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Readonly<Record<string, NodeAttr>>;
  /** Attributes written as FLOAT(S). */
  floats?: readonly string[];
  docString?: string;
}

/** One attribute proto. */
export function attribute(name: string, value: NodeAttr, float = false): AttributeProto {
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value !== 'number') {
    return float
      ? { name, type: AttributeType.FLOATS, floats: [...value] }
      : { name, type: AttributeType.INTS, ints: [...value] };
  }
  return float ? { name, type: AttributeType.FLOAT, f: value } : { name, type: AttributeType.INT, i: value };
}

/** A node of the default domain. */
export function makeNode(spec: NodeSpec): NodeProto {
  return {
    name: spec.name,
    opType: spec.opType,
    domain: '',
    input: [...spec.inputs],
    output: [...spec.outputs],
    attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) =>
      attribute(k, v, spec.floats?.includes(k) ?? false),
    ),
    docString: spec.docString ?? '',
  };
}

/** A float32 constant tensor. */
export function float32Tensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return {
    name,
    dims: [...dims],
    dataType: TensorDataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** An int64 vector constant tensor. */
export function int64Tensor(name: string, values: readonly number[]): TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return {
    name,
    dims: [values.length],
    dataType: TensorDataType.INT64,
    rawData: new Uint8Array(data.buffer),
  };
}

/** The attribute `name` of `n`. */
export function findAttribute(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute.find((a) => a.name === name);
}

/** An INT attribute as a number. */
export function intAttribute(n: NodeProto, name: string): number | undefined {
  const a = findAttribute(n, name);
  return a?.i === undefined ? undefined : Number(a.i);
}

/** An INTS attribute as numbers. */
export function intsAttribute(n: NodeProto, name: string): number[] | undefined {
  return findAttribute(n, name)?.ints?.map(Number);
}

/** A STRING attribute as text. */
export function stringAttribute(n: NodeProto, name: string): string | undefined {
  const s = findAttribute(n, name)?.s;
  return s ? new TextDecoder().decode(s) : undefined;
}
