/**
 * Lays out ONE group's direct children with `@dagrejs/dagre` (issue 6, "Layout"). Runs in the
 * page's Web Worker; pure, so Node tests call it directly. Input size is bounded by the
 * hierarchy's sectioning (at most a few hundred boxes), which keeps dagre's recursion shallow.
 */
import dagre from '@dagrejs/dagre';

/** A box to place, with its size in px. */
export interface LayoutBox {
  key: string;
  width: number;
  height: number;
}

/** An edge to route between two boxes (keys of {@link LayoutBox}). */
export interface LayoutEdge {
  from: string;
  to: string;
}

/** One layout job: a group's boxes and edges. */
export interface LayoutRequest {
  /** Cache key chosen by the caller (group id and the sizes of its expanded children). */
  key: string;
  boxes: LayoutBox[];
  edges: LayoutEdge[];
}

/** A point in px. */
export interface Point {
  x: number;
  y: number;
}

/** Result of a layout: box centres and edge polylines relative to the group's top-left. */
export interface LayoutResult {
  key: string;
  width: number;
  height: number;
  /** Centre of each box, by key. */
  centers: Record<string, Point>;
  /** Edge routes, in the order of the request's edges. */
  routes: Point[][];
}

/** Spacing used by every layout. */
const SPACING = { nodesep: 22, ranksep: 34, edgesep: 10, marginx: 0, marginy: 0 };

/** Runs dagre (top to bottom) on one request. */
export function layoutGroup(request: LayoutRequest): LayoutResult {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'TB', ...SPACING });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of request.boxes) g.setNode(b.key, { width: b.width, height: b.height });
  const known = new Set(request.boxes.map((b) => b.key));
  for (const e of request.edges) {
    if (known.has(e.from) && known.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to, {});
  }
  dagre.layout(g);
  const centers: Record<string, Point> = {};
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const b of request.boxes) {
    const n = g.node(b.key) as { x: number; y: number };
    centers[b.key] = { x: n.x, y: n.y };
    minX = Math.min(minX, n.x - b.width / 2);
    maxX = Math.max(maxX, n.x + b.width / 2);
    minY = Math.min(minY, n.y - b.height / 2);
    maxY = Math.max(maxY, n.y + b.height / 2);
  }
  if (request.boxes.length === 0) minX = minY = maxX = maxY = 0;
  const routes = request.edges.map((e) => {
    const label = g.hasEdge(e.from, e.to) ? (g.edge(e.from, e.to) as { points?: Point[] }) : undefined;
    return (label?.points ?? []).map((p) => ({ x: p.x - minX, y: p.y - minY }));
  });
  for (const c of Object.values(centers)) {
    c.x -= minX;
    c.y -= minY;
  }
  return { key: request.key, width: maxX - minX, height: maxY - minY, centers, routes };
}
