/**
 * What the op table knows of one Paddle op type: its slots, its attributes with Paddle's
 * names, types and defaults (what a Paddle 1.8 `OpDesc` carries; older files that lack an
 * attribute get the default, as Paddle's attribute checker fills it), its shape rule (Paddle's
 * `InferShape`, used when model code records the op) and its lowering to ONNX nodes. Each
 * op type is described in exactly one place, `src/program/ops/`.
 */
import type { GraphBuilder, NodeAttr, NodeOptions, Value } from '../onnx/builder.js';
import type { AttrTypeName, AttrValue } from '../paddle/program-desc-types.js';
import type { ProgramOp } from './program.js';

/** One attribute: name, Paddle `AttrType`, default value. */
export type AttrSpec = readonly [name: string, type: AttrTypeName, value: AttrValue['value']];

/** What a shape rule sees: the op's attributes and its input variables' shapes. */
export interface InferContext {
  /** Attribute value (defaulted from the spec). */
  attr<T extends AttrValue['value']>(name: string): T;
  /** Shape of input `slot`'s `i`-th variable (`-1` for the batch). */
  shape(slot: string, i?: number): readonly number[];
  /** Number of variables bound to input `slot`. */
  count(slot: string): number;
}

/** Output shapes by slot (one per bound variable); slots left out keep their declared shape. */
export type InferResult = Record<string, readonly (readonly number[])[]>;

/** What a lowering sees: the op, its ONNX inputs, and the builder to add nodes with. */
export interface LowerContext {
  readonly b: GraphBuilder;
  readonly op: ProgramOp;
  /** Attribute value (defaulted from the spec). */
  attr<T extends AttrValue['value']>(name: string): T;
  /** Whether input `slot` has a variable bound. */
  has(slot: string): boolean;
  /** The ONNX value of input `slot`'s `i`-th variable. */
  input(slot: string, i?: number): Value;
  /** The ONNX values of every variable of input `slot`. */
  inputs(slot: string): Value[];
  /** Whether input `slot`'s variable is a parameter (a persistable tensor). */
  isParameter(slot: string, i?: number): boolean;
  /** How many ops of the program read input `slot`'s variable. */
  readers(slot: string, i?: number): number;
  /**
   * Adds an ONNX node; with `opts.output` naming an output slot, the node's result is that
   * Paddle variable (and carries its name).
   */
  node(
    opType: string,
    inputs: readonly (Value | null)[],
    attrs?: Readonly<Record<string, NodeAttr>>,
    opts?: Omit<NodeOptions, 'outputs' | 'docString'> & { output?: string },
  ): Value;
  /** Makes `v` the value of output `slot` (renaming its node's output when it can). */
  bind(slot: string, v: Value): void;
  /** Static dims of `v`, or an error naming the op. */
  staticShape(v: Value): number[];
  /** Static spatial dims (axes 2…) of an NCHW `v`, or an error naming the op. */
  spatial(v: Value): number[];
  /** An error for a case this lowering does not cover (it names the op and its output). */
  unsupported(reason: string): Error;
}

/** One op type of the table. */
export interface PaddleOpDef {
  readonly type: string;
  /** Input slots, in the order Paddle 1.8 writes them. */
  readonly inputs: readonly string[];
  /** Output slots, in the order Paddle 1.8 writes them. */
  readonly outputs: readonly string[];
  /** The op's own attributes (the framework's `op_*` ones are added for every op). */
  readonly attrs: readonly AttrSpec[];
  /** Paddle's shape rule, for ops model code records (absent for feed/fetch). */
  readonly infer?: (ctx: InferContext) => InferResult;
  /** The ONNX nodes for the op. */
  readonly lower: (ctx: LowerContext) => void;
}

/** The framework attributes every 1.x op carries (seen on real 1.6.3 and 2.2 programs). */
export const FRAMEWORK_ATTRS: readonly AttrSpec[] = [
  ['op_role', 'INT', 0],
  ['op_role_var', 'STRINGS', []],
  ['op_namescope', 'STRING', '/'],
  ['op_callstack', 'STRINGS', []],
];

/** Every attribute of `def` (the op's own, then the framework's) at its default, typed. */
export function defaultAttrs(def: PaddleOpDef): Map<string, AttrValue> {
  const out = new Map<string, AttrValue>();
  for (const [name, type, value] of [...def.attrs, ...FRAMEWORK_ATTRS])
    out.set(name, { type, value } as AttrValue);
  return out;
}

/** Shorthands for the attribute lists of the op files. */
export const attr = {
  int: (name: string, v: number): AttrSpec => [name, 'INT', v],
  float: (name: string, v: number): AttrSpec => [name, 'FLOAT', v],
  bool: (name: string, v: boolean): AttrSpec => [name, 'BOOLEAN', v],
  str: (name: string, v: string): AttrSpec => [name, 'STRING', v],
  ints: (name: string, v: number[]): AttrSpec => [name, 'INTS', v],
  floats: (name: string, v: number[]): AttrSpec => [name, 'FLOATS', v],
  /** `is_test`, which `_inference_optimize` sets; real 1.x files store it as INT 1. */
  isTest: (): AttrSpec => ['is_test', 'INT', 1],
};

/** Shape of `v` with every dimension static, else `undefined`. */
export function staticDims(v: Value): number[] | undefined {
  return v.shape.every((d) => typeof d === 'number') ? (v.shape as number[]) : undefined;
}
