/**
 * "Auto-group": a synthetic scope hierarchy for graphs whose node names carry none
 * (Paddle2ONNX's `conv2d_12.tmp_0`, older exporters). Built in four passes:
 *
 * 1. single-entry single-exit regions ({@link findRegions}) become blocks, nested;
 * 2. a block takes the short chain that follows its merge up to the next fork or the end
 *    (the `Relu` after a residual `Add`), when that chain has at most a quarter of the
 *    block's size — so a residual block is exactly "after the previous block's output,
 *    through its own output";
 * 3. consecutive blocks with equal {@link structuralHash} form a stage, together with the
 *    one different block just before them (ResNet: projection block + identity blocks);
 * 4. a group with more than `maxChildren` children is split into ordered sections.
 *
 * Constant-only nodes join the group of the node they feed. Every pass is iterative.
 */
import { computeDominance } from './dominators.js';
import { buildNodeGraph } from './node-graph.js';
import { findRegions } from './regions.js';
import { baseLabels, structuralHash } from './structural-hash.js';
import type { ViewGraph } from './view-types.js';

/** Options of {@link autoGroup}. */
export interface AutoGroupOptions {
  /** Most children (nodes plus groups) of one group before it is split into sections; default 200. */
  maxChildren?: number;
}

/** Kind of a synthetic group. */
export type AutoGroupKind = 'block' | 'stage' | 'section';

/** One synthetic group, for the viewer's hierarchy and labels. */
export interface AutoGroupInfo {
  /** Scope path of the group (its own name last). */
  path: string[];
  kind: AutoGroupKind;
  /** Number of nodes inside, at any depth. */
  nodeCount: number;
  /** Direct children (nodes plus groups). */
  childCount: number;
  /** Structural hash of a block (equal hashes: identical blocks). */
  hash?: string;
}

/** Result of {@link autoGroup}. */
export interface AutoGroupResult {
  /** Synthetic scope path of each node, indexed like `graph.nodes`. */
  scopes: string[][];
  /** Every synthetic group, parents before children. */
  groups: AutoGroupInfo[];
}

interface Item {
  kind: 'node' | AutoGroupKind;
  node: number;
  first: number;
  children: Item[];
  hash?: string;
}

/** Infers a scope hierarchy for `graph` (see the module comment). Pure; does not modify `graph`. */
export function autoGroup(graph: ViewGraph, options: AutoGroupOptions = {}): AutoGroupResult {
  const maxChildren = Math.max(2, options.maxChildren ?? 200);
  const nodeGraph = buildNodeGraph(graph);
  const dominance = computeDominance(graph, nodeGraph);
  const { regions, innermost } = findRegions(graph, nodeGraph, dominance);
  const n = nodeGraph.size;
  const owner = Int32Array.from(innermost);
  const realSuccs = (v: number) => dominance.succs[v]!.filter((s) => s < n);
  const realPreds = (v: number) => dominance.preds[v]!.filter((s) => s < n);
  const tails: number[][] = regions.map((region) => {
    const chain: number[] = [];
    let cur = region.exit;
    for (;;) {
      const next = realSuccs(cur);
      if (next.length !== 1) return [];
      const s = next[0]!;
      if (realPreds(s).length !== 1 || owner[s] !== region.parent) return [];
      chain.push(s);
      if (chain.length > Math.max(1, Math.floor(region.members.length / 4))) return [];
      if (realSuccs(s).length !== 1) return chain;
      cur = s;
    }
  });
  tails.forEach((chain, r) => {
    for (const v of chain) owner[v] = r;
  });

  const root: Item = { kind: 'section', node: -1, first: -1, children: [] };
  const blocks: Item[] = regions.map((region) => ({
    kind: 'block',
    node: -1,
    first: nodeGraph.rank[region.members[0]!]!,
    children: [],
  }));
  for (const v of nodeGraph.order) {
    if (nodeGraph.constant[v]) continue;
    const r = owner[v]!;
    (r >= 0 ? blocks[r]! : root).children.push({
      kind: 'node',
      node: v,
      first: nodeGraph.rank[v]!,
      children: [],
    });
  }
  regions.forEach((region, r) => {
    (region.parent >= 0 ? blocks[region.parent]! : root).children.push(blocks[r]!);
  });

  // Bottom-up pass (children before parents): order children, hash blocks, form stages, split.
  const postorder = itemsPostorder(root);
  const hashOptions = { baseLabels: baseLabels(graph) };
  for (const item of postorder) {
    if (item.kind === 'node') continue;
    item.children.sort((x, y) => x.first - y.first);
    if (item.kind === 'block') item.hash = structuralHash(graph, nodesOf(item), hashOptions);
    item.children = formStages(item.children);
    item.children = splitSections(item.children, maxChildren);
  }

  const scopes: string[][] = Array.from({ length: n }, () => []);
  const groups: AutoGroupInfo[] = [];
  const stack: Array<[Item, string[]]> = [[root, []]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    const counters: Record<string, number> = {};
    const named: Array<[Item, string[]]> = [];
    for (const child of item.children) {
      if (child.kind === 'node') {
        scopes[child.node] = path;
        continue;
      }
      counters[child.kind] = (counters[child.kind] ?? 0) + 1;
      const childPath = [...path, `${child.kind}${counters[child.kind]}`];
      groups.push({
        path: childPath,
        kind: child.kind,
        nodeCount: nodesOf(child).length,
        childCount: child.children.length,
        ...(child.hash ? { hash: child.hash } : {}),
      });
      named.push([child, childPath]);
    }
    for (let k = named.length - 1; k >= 0; k--) stack.push(named[k]!);
  }
  // Constant-only nodes follow their first consumer (consumers come later in topological order).
  for (let k = nodeGraph.order.length - 1; k >= 0; k--) {
    const v = nodeGraph.order[k]!;
    if (!nodeGraph.constant[v]) continue;
    const consumer = nodeGraph.succs[v]![0];
    scopes[v] = consumer === undefined ? [] : scopes[consumer]!;
  }
  groups.sort((a, b) => a.path.length - b.path.length);
  return { scopes, groups };
}

