/**
 * Plain typed objects for Paddle's `ProgramDesc` (`__model__` / `.pdmodel`), field for field
 * as `framework.proto` defines them (spec §9.9; Paddle 2.x additions marked). Optional
 * proto2 fields are `undefined` when the file did not set them, so an encode of a decoded
 * program reproduces the original bytes. Fields the decoder does not know are kept in
 * `unknown` and written back verbatim.
 */
import type { UnknownField } from './protobuf.js';

/** `VarType.Type` numbers for the variable kinds (spec §9.7); element types are in `dtype.ts`. */
export const VarTypeId = {
  LOD_TENSOR: 7,
  SELECTED_ROWS: 8,
  FEED_MINIBATCH: 9,
  FETCH_LIST: 10,
  STEP_SCOPES: 11,
  LOD_RANK_TABLE: 12,
  LOD_TENSOR_ARRAY: 13,
  PLACE_LIST: 14,
  READER: 15,
  FETCH_VAR_LIST: 16,
  RAW: 17,
  TUPLE: 18,
  SIZE_T: 19,
} as const;

/** `AttrType` names in enum order (spec §9.9; 12–17 are Paddle 2.x). */
export const ATTR_TYPES = [
  'INT',
  'FLOAT',
  'STRING',
  'INTS',
  'FLOATS',
  'STRINGS',
  'BOOLEAN',
  'BOOLEANS',
  'BLOCK',
  'LONG',
  'BLOCKS',
  'LONGS',
  'FLOAT64S',
  'VAR',
  'VARS',
  'FLOAT64',
  'SCALAR',
  'SCALARS',
] as const;

/** An `AttrType` name. */
export type AttrTypeName = (typeof ATTR_TYPES)[number];

/**
 * `OpDesc.Attr` field number that holds the value of each attribute type (spec §9.9; fields
 * 16–21 and types 12–17 are Paddle 2.x, from its `framework.proto`; not in the 1.8 spec).
 */
export const VALUE_FIELD: Readonly<Record<AttrTypeName, number>> = {
  INT: 3,
  FLOAT: 4,
  STRING: 5,
  INTS: 6,
  FLOATS: 7,
  STRINGS: 8,
  BOOLEAN: 10,
  BOOLEANS: 11,
  BLOCK: 12,
  LONG: 13,
  BLOCKS: 14,
  LONGS: 15,
  FLOAT64S: 16,
  VAR: 17,
  VARS: 18,
  FLOAT64: 19,
  SCALAR: 20,
  SCALARS: 21,
};

/** Attribute types whose value field is repeated. */
export const REPEATED: ReadonlySet<AttrTypeName> = new Set<AttrTypeName>([
  'INTS',
  'FLOATS',
  'STRINGS',
  'BOOLEANS',
  'BLOCKS',
  'LONGS',
  'FLOAT64S',
  'VARS',
  'SCALARS',
]);

/** An attribute's type and value; `LONG`s are numbers when safe integers, bigints otherwise. */
export type AttrValue =
  | { type: 'INT'; value: number }
  | { type: 'FLOAT'; value: number }
  | { type: 'STRING'; value: string }
  | { type: 'INTS'; value: number[] }
  | { type: 'FLOATS'; value: number[] }
  | { type: 'STRINGS'; value: string[] }
  | { type: 'BOOLEAN'; value: boolean }
  | { type: 'BOOLEANS'; value: boolean[] }
  | { type: 'BLOCK'; value: number }
  | { type: 'LONG'; value: number | bigint }
  | { type: 'BLOCKS'; value: number[] }
  | { type: 'LONGS'; value: (number | bigint)[] }
  | { type: 'FLOAT64S'; value: number[] }
  | { type: 'VAR'; value: string }
  | { type: 'VARS'; value: string[] }
  | { type: 'FLOAT64'; value: number }
  /** Paddle 2.x `Scalar` messages, kept as their raw encoded bytes. */
  | { type: 'SCALAR'; value: Uint8Array }
  | { type: 'SCALARS'; value: Uint8Array[] };

