/**
 * Dominator and post-dominator trees over a graph's node DAG, by the iterative algorithm of
 * Cooper, Harvey and Kennedy ("A Simple, Fast Dominance Algorithm", 2001). Every traversal
 * uses an explicit stack, so depth never grows with graph size. A virtual entry precedes
 * every node without a predecessor and a virtual exit follows every node without a
 * successor (or that produces a graph output), so graphs with several inputs and outputs
 * have a single root each way. Constant-only nodes ({@link NodeGraph.constant}) are left out.
 */
import { buildNodeGraph, type NodeGraph } from './node-graph.js';
import type { ViewGraph } from './view-types.js';

/** An immediate-dominator tree with O(1) ancestry queries. */
export interface DomTree {
  /** Root of the tree (the virtual entry, or the virtual exit for post-dominators). */
  root: number;
  /** Immediate dominator of each vertex; the root maps to itself; -1 for excluded vertices. */
  idom: Int32Array;
  /** Pre-order number of each vertex in the tree (-1 when excluded). */
  pre: Int32Array;
  /** Largest pre-order number inside each vertex's subtree. */
  last: Int32Array;
}

/** Both trees of a graph. Vertices `0…n-1` are nodes, `n` the virtual entry, `n+1` the exit. */
export interface Dominance {
  /** Number of graph nodes `n`. */
  size: number;
  /** Virtual entry vertex, `n`. */
  entry: number;
  /** Virtual exit vertex, `n + 1`. */
  exit: number;
  /** Dominator tree rooted at the entry. */
  dom: DomTree;
  /** Post-dominator tree rooted at the exit. */
  postdom: DomTree;
  /** Successors of each vertex in the augmented DAG (constant nodes have none). */
  succs: number[][];
  /** Predecessors of each vertex in the augmented DAG. */
  preds: number[][];
}

/** True when `a` dominates `b` in `tree` (every vertex dominates itself). */
export function dominates(tree: DomTree, a: number, b: number): boolean {
  const pa = tree.pre[a]!;
  const pb = tree.pre[b]!;
  return pa >= 0 && pb >= 0 && pa <= pb && pb <= tree.last[a]!;
}

/**
 * Immediate dominators of a rooted graph given by `succs`/`preds` (Cooper–Harvey–Kennedy).
 * Vertices unreachable from `root` get -1.
 */
export function immediateDominators(succs: number[][], preds: number[][], root: number): Int32Array {
  const size = succs.length;
  const postorder = postOrder(succs, root);
  const po = new Int32Array(size).fill(-1);
  postorder.forEach((v, k) => {
    po[v] = k;
  });
  const idom = new Int32Array(size).fill(-1);
  idom[root] = root;
  const intersect = (x: number, y: number): number => {
    let a = x;
    let b = y;
    while (a !== b) {
      while (po[a]! < po[b]!) a = idom[a]!;
      while (po[b]! < po[a]!) b = idom[b]!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = postorder.length - 2; k >= 0; k--) {
      const v = postorder[k]!;
      let next = -1;
      for (const p of preds[v]!) {
        if (idom[p] === -1) continue;
        next = next === -1 ? p : intersect(p, next);
      }
      if (next !== idom[v]) {
        idom[v] = next;
        changed = true;
      }
    }
  }
  return idom;
}

/** Builds the {@link DomTree} numbering for an `idom` array. */
export function domTree(idom: Int32Array, root: number): DomTree {
  const size = idom.length;
  const children: number[][] = Array.from({ length: size }, () => []);
  for (let v = 0; v < size; v++) if (v !== root && idom[v]! >= 0) children[idom[v]!]!.push(v);
  const pre = new Int32Array(size).fill(-1);
  const last = new Int32Array(size).fill(-1);
  const stack: Array<[number, number]> = [[root, 0]];
  let counter = 0;
  pre[root] = counter++;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const kids = children[top[0]]!;
    if (top[1] < kids.length) {
      const c = kids[top[1]++]!;
      pre[c] = counter++;
      stack.push([c, 0]);
    } else {
      last[top[0]] = counter - 1;
      stack.pop();
    }
  }
  return { root, idom, pre, last };
}

/** Dominator and post-dominator trees of `graph` (or of a prebuilt {@link NodeGraph}). */
export function computeDominance(graph: ViewGraph, nodeGraph: NodeGraph = buildNodeGraph(graph)): Dominance {
  const n = nodeGraph.size;
  const entry = n;
  const exit = n + 1;
  const succs: number[][] = Array.from({ length: n + 2 }, () => []);
  const preds: number[][] = Array.from({ length: n + 2 }, () => []);
  const outputs = new Set(graph.outputs);
  for (let v = 0; v < n; v++) {
    if (nodeGraph.constant[v]) continue;
    for (const s of nodeGraph.succs[v]!) {
      if (nodeGraph.constant[s]) continue;
      succs[v]!.push(s);
      preds[s]!.push(v);
    }
  }
  for (let v = 0; v < n; v++) {
    if (nodeGraph.constant[v]) continue;
    if (preds[v]!.length === 0) {
      succs[entry]!.push(v);
      preds[v]!.push(entry);
    }
    if (succs[v]!.length === 0 || graph.nodes[v]!.outputs.some((o) => outputs.has(o))) {
      succs[v]!.push(exit);
      preds[exit]!.push(v);
    }
  }
  const dom = domTree(immediateDominators(succs, preds, entry), entry);
  const postdom = domTree(immediateDominators(preds, succs, exit), exit);
  return { size: n, entry, exit, dom, postdom, succs, preds };
}

/** Post-order of the vertices reachable from `root`, iteratively. */
function postOrder(succs: number[][], root: number): number[] {
  const visited = new Uint8Array(succs.length);
  const out: number[] = [];
  const stack: Array<[number, number]> = [[root, 0]];
  visited[root] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = succs[top[0]]!;
    if (top[1] < next.length) {
      const c = next[top[1]++]!;
      if (!visited[c]) {
        visited[c] = 1;
        stack.push([c, 0]);
      }
    } else {
      out.push(top[0]);
      stack.pop();
    }
  }
  return out;
}