/** A copy of `graph` whose nodes carry the given scope paths (e.g. from {@link autoGroup}). */
export function applyScopes(graph: ViewGraph, scopes: readonly string[][]): ViewGraph {
  return { ...graph, nodes: graph.nodes.map((node, i) => ({ ...node, scope: [...(scopes[i] ?? [])] })) };
}

/** Items of the tree in post-order (children first), iteratively. */
function itemsPostorder(root: Item): Item[] {
  const out: Item[] = [];
  const stack: Item[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    for (const c of item.children) if (c.kind !== 'node') stack.push(c);
  }
  return out.reverse();
}

/** Node indices inside an item, at any depth. */
function nodesOf(item: Item): number[] {
  const out: number[] = [];
  const stack: Item[] = [item];
  while (stack.length > 0) {
    const it = stack.pop()!;
    if (it.kind === 'node') out.push(it.node);
    else for (const c of it.children) stack.push(c);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Wraps runs of identical consecutive blocks (plus the one different block right before a
 * run) into stages, unless the stage would be the whole list.
 */
function formStages(children: Item[]): Item[] {
  const runs: Array<[number, number]> = [];
  for (let k = 0; k < children.length; ) {
    const hash = children[k]!.kind === 'block' ? children[k]!.hash : undefined;
    let end = k + 1;
    while (hash !== undefined && end < children.length && children[end]!.hash === hash) end++;
    runs.push([k, end]);
    k = end;
  }
  const out: Item[] = [];
  const isBlockRun = ([s, e]: [number, number]) => children[s]!.kind === 'block' && e - s >= 1;
  for (let r = 0; r < runs.length; r++) {
    const [s, e] = runs[r]!;
    const next = runs[r + 1];
    let stage: [number, number] | undefined;
    if (e - s === 1 && isBlockRun(runs[r]!) && next && isBlockRun(next) && next[1] - next[0] >= 2) {
      stage = [s, next[1]];
      r++;
    } else if (e - s >= 2 && isBlockRun(runs[r]!)) stage = [s, e];
    if (stage === undefined || stage[1] - stage[0] === children.length) {
      out.push(...children.slice(s, stage ? stage[1] : e));
      continue;
    }
    const members = children.slice(stage[0], stage[1]);
    out.push({ kind: 'stage', node: -1, first: members[0]!.first, children: members });
  }
  return out;
}

/** Splits a long child list into ordered sections of at most `max`, nesting as needed. */
function splitSections(children: Item[], max: number): Item[] {
  let list = children;
  while (list.length > max) {
    const next: Item[] = [];
    for (let k = 0; k < list.length; k += max) {
      const part = list.slice(k, k + max);
      next.push({ kind: 'section', node: -1, first: part[0]!.first, children: part });
    }
    list = next;
  }
  return list;
}
