/**
 * Groups a {@link ViewGraph}'s nodes into a tree by scope path (issue 6, "Hierarchy"). Pure and
 * iterative (no recursion whose depth grows with the graph): the page builds it once per model.
 * A group with more than {@link SECTION_LIMIT} direct children is split into ordered sections,
 * repeatedly, so no layout ever sees more than that many boxes.
 */
import type { ViewGraph } from './model.js';

/** Most direct children a group may have before it is split into sections. */
export const SECTION_LIMIT = 300;

/** A direct child of a group: an op node, a nested group, or a graph input/output marker. */
export type HItem =
  | { kind: 'node'; index: number }
  | { kind: 'group'; index: number }
  | { kind: 'io'; index: number };

/** One group: a scope (`resnet/res2a`), an ordered section of a large group, or the root. */
export interface HGroup {
  /** Index in {@link Hierarchy.groups}; the root is 0. */
  id: number;
  /** `fold`: a run of identical sibling blocks shown as one "× N" box (issue 7, see `foldRuns`). */
  kind: 'root' | 'scope' | 'section' | 'fold';
  /** Display name: the scope segment, or `ops 301–600` for a section. */
  name: string;
  /** Parent group id, -1 for the root. */
  parent: number;
  /** Scope path of the group (sections carry their scope's path). */
  path: string[];
  children: HItem[];
  /** Number of op nodes anywhere below. */
  opCount: number;
}

/** A graph input or output shown as a node at the root. */
export interface HIo {
  role: 'input' | 'output';
  tensor: string;
}

/** The group tree of a graph. */
export interface Hierarchy {
  groups: HGroup[];
  io: HIo[];
  /** For each op node, the id of the group that directly contains it. */
  nodeGroup: Int32Array;
  /** For each io item, the id of its group (always the root). */
  ioGroup: Int32Array;
}

/** Options of {@link buildHierarchy}. */
export interface HierarchyOptions {
  /** Override {@link SECTION_LIMIT} (tests use small values). */
  sectionLimit?: number;
}

/**
 * Builds the group tree: each node goes into the group named by its scope path; children keep
 * the order in which they first appear in `graph.nodes`; inputs come first and outputs last.
 */
export function buildHierarchy(graph: ViewGraph, options: HierarchyOptions = {}): Hierarchy {
  const limit = Math.max(2, options.sectionLimit ?? SECTION_LIMIT);
  const groups: HGroup[] = [
    { id: 0, kind: 'root', name: graph.name || 'graph', parent: -1, path: [], children: [], opCount: 0 },
  ];
  const byPath = new Map<string, number>([['', 0]]);
  const nodeGroup = new Int32Array(graph.nodes.length);
  const io: HIo[] = [];
  for (const t of graph.inputs) {
    io.push({ role: 'input', tensor: t });
    groups[0]!.children.push({ kind: 'io', index: io.length - 1 });
  }
  for (const node of graph.nodes) {
    let parent = 0;
    let key = '';
    for (const segment of node.scope) {
      key = key === '' ? segment : `${key}\u0000${segment}`;
      let id = byPath.get(key);
      if (id === undefined) {
        id = groups.length;
        groups.push({
          id,
          kind: 'scope',
          name: segment,
          parent,
          path: groups[parent]!.path.concat(segment),
          children: [],
          opCount: 0,
        });
        byPath.set(key, id);
        groups[parent]!.children.push({ kind: 'group', index: id });
      }
      parent = id;
    }
    nodeGroup[node.id] = parent;
    groups[parent]!.children.push({ kind: 'node', index: node.id });
    for (let g = parent; g !== -1; g = groups[g]!.parent) groups[g]!.opCount++;
  }
  for (const t of graph.outputs) {
    io.push({ role: 'output', tensor: t });
    groups[0]!.children.push({ kind: 'io', index: io.length - 1 });
  }
  const h: Hierarchy = { groups, io, nodeGroup, ioGroup: new Int32Array(io.length) };
  // Sectioning: a work list, not recursion; new sections are themselves checked.
  const work = groups.map((g) => g.id);
  while (work.length > 0) {
    const id = work.pop()!;
    if (groups[id]!.children.length > limit) work.push(id, ...splitIntoSections(h, id, limit));
  }
  return h;
}

