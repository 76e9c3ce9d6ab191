/**
 * The node-to-node dependency structure of a {@link ViewGraph}: which nodes feed which,
 * a topological order (Kahn's algorithm, iterative), and which nodes only compute constants.
 * Every analysis pass starts from this. Node indices are positions in `graph.nodes`.
 */
import type { ViewGraph } from './view-types.js';

/** Node adjacency of a graph, in compressed form. */
export interface NodeGraph {
  /** Number of nodes. */
  size: number;
  /** Distinct producer nodes of each node's inputs, in input order. */
  preds: number[][];
  /** Distinct consumer nodes of each node's outputs, in order of first use. */
  succs: number[][];
  /** Node indices in a topological order (producers before consumers). */
  order: number[];
  /** Position of each node in {@link NodeGraph.order}. */
  rank: Int32Array;
  /**
   * True for nodes that depend on no graph input: `Constant`, shape arithmetic on
   * initializers, and so on. They hang off the real dataflow and are set aside by the
   * structure passes, then attached to the group of the node they feed.
   */
  constant: boolean[];
  /** Producer node of each tensor name that a node outputs. */
  producer: Map<string, number>;
}

/** Builds the {@link NodeGraph} of `graph`. Cycles (invalid in ONNX) are broken in node order. */
export function buildNodeGraph(graph: ViewGraph): NodeGraph {
  const n = graph.nodes.length;
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const out of node.outputs) if (out !== '' && !producer.has(out)) producer.set(out, i);
  });
  const preds: number[][] = [];
  const succs: number[][] = Array.from({ length: n }, () => []);
  const consumesInput: boolean[] = new Array(n).fill(false);
  const initializer = (name: string): boolean => graph.tensors[name]?.initializer !== undefined;
  for (let i = 0; i < n; i++) {
    const list: number[] = [];
    for (const input of graph.nodes[i]!.inputs) {
      if (input === '') continue;
      const p = producer.get(input);
      if (p === undefined) {
        if (!initializer(input)) consumesInput[i] = true;
      } else if (p !== i && !list.includes(p)) {
        list.push(p);
        succs[p]!.push(i);
      }
    }
    preds.push(list);
  }
  const order = topologicalOrder(n, preds, succs);
  const rank = new Int32Array(n);
  order.forEach((v, k) => {
    rank[v] = k;
  });
  const constant: boolean[] = new Array(n).fill(false);
  for (const v of order) {
    constant[v] = !consumesInput[v] && preds[v]!.every((p) => constant[p]);
  }
  return { size: n, preds, succs, order, rank, constant, producer };
}

/** Kahn's algorithm; nodes left over by a cycle are appended in index order. */
function topologicalOrder(n: number, preds: number[][], succs: number[][]): number[] {
  // Valid ONNX and Paddle programs list nodes in a topological order already: keep it.
  let sorted = true;
  for (let i = 0; i < n && sorted; i++) sorted = preds[i]!.every((p) => p < i);
  if (sorted) return Array.from({ length: n }, (_, i) => i);
  const indegree = new Int32Array(n);
  for (let i = 0; i < n; i++) indegree[i] = preds[i]!.length;
  const order: number[] = [];
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    order.push(v);
    for (const s of succs[v]!) {
      indegree[s]!--;
      if (indegree[s] === 0) queue.push(s);
    }
  }
  if (order.length < n) {
    const seen = new Uint8Array(n);
    for (const v of order) seen[v] = 1;
    for (let i = 0; i < n; i++) if (!seen[i]) order.push(i);
  }
  return order;
}
