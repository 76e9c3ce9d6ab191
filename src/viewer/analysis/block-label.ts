/**
 * Human labels for a group of nodes, from its structure alone: a residual block reads
 * "bottleneck (projection)" or "basic block (identity)" — projection when the shortcut
 * path into its `Add` has a convolution, identity when the block input is added directly;
 * a module whose merge is a `Concat` of several branches reads "4-branch concat"; anything
 * else lists its op types in order of first appearance.
 */
import type { ViewGraph } from './view-types.js';

const CONV_OPS: ReadonlySet<string> = new Set(['Conv', 'conv2d', 'depthwise_conv2d', 'ConvTranspose']);
const ADD_OPS: ReadonlySet<string> = new Set(['Add', 'Sum', 'elementwise_add']);
const CONCAT_OPS: ReadonlySet<string> = new Set(['Concat', 'concat']);

/** Describes the block made of the nodes `ids` of `graph` (see the module comment). */
export function describeBlock(graph: ViewGraph, ids: readonly number[]): string {
  const inside = new Set(ids);
  const producerIn = (tensor: string): number | undefined => {
    const p = graph.tensors[tensor]?.producer;
    return p !== undefined && inside.has(p) ? p : undefined;
  };
  const isData = (tensor: string) => tensor !== '' && graph.tensors[tensor]?.initializer === undefined;
  // Convolutions on the path that ends in `tensor`, following each node's first data input.
  const convsBack = (tensor: string): number => {
    let count = 0;
    let current = producerIn(tensor);
    const seen = new Set<number>();
    while (current !== undefined && !seen.has(current)) {
      seen.add(current);
      const node = graph.nodes[current]!;
      if (CONV_OPS.has(node.opType)) count++;
      const next = node.inputs.find(isData);
      current = next === undefined ? undefined : producerIn(next);
    }
    return count;
  };
  const sorted = [...ids].sort((a, b) => a - b);
  const merge = [...sorted].reverse().find((i) => {
    const node = graph.nodes[i]!;
    return ADD_OPS.has(node.opType) && node.inputs.filter(isData).length === 2;
  });
  if (merge !== undefined) {
    const [a, b] = graph.nodes[merge]!.inputs.filter(isData).map(convsBack) as [number, number];
    const main = Math.max(a, b);
    const shortcut = Math.min(a, b);
    if (main >= 1) {
      const kind = main === 3 ? 'bottleneck' : main === 2 ? 'basic block' : `residual block (${main} conv)`;
      return `${kind} (${shortcut > 0 ? 'projection' : 'identity'})`;
    }
  }
  const concat = [...sorted].reverse().find((i) => CONCAT_OPS.has(graph.nodes[i]!.opType));
  if (concat !== undefined) {
    const branches = graph.nodes[concat]!.inputs.filter(isData).length;
    if (branches >= 3) return `${branches}-branch concat`;
  }
  const ops: string[] = [];
  for (const i of sorted) {
    const op = graph.nodes[i]!.opType;
    if (!ops.includes(op)) ops.push(op);
  }
  return ops.length > 4 ? `${ops.slice(0, 4).join(' → ')} …` : ops.join(' → ');
}