/** Splits one group's children into consecutive sections of at most `limit`; returns their ids. */
function splitIntoSections(h: Hierarchy, id: number, limit: number): number[] {
  const group = h.groups[id]!;
  const old = group.children;
  const created: number[] = [];
  group.children = [];
  // Ordinal range labels count op nodes for readability ("ops 1–300").
  let opsBefore = 0;
  for (let start = 0; start < old.length; start += limit) {
    const slice = old.slice(start, start + limit);
    const sid = h.groups.length;
    let ops = 0;
    for (const item of slice)
      ops += item.kind === 'node' ? 1 : item.kind === 'group' ? h.groups[item.index]!.opCount : 0;
    const section: HGroup = {
      id: sid,
      kind: 'section',
      name: ops > 0 ? `ops ${opsBefore + 1}–${opsBefore + ops}` : `part ${created.length + 1}`,
      parent: id,
      path: group.path,
      children: slice,
      opCount: ops,
    };
    opsBefore += ops;
    h.groups.push(section);
    for (const item of slice) {
      if (item.kind === 'node') h.nodeGroup[item.index] = sid;
      else if (item.kind === 'group') h.groups[item.index]!.parent = sid;
    }
    group.children.push({ kind: 'group', index: sid });
    created.push(sid);
  }
  // io items keep pointing to the section that holds them.
  h.ioGroup = new Int32Array(h.io.length);
  for (const g of h.groups)
    for (const item of g.children) if (item.kind === 'io') h.ioGroup[item.index] = g.id;
  return created;
}

/** Ids of the groups from the root down to `group` (inclusive). */
export function ancestry(h: Hierarchy, group: number): number[] {
  const out: number[] = [];
  for (let g = group; g !== -1; g = h.groups[g]!.parent) out.push(g);
  return out.reverse();
}

/** Groups to expand so that op node `node` is visible (root excluded, outermost first). */
export function groupsToReveal(h: Hierarchy, node: number): number[] {
  return ancestry(h, h.nodeGroup[node]!).slice(1);
}

/** The direct child of `group` that contains the item, or undefined if it lies outside. */
export function childOf(h: Hierarchy, group: number, item: HItem): HItem | undefined {
  let g: number;
  if (item.kind === 'group') {
    if (item.index === group) return undefined;
    if (h.groups[item.index]!.parent === group) return item;
    g = item.index;
  } else {
    const direct = item.kind === 'node' ? h.nodeGroup[item.index]! : h.ioGroup[item.index]!;
    if (direct === group) return item;
    g = direct;
  }
  while (g !== -1 && h.groups[g]!.parent !== group) g = h.groups[g]!.parent;
  return g === -1 ? undefined : { kind: 'group', index: g };
}

/** Op node ids anywhere below `group` (iterative depth-first walk; order not significant). */
export function opsUnder(h: Hierarchy, group: number): number[] {
  const out: number[] = [];
  const stack: number[] = [group];
  while (stack.length > 0) {
    const g = h.groups[stack.pop()!]!;
    for (let i = g.children.length - 1; i >= 0; i--) {
      const c = g.children[i]!;
      if (c.kind === 'node') out.push(c.index);
      else if (c.kind === 'group') stack.push(c.index);
    }
  }
  return out;
}

/** A printable outline of the tree to `depth` levels, for tests and debugging. */
export function outline(h: Hierarchy, graph: ViewGraph, group = 0): string[] {
  return h.groups[group]!.children.map((c) =>
    c.kind === 'node'
      ? `${graph.nodes[c.index]!.opType}`
      : c.kind === 'io'
        ? `${h.io[c.index]!.role}:${h.io[c.index]!.tensor}`
        : `[${h.groups[c.index]!.name}]`,
  );
}