/** `OpDesc.Attr`: a named attribute. */
export type OpAttr = AttrValue & {
  /** Attribute name, e.g. `strides`, `op_namescope`. */
  name: string;
  /** Fields other than the one the type selects, kept verbatim. */
  unknown?: UnknownField[];
};

/** `OpDesc.Var`: one named slot and the variable names bound to it. */
export interface OpVar {
  /** Slot name, e.g. `Input`, `Filter`, `Out`. */
  parameter: string;
  /** Variable names. */
  arguments: string[];
}

/** `OpDesc`: one operator. */
export interface OpDesc {
  /** Operator type, e.g. `conv2d`. */
  type: string;
  /** Input slots in file order. */
  inputs: OpVar[];
  /** Output slots in file order. */
  outputs: OpVar[];
  /** Attributes in file order. */
  attrs: OpAttr[];
  /** `is_target`, when set. */
  isTarget?: boolean;
  /** Fields not interpreted. */
  unknown?: UnknownField[];
}

/** `VarType.TensorDesc`: element type number (see `dtype.ts`) and dims (`-1` = unknown). */
export interface TensorDescProto {
  /** `VarType.Type` number of the elements (FP32 = 5). */
  dataType: number;
  /** Dimensions; `-1` for an unknown (batch) dimension. */
  dims: number[];
}

/** `VarType.LoDTensorDesc` / `LoDTensorArrayDesc`. */
export interface LoDTensorDescProto {
  /** The tensor description. */
  tensor: TensorDescProto;
  /** `lod_level`, when set. */
  lodLevel?: number;
}

/** `VarType`: the variable kind and its description. */
export interface VarType {
  /** `VarType.Type` number (`VarTypeId.LOD_TENSOR` = 7 for parameters). */
  type: number;
  /** `selected_rows`. */
  selectedRows?: TensorDescProto;
  /** `lod_tensor`: set for LoDTensor variables. */
  lodTensor?: LoDTensorDescProto;
  /** `tensor_array`. */
  tensorArray?: LoDTensorDescProto;
  /** `reader`. */
  reader?: { lodTensor: LoDTensorDescProto[] };
  /** `tuple`. */
  tuple?: { elementType: number[] };
  /** Fields not interpreted. */
  unknown?: UnknownField[];
}

/** `VarDesc`: one variable of a block. */
export interface VarDesc {
  /** Variable name. */
  name: string;
  /** Its type. */
  type: VarType;
  /** `persistable`, when set (parameters, feed/fetch). */
  persistable?: boolean;
  /** `need_check_feed`, when set. */
  needCheckFeed?: boolean;
  /** Fields not interpreted (Paddle 2.x `is_parameter`, `stop_gradient`, `attrs`). */
  unknown?: UnknownField[];
}

/** `BlockDesc`. */
export interface BlockDesc {
  /** Block index. */
  idx: number;
  /** Parent block index (-1 for block 0). */
  parentIdx: number;
  /** Variables in file order. */
  vars: VarDesc[];
  /** Operators in execution order. */
  ops: OpDesc[];
  /** `forward_block_idx`, when set. */
  forwardBlockIdx?: number;
  /** Fields not interpreted. */
  unknown?: UnknownField[];
}

/** `OpCompatibleMap` (Paddle 1.7+). */
export interface OpCompatibleMap {
  /** Pairs in file order. */
  pair: { opName: string; compatibleInfo: { version: string; type: number } }[];
  /** `default_required_version`, when set. */
  defaultRequiredVersion?: string;
}

/** `ProgramDesc`: the whole program. */
export interface ProgramDesc {
  /** Blocks; block 0 is the main block. */
  blocks: BlockDesc[];
  /** `version.version` (major·1e6 + minor·1e3 + patch), when the file has a `Version` message. */
  version?: number | bigint;
  /** `op_compatible_map`, when present. */
  opCompatibleMap?: OpCompatibleMap;
  /** `op_version_map` (Paddle 2.x, field 5): op name → version, in file order. */
  opVersionMap?: { opName: string; version: number }[];
  /** Fields not interpreted. */
  unknown?: UnknownField[];
}
