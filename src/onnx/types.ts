/**
 * The ONNX messages pdseg reads and writes, as plain interfaces that mirror `onnx.proto`
 * with camelCase field names (DESIGN.md, "The exported ONNX model"). Integers are numbers:
 * int64 values beyond 2^53 lose precision, which no dimension or attribute of a vision
 * model reaches. Byte fields are Uint8Array views; decode never copies weight data.
 */

/** `TensorProto.DataType`. */
export const TensorDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

/** Lower-case names of data types, by number (`float32`, `int64`, …). */
export const TENSOR_DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'undefined',
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** Bytes per element of fixed-size data types (sub-byte types are absent). */
export const TENSOR_DATA_TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 4,
  2: 1,
  3: 1,
  4: 2,
  5: 2,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
  11: 8,
  12: 4,
  13: 8,
  14: 8,
  15: 16,
  16: 2,
  17: 1,
  18: 1,
  19: 1,
  20: 1,
};

/** `AttributeProto.AttributeType`. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** `OperatorSetIdProto`. */
export interface OperatorSetId {
  domain: string;
  version: number;
}

/** `StringStringEntryProto`. */
export interface StringStringEntry {
  key: string;
  value: string;
}

/**
 * Bytes that are read only when the model is written (`encodeModelStream`), so an export
 * streams weights from the checkpoint to the file instead of holding them all.
 */
export interface LazyBytes {
  readonly byteLength: number;
  load(): Promise<Uint8Array>;
}

/** `TensorProto`. Exactly one of the data fields is normally set. */
export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  /** `raw_data` supplied at write time; used when `rawData` is absent. Never decoded. */
  rawDataSource?: LazyBytes;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  stringData?: Uint8Array[];
  docString?: string;
  /** Set when the data lives in an external file (`data_location` EXTERNAL). */
  externalData?: StringStringEntry[];
  dataLocation?: number;
}

/** `TensorShapeProto.Dimension`: a fixed size, a symbolic name, or unknown. */
export interface Dimension {
  dimValue?: number;
  dimParam?: string;
}

/** `TypeProto`; only the tensor case carries detail, others are noted by kind. */
export interface TypeProto {
  tensorType?: { elemType: number; shape?: { dim: Dimension[] } };
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType: number; valueType?: TypeProto };
  optionalType?: { elemType?: TypeProto };
  sparseTensorType?: { elemType: number; shape?: { dim: Dimension[] } };
  denotation?: string;
}

/** `ValueInfoProto`. */
export interface ValueInfoProto {
  name: string;
  type?: TypeProto;
  docString?: string;
}

/** `AttributeProto`. `type` says which value field is meaningful. */
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  refAttrName?: string;
  docString?: string;
}

/** `NodeProto`. */
export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
  docString: string;
  /** Named metadata (IR ≥ 10), e.g. PyTorch's `pkg.torch.onnx.stack_trace`. */
  metadataProps?: StringStringEntry[];
}

/** `GraphProto`. */
export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  docString: string;
}

/** `FunctionProto` (model-local functions), as far as a viewer needs it. */
export interface FunctionProto {
  name: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: string[];
  node: NodeProto[];
  opsetImport: OperatorSetId[];
  docString: string;
}

/** `ModelProto`. */
export interface ModelProto {
  irVersion: number;
  opsetImport: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: GraphProto;
  metadataProps: StringStringEntry[];
  functions: FunctionProto[];
}
