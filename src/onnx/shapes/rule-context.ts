/**
 * What a shape rule sees of its node ({@link OpContext}) and returns ({@link OpResult}), with
 * the attribute readers the rules share.
 */
import type { Dim, Shape } from './dims.js';

/**
 * An attribute value as the rules read it: numbers, strings and their lists (ONNX INT(S),
 * FLOAT(S), STRING(S)), a tensor attribute by its summary, a graph attribute by its index. The
 * viewer's `ViewAttrValue` and the graph builder's attribute values both fit.
 */
export type RuleAttrValue =
  | number
  | string
  | boolean
  | number[]
  | string[]
  | { tensor: { dtype: string; dims: Dim[] } }
  | { graph: number };

/** What a handler can ask about a node. */
export interface OpContext {
  /** Shape of input `i`; `undefined` when unknown or absent. */
  shape(i: number): Shape | undefined;
  /** Values of input `i` when it is a small constant (or computed from shapes). */
  value(i: number): Dim[] | undefined;
  /** Element type of input `i` (`float32`, `int64`, …) when known. */
  dtype(i: number): string | undefined;
  /** Whether input `i` is given (not absent or empty). */
  has(i: number): boolean;
  /** Raw attribute. */
  attr(name: string): RuleAttrValue | undefined;
  /** Number of outputs of the node. */
  outputs: number;
}

/** What a handler returns. */
export interface OpResult {
  shapes: Array<Shape | undefined>;
  values?: Array<Dim[] | undefined>;
  /** Output dtypes when they are not the first input's. */
  dtypes?: Array<string | undefined>;
}

/** A shape rule. */
export type OpHandler = (ctx: OpContext) => OpResult | undefined;

/** Integer attribute, or `fallback`. */
export const int = (ctx: OpContext, name: string, fallback: number): number => {
  const v = ctx.attr(name);
  return typeof v === 'number' ? v : fallback;
};
/** Integer-list attribute. */
export const ints = (ctx: OpContext, name: string): number[] | undefined => {
  const v = ctx.attr(name);
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
};
/** String attribute, or `fallback`. */
export const str = (ctx: OpContext, name: string, fallback: string): string => {
  const v = ctx.attr(name);
  return typeof v === 'string' ? v : fallback;
};
/** The values when all are numbers. */
export const numbers = (values: Dim[] | undefined): number[] | undefined =>
  values?.every((v): v is number => typeof v === 'number') ? values : undefined;
/** Integer list from input `i`, else from attribute `name` (ops that moved attributes to inputs). */
export const intsFrom = (ctx: OpContext, i: number, name: string): number[] | undefined =>
  ctx.has(i) ? numbers(ctx.value(i)) : ints(ctx, name);
