/**
 * Static shape inference for graphs that carry no `value_info` (issue 7, "Shapes
 * everywhere"). Walks the nodes in topological order from the shapes the graph knows (its
 * inputs, initializers, any `value_info`) and applies {@link SHAPE_RULES}; small integer
 * tensors (initializers, `Constant`, `Shape` of a known shape) are tracked by value so shape
 * arithmetic resolves. Symbolic dimensions pass through where the rule allows; what cannot be
 * known stays unknown (`null` dimension, or no shape) — never guessed. Nodes of other domains
 * and ops without a rule leave their outputs unknown.
 */

import type { Dim, Shape } from '../../onnx/shapes/dims.js';
import { type OpContext, SHAPE_RULES } from '../../onnx/shapes/rules.js';
import { buildNodeGraph } from './node-graph.js';
import type { ViewGraph, ViewTensorSummary } from './view-types.js';

/** Result of {@link inferShapes}. */
export interface ShapeInference {
  /** Shapes inferred for tensors that had none, by tensor name. */
  shapes: Record<string, Shape>;
  /** Element types inferred for tensors that had none. */
  dtypes: Record<string, string>;
  /** Op types met without a shape rule, with their counts (what stayed unknown, and why). */
  unsupported: Record<string, number>;
}

/** Largest constant tracked by value (elements). */
const MAX_VALUES = 64;

/** Infers the shapes `graph` does not state (see the module comment). Pure. */
export function inferShapes(graph: ViewGraph): ShapeInference {
  const shapes = new Map<string, Shape>();
  const dtypes = new Map<string, string>();
  const values = new Map<string, Dim[]>();
  for (const [name, t] of Object.entries(graph.tensors)) {
    if (t.shape) shapes.set(name, t.shape);
    if (t.dtype) dtypes.set(name, t.dtype);
    const v = t.initializer && summaryValues(t.initializer);
    if (v) values.set(name, v);
  }
  const result: ShapeInference = { shapes: {}, dtypes: {}, unsupported: {} };
  const { order } = buildNodeGraph(graph);
  for (const index of order) {
    const node = graph.nodes[index]!;
    const given = (i: number) => node.inputs[i] !== undefined && node.inputs[i] !== '';
    const ctx: OpContext = {
      shape: (i) => (given(i) ? shapes.get(node.inputs[i]!) : undefined),
      value: (i) => (given(i) ? values.get(node.inputs[i]!) : undefined),
      dtype: (i) => (given(i) ? dtypes.get(node.inputs[i]!) : undefined),
      has: given,
      attr: (name) => node.attributes[name],
      outputs: node.outputs.length,
    };
    const isDefault = node.domain === undefined || node.domain === '' || node.domain === 'ai.onnx';
    const rule =
      node.opType === 'Constant' ? constantRule : isDefault ? SHAPE_RULES.get(node.opType) : undefined;
    if (rule === undefined) {
      result.unsupported[node.opType] = (result.unsupported[node.opType] ?? 0) + 1;
      continue;
    }
    const out = rule(ctx);
    if (out === undefined) continue;
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const shape = out.shapes[k];
      if (shape !== undefined && !shapes.has(name)) {
        shapes.set(name, shape);
        result.shapes[name] = shape;
      }
      const dtype = out.dtypes?.[k] ?? (k === 0 || out.dtypes === undefined ? ctx.dtype(0) : undefined);
      if (dtype !== undefined && !dtypes.has(name)) {
        dtypes.set(name, dtype);
        result.dtypes[name] = dtype;
      }
      const value = out.values?.[k];
      if (value !== undefined && value.length <= MAX_VALUES && !values.has(name)) values.set(name, value);
    });
  }
  return result;
}

/** A copy of `graph` with the inferred shapes and dtypes filled in where tensors had none. */
export function applyShapes(graph: ViewGraph, inference: ShapeInference): ViewGraph {
  const tensors: ViewGraph['tensors'] = {};
  for (const [name, t] of Object.entries(graph.tensors)) {
    const shape = t.shape ?? inference.shapes[name];
    const dtype = t.dtype ?? inference.dtypes[name];
    tensors[name] = { ...t, ...(shape ? { shape } : {}), ...(dtype ? { dtype } : {}) };
  }
  return { ...graph, tensors };
}

/** `Constant`: shape and (small) value from `value`, `value_int(s)`, `value_float(s)`. */
function constantRule(
  ctx: OpContext,
): { shapes: Shape[]; values: Array<Dim[] | undefined>; dtypes: string[] } | undefined {
  const tensor = ctx.attr('value');
  if (isTensor(tensor)) {
    return {
      shapes: [tensor.tensor.dims],
      values: [summaryValues(tensor.tensor)],
      dtypes: [tensor.tensor.dtype],
    };
  }
  for (const [key, dtype, scalar] of [
    ['value_int', 'int64', true],
    ['value_ints', 'int64', false],
    ['value_float', 'float32', true],
    ['value_floats', 'float32', false],
  ] as const) {
    const v = ctx.attr(key);
    if (v === undefined) continue;
    const list = Array.isArray(v) ? (v as number[]) : [v as number];
    return { shapes: [scalar ? [] : [list.length]], values: [list], dtypes: [dtype] };
  }
  return undefined;
}

// The viewer hands the rules its own attribute values, so a tensor attribute is a full summary.
function isTensor(v: unknown): v is { tensor: ViewTensorSummary } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'tensor' in v;
}

/** All values of a summarised tensor, when its `head` holds every element and it is small. */
function summaryValues(s: ViewTensorSummary): Dim[] | undefined {
  const count = s.dims.reduce((a, b) => a * b, 1);
  return s.head !== undefined && s.head.length === count && count <= MAX_VALUES ? [...s.head] : undefined;
}
