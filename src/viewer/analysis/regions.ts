/**
 * Single-entry single-exit regions of a node DAG, from its dominator and post-dominator
 * trees. For every fork `a` (a node whose output feeds two or more nodes) whose immediate
 * post-dominator `j` is a real node dominated by `a`, the region is every node on a path
 * from `a` to `j`: `a` excluded (it belongs to what comes before), `j` included. A residual
 * block is the region between the previous block's output and its `Add`; a pyramid module
 * is the region from its input to its `Concat`. Regions nest; each knows its parent.
 */
import { computeDominance, type Dominance, dominates } from './dominators.js';
import { buildNodeGraph, type NodeGraph } from './node-graph.js';
import type { ViewGraph } from './view-types.js';

/** One single-entry single-exit region. */
export interface Region {
  /** The fork node the region hangs off (not a member). */
  entry: number;
  /** The merge node (a member, the last one). */
  exit: number;
  /** Member node indices in topological order, `exit` last. */
  members: number[];
  /** Index of the smallest enclosing region in the result array, or -1 at top level. */
  parent: number;
}

/** Regions of a graph plus the innermost region of each node. */
export interface RegionForest {
  /** Regions sorted by size, smallest first; `parent` indexes into this array. */
  regions: Region[];
  /** Innermost region of each node, or -1 for nodes outside every region. */
  innermost: Int32Array;
}

/** Finds the regions of `graph`; the dominance and node graph may be passed in when already built. */
export function findRegions(
  graph: ViewGraph,
  nodeGraph: NodeGraph = buildNodeGraph(graph),
  dominance: Dominance = computeDominance(graph, nodeGraph),
): RegionForest {
  const n = nodeGraph.size;
  const found: Region[] = [];
  for (const a of nodeGraph.order) {
    if (nodeGraph.constant[a]) continue;
    const next = dominance.succs[a]!.filter((s) => s < n);
    if (next.length < 2) continue;
    const j = dominance.postdom.idom[a]!;
    if (j < 0 || j >= n || !dominates(dominance.dom, a, j)) continue;
    found.push({ entry: a, exit: j, members: collect(dominance, nodeGraph, a, j), parent: -1 });
  }
  found.sort(
    (x, y) => x.members.length - y.members.length || nodeGraph.rank[x.exit]! - nodeGraph.rank[y.exit]!,
  );
  const innermost = new Int32Array(n).fill(-1);
  // containing[v]: regions that contain v, smallest first (they are visited in that order).
  const containing: number[][] = Array.from({ length: n }, () => []);
  found.forEach((region, r) => {
    for (const v of region.members) {
      if (innermost[v] === -1) innermost[v] = r;
      containing[v]!.push(r);
    }
  });
  found.forEach((region, r) => {
    const size = region.members.length;
    region.parent = containing[region.exit]!.find((q) => q !== r && found[q]!.members.length > size) ?? -1;
  });
  return { regions: found, innermost };
}

/** Nodes on paths from `a` to `j` (forward search that stops at `j`), in topological order. */
function collect(dominance: Dominance, nodeGraph: NodeGraph, a: number, j: number): number[] {
  const n = nodeGraph.size;
  const seen = new Set<number>([j]);
  const stack: number[] = [];
  for (const s of dominance.succs[a]!) {
    if (s < n && !seen.has(s)) {
      seen.add(s);
      stack.push(s);
    }
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const s of dominance.succs[v]!) {
      if (s < n && !seen.has(s)) {
        seen.add(s);
        stack.push(s);
      }
    }
  }
  return [...seen].sort((x, y) => nodeGraph.rank[x]! - nodeGraph.rank[y]!);
}
