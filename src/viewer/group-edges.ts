/**
 * The edges between one group's direct children (issue 6, "Layout": one group at a time). A
 * tensor that enters the group from outside comes from the group's `^in` port; one that leaves
 * it goes to `$out`. Weights (tensors with no producer that are not graph inputs) are not edges:
 * the sidebar shows them. Pure; cost is linear in the ops under the group.
 */
import { childOf, type HItem, type Hierarchy, opsUnder } from './hierarchy.js';
import type { ViewGraph, ViewTensor } from './model.js';

/** Key of the port through which tensors enter an expanded group. */
export const IN_PORT = '^in';
/** Key of the port through which tensors leave an expanded group. */
export const OUT_PORT = '$out';

/** Layout key of a hierarchy item: `n12` (op), `g3` (group), `i0` (input/output marker). */
export function itemKey(item: HItem): string {
  return (item.kind === 'node' ? 'n' : item.kind === 'group' ? 'g' : 'i') + item.index;
}

/** One aggregated edge between two boxes of a group's layout. */
export interface GroupEdge {
  from: string;
  to: string;
  /** Tensor names carried, first one labels the edge. */
  tensors: string[];
  /** Total element count of the carried tensors (0 when unknown); drives thickness. */
  elements: number;
}

/** Elements of a tensor, counting symbolic or unknown dims (the batch `N`) as 1; 0 when the shape is unknown. */
export function tensorElements(t: ViewTensor | undefined): number {
  if (!t?.shape) return 0;
  let n = 1;
  for (const d of t.shape) if (typeof d === 'number' && d > 0) n *= d;
  return n;
}

/** Short edge label: `1×64×128×128 float32`, `?×3×512×512`, or the dtype alone. */
export function tensorLabel(t: ViewTensor | undefined): string {
  if (!t) return '';
  const shape = t.shape ? t.shape.map((d) => (d === null || d === -1 ? '?' : String(d))).join('×') : '';
  return [shape, t.dtype ?? ''].filter((s) => s !== '').join(' ');
}

/** Computes the edges among `group`'s direct children, deduplicated per (from, to) pair. */
export function groupEdges(h: Hierarchy, graph: ViewGraph, group: number): GroupEdge[] {
  const edges = new Map<string, GroupEdge>();
  const add = (from: string, to: string, tensor: string) => {
    if (from === to) return;
    const k = `${from}>${to}`;
    let e = edges.get(k);
    if (!e) {
      e = { from, to, tensors: [], elements: 0 };
      edges.set(k, e);
    }
    if (!e.tensors.includes(tensor)) {
      e.tensors.push(tensor);
      e.elements += tensorElements(graph.tensors[tensor]);
    }
  };
  const inputIo = new Map<string, number>();
  const outputIo = new Map<string, number[]>();
  h.io.forEach((io, i) => {
    if (io.role === 'input') inputIo.set(io.tensor, i);
    else outputIo.set(io.tensor, [...(outputIo.get(io.tensor) ?? []), i]);
  });
  const repOf = (item: HItem): string => {
    const c = childOf(h, group, item);
    return c ? itemKey(c) : '';
  };
  for (const id of opsUnder(h, group)) {
    const node = graph.nodes[id]!;
    const me = repOf({ kind: 'node', index: id });
    for (const name of node.inputs) {
      if (name === '') continue;
      const t = graph.tensors[name];
      if (t?.producer !== undefined) {
        add(repOf({ kind: 'node', index: t.producer }) || IN_PORT, me, name);
      } else if (inputIo.has(name)) {
        add(repOf({ kind: 'io', index: inputIo.get(name)! }) || IN_PORT, me, name);
      }
    }
    for (const name of node.outputs) {
      const t = graph.tensors[name];
      if (!t) continue;
      for (const c of t.consumers) if (repOf({ kind: 'node', index: c }) === '') add(me, OUT_PORT, name);
      for (const o of outputIo.get(name) ?? []) add(me, repOf({ kind: 'io', index: o }) || OUT_PORT, name);
    }
  }
  // A graph input passed straight to an output.
  for (const [name, i] of inputIo) {
    const from = repOf({ kind: 'io', index: i });
    if (!from) continue;
    for (const o of outputIo.get(name) ?? []) {
      const to = repOf({ kind: 'io', index: o });
      if (to) add(from, to, name);
    }
  }
  return [...edges.values()];
}
