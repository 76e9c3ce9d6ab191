/**
 * Plans the layout of the visible hierarchy and flattens it into a scene to draw (issue 6).
 * Layouts are per group and cached by the group and the sizes of its expanded children, so
 * expanding a group lays out that group and re-lays out only its ancestors. All traversal is
 * iterative. Pure: the page runs it on the main thread and sends the requests to the worker.
 */
import { type GroupEdge, groupEdges, IN_PORT, itemKey, OUT_PORT, tensorLabel } from './group-edges.js';
import type { HItem, Hierarchy } from './hierarchy.js';
import type { LayoutBox, LayoutRequest, LayoutResult, Point } from './layout-engine.js';
import type { ViewGraph } from './model.js';

/** Padding of an expanded group's frame: sides/bottom, and the header band on top. */
export const FRAME_PAD = 14;
/** Height of an expanded group's header band. */
export const FRAME_HEAD = 28;

/** Caches kept across expansions of one model. */
export interface LayoutState {
  /** Edges among each group's direct children (independent of what is expanded). */
  edges: Map<number, GroupEdge[]>;
  /** Layout results by request key. */
  results: Map<string, LayoutResult>;
}

/** A fresh, empty {@link LayoutState}. */
export function newLayoutState(): LayoutState {
  return { edges: new Map(), results: new Map() };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** Last segment of a scoped node name, for the box's second line. */
export function shortName(name: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Size of a collapsed box for an item. */
export function collapsedSize(
  h: Hierarchy,
  graph: ViewGraph,
  item: HItem,
): { width: number; height: number } {
  if (item.kind === 'node') {
    const n = graph.nodes[item.index]!;
    const chars = Math.max(n.opType.length * 1.15, Math.min(shortName(n.name).length, 30) * 0.9);
    return { width: clamp(20 + chars * 7, 76, 250), height: 36 };
  }
  if (item.kind === 'io') {
    const t = h.io[item.index]!.tensor;
    return { width: clamp(24 + Math.min(t.length, 30) * 7, 70, 240), height: 30 };
  }
  const g = h.groups[item.index]!;
  return { width: clamp(44 + Math.min(g.name.length, 32) * 7.6, 110, 300), height: 44 };
}

/** Edges of a group, computed once and cached. */
export function cachedEdges(h: Hierarchy, graph: ViewGraph, group: number, state: LayoutState): GroupEdge[] {
  let e = state.edges.get(group);
  if (!e) {
    e = groupEdges(h, graph, group);
    state.edges.set(group, e);
  }
  return e;
}

/** Groups that are drawn expanded: the root plus expanded groups whose ancestors are all expanded. */
export function visibleExpanded(h: Hierarchy, expanded: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const g = stack.pop()!;
    out.push(g);
    for (const c of h.groups[g]!.children)
      if (c.kind === 'group' && expanded.has(c.index)) stack.push(c.index);
  }
  return out;
}

/**
 * Resolves the current layout key of every visible expanded group (children before parents).
 * Returns the keys found and the requests needed next (each has every expanded child laid out).
 */
export function planLayouts(
  h: Hierarchy,
  graph: ViewGraph,
  expanded: ReadonlySet<number>,
  state: LayoutState,
): { keys: Map<number, string>; requests: LayoutRequest[] } {
  const order = visibleExpanded(h, expanded).reverse(); // reversed pre-order: descendants before their ancestors
  const keys = new Map<number, string>();
  const requests: LayoutRequest[] = [];
  const blocked = new Set<number>();
  for (const g of order) {
    const group = h.groups[g]!;
    const boxes: LayoutBox[] = [];
    const sig: string[] = [];
    let ready = true;
    for (const c of group.children) {
      const key = itemKey(c);
      if (c.kind === 'group' && expanded.has(c.index)) {
        const k = keys.get(c.index);
        const r = k ? state.results.get(k) : undefined;
        if (!r) {
          ready = false;
          continue;
        }
        const size = frameSize(h, c.index, r);
        sig.push(`${c.index}:${size.width}x${size.height}`);
        boxes.push({ key, ...size });
      } else {
        boxes.push({ key, ...collapsedSize(h, graph, c) });
      }
    }
    if (!ready || blocked.has(g)) {
      blocked.add(group.parent);
      continue;
    }
    const key = `${g}|${sig.join(',')}`;
    keys.set(g, key);
    if (state.results.has(key)) continue;
    const edges = cachedEdges(h, graph, g, state);
    if (edges.some((e) => e.from === IN_PORT)) boxes.unshift({ key: IN_PORT, width: 10, height: 10 });
    if (edges.some((e) => e.to === OUT_PORT)) boxes.push({ key: OUT_PORT, width: 10, height: 10 });
    requests.push({ key, boxes, edges: edges.map((e) => ({ from: e.from, to: e.to })) });
    blocked.add(group.parent);
  }
  return { keys, requests };
}

/** Outer size of an expanded group's frame around its inner layout. */
export function frameSize(
  h: Hierarchy,
  group: number,
  inner: LayoutResult,
): { width: number; height: number } {
  const label = Math.min(h.groups[group]!.name.length, 40) * 7.6 + 80;
  return {
    width: Math.ceil(Math.max(inner.width + 2 * FRAME_PAD, label)),
    height: Math.ceil(inner.height + FRAME_HEAD + FRAME_PAD),
  };
}

/** A box of the scene, absolute px. */
export interface SceneBox {
  item: HItem;
  /** True for an expanded group drawn as a frame around its children. */
  frame: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Nesting depth (root children are 0). */
  depth: number;
}

/** An edge of the scene, absolute px. */
export interface SceneEdge {
  /** Item keys of the ends (`n12`, `g3`, `i0`, or a port `^in`/`$out`). */
  from: string;
  to: string;
  points: Point[];
  tensors: string[];
  elements: number;
  label: string;
  /** Bounding box of the route, for culling. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Everything to draw, flat (frames come before their contents). */
export interface Scene {
  boxes: SceneBox[];
  edges: SceneEdge[];
  width: number;
  height: number;
  /** Box index by item key (`n12`, `g3`, `i0`). */
  index: Map<string, number>;
}

/** Flattens the laid-out visible hierarchy into absolute boxes and edges. Needs `planLayouts` done. */
export function buildScene(
  h: Hierarchy,
  graph: ViewGraph,
  expanded: ReadonlySet<number>,
  state: LayoutState,
  keys: Map<number, string>,
): Scene {
  const boxes: SceneBox[] = [];
  const edges: SceneEdge[] = [];
  const index = new Map<string, number>();
  const rootLayout = state.results.get(keys.get(0) ?? '');
  if (!rootLayout) return { boxes, edges, width: 0, height: 0, index };
  const stack: Array<{ group: number; ox: number; oy: number; depth: number }> = [
    { group: 0, ox: 0, oy: 0, depth: 0 },
  ];
  while (stack.length > 0) {
    const { group, ox, oy, depth } = stack.pop()!;
    const layout = state.results.get(keys.get(group)!)!;
    for (const c of h.groups[group]!.children) {
      const key = itemKey(c);
      const center = layout.centers[key];
      if (!center) continue;
      const isFrame = c.kind === 'group' && expanded.has(c.index) && keys.has(c.index);
      const size = isFrame
        ? frameSize(h, c.index, state.results.get(keys.get(c.index)!)!)
        : collapsedSize(h, graph, c);
      const box: SceneBox = {
        item: c,
        frame: isFrame,
        x: ox + center.x - size.width / 2,
        y: oy + center.y - size.height / 2,
        width: size.width,
        height: size.height,
        depth,
      };
      index.set(key, boxes.length);
      boxes.push(box);
      if (isFrame)
        stack.push({ group: c.index, ox: box.x + FRAME_PAD, oy: box.y + FRAME_HEAD, depth: depth + 1 });
    }
    const groupEdgeList = cachedEdges(h, graph, group, state);
    layout.routes.forEach((route, i) => {
      const e = groupEdgeList[i];
      if (!e || route.length < 2) return;
      const points = route.map((p) => ({ x: p.x + ox, y: p.y + oy }));
      let x0 = Number.POSITIVE_INFINITY;
      let y0 = Number.POSITIVE_INFINITY;
      let x1 = Number.NEGATIVE_INFINITY;
      let y1 = Number.NEGATIVE_INFINITY;
      for (const p of points) {
        x0 = Math.min(x0, p.x);
        y0 = Math.min(y0, p.y);
        x1 = Math.max(x1, p.x);
        y1 = Math.max(y1, p.y);
      }
      const first = graph.tensors[e.tensors[0]!];
      const more = e.tensors.length > 1 ? ` (+${e.tensors.length - 1})` : '';
      edges.push({
        from: e.from,
        to: e.to,
        points,
        tensors: e.tensors,
        elements: e.elements,
        label: tensorLabel(first) + more,
        x0,
        y0,
        x1,
        y1,
      });
    });
  }
  return { boxes, edges, width: rootLayout.width, height: rootLayout.height, index };
}
