/**
 * SVG renderer with viewport culling (issue 6, "Rendering"): only boxes and edges that
 * intersect the viewport plus a margin are in the DOM; panning moves one transform and
 * re-culls only when the view leaves the drawn area; far zoom drops text (level of detail).
 */
import type { Scene, SceneBox, SceneEdge } from '../layout-plan.js';
import { clear, ellipsis, s } from './dom.js';

/** What a box shows. */
export interface BoxContent {
  /** CSS classes: `op conv`, `group`, `frame`, `io input`… */
  className: string;
  title: string;
  subtitle?: string;
  /** Tooltip text. */
  tooltip?: string;
}

/** Callbacks from the canvas to the view. */
export interface CanvasHooks {
  content(box: SceneBox): BoxContent;
  /** A box was clicked; `header` is true for a click on an expanded group's header band. */
  click(key: string, header: boolean, event: MouseEvent): void;
  dblclick(key: string): void;
  background(): void;
  /** Called after each cull with the number of DOM items drawn. */
  drawn?(count: number): void;
  /** Called after each transform change (pan, zoom, fit); side-by-side compare follows it. */
  moved?(): void;
}

/** Screen-space transform: screen = world × k + t. */
export interface ViewTransform {
  k: number;
  tx: number;
  ty: number;
}

const MIN_ZOOM = 0.02;
const MAX_ZOOM = 4;

/** Smooth path through dagre's route points. */
export function edgePath(points: ReadonlyArray<{ x: number; y: number }>): string {
  const p = points;
  if (p.length === 0) return '';
  let d = `M${p[0]!.x.toFixed(1)},${p[0]!.y.toFixed(1)}`;
  if (p.length === 2) return `${d}L${p[1]!.x.toFixed(1)},${p[1]!.y.toFixed(1)}`;
  for (let i = 1; i < p.length - 1; i++) {
    const mx = (p[i]!.x + p[i + 1]!.x) / 2;
    const my = (p[i]!.y + p[i + 1]!.y) / 2;
    d += `Q${p[i]!.x.toFixed(1)},${p[i]!.y.toFixed(1)} ${mx.toFixed(1)},${my.toFixed(1)}`;
  }
  const last = p[p.length - 1]!;
  return `${d}L${last.x.toFixed(1)},${last.y.toFixed(1)}`;
}

/** Stroke width hinting tensor size (log scale). */
export function edgeWidth(elements: number): number {
  if (elements <= 0) return 1.2;
  return Math.max(1, Math.min(5, 0.6 + Math.log10(elements + 1) * 0.55));
}

/** Builds the SVG group of one box (also used by the SVG export). */
export function boxElement(box: SceneBox, key: string, c: BoxContent, detail: boolean): SVGElement {
  const g = s('g', {
    class: `box ${c.className}`,
    'data-key': key,
    transform: `translate(${box.x},${box.y})`,
  });
  const w = box.width;
  const hgt = box.height;
  if (box.frame) {
    g.appendChild(s('rect', { class: 'frame-body', width: w, height: hgt, rx: 10 }));
    g.appendChild(s('rect', { class: 'frame-head', width: w, height: 26, rx: 10 }));
    g.appendChild(s('rect', { class: 'frame-head-fill', y: 16, width: w, height: 10 }));
    if (detail) {
      g.appendChild(
        s('text', { class: 'frame-title', x: 12, y: 17 }, ellipsis(c.title, Math.floor((w - 80) / 7))),
      );
      g.appendChild(
        s(
          'text',
          { class: 'frame-toggle', x: w - 12, y: 17, 'text-anchor': 'end' },
          `${c.subtitle ?? ''}  −`,
        ),
      );
    }
  } else if (c.className.startsWith('group')) {
    g.appendChild(s('rect', { class: 'stack', x: 5, y: 5, width: w, height: hgt, rx: 9 }));
    g.appendChild(s('rect', { class: 'body', width: w, height: hgt, rx: 9 }));
    if (detail) {
      g.appendChild(
        s('text', { class: 'title', x: 12, y: 19 }, ellipsis(c.title, Math.floor((w - 30) / 7.4))),
      );
      if (c.subtitle) g.appendChild(s('text', { class: 'subtitle', x: 12, y: 34 }, c.subtitle));
      g.appendChild(s('text', { class: 'plus', x: w - 12, y: 27, 'text-anchor': 'end' }, '+'));
    }
  } else {
    const rx = c.className.startsWith('io') ? hgt / 2 : 7;
    g.appendChild(s('rect', { class: 'body', width: w, height: hgt, rx }));
    if (!c.className.startsWith('io'))
      g.appendChild(s('rect', { class: 'accent', width: 4, height: hgt - 8, x: 0, y: 4, rx: 2 }));
    if (detail) {
      const two = c.subtitle !== undefined && c.subtitle !== '';
      g.appendChild(
        s(
          'text',
          { class: 'title', x: w / 2, y: two ? 15 : hgt / 2 + 4, 'text-anchor': 'middle' },
          ellipsis(c.title, Math.floor(w / 7.2)),
        ),
      );
      if (two) {
        g.appendChild(
          s(
            'text',
            { class: 'subtitle', x: w / 2, y: 28, 'text-anchor': 'middle' },
            ellipsis(c.subtitle!, Math.floor(w / 5.8)),
          ),
        );
      }
    }
  }
  if (c.tooltip) g.appendChild(s('title', {}, c.tooltip));
  return g;
}

/** Builds the SVG elements of one edge (path plus optional label). */
export function edgeElements(e: SceneEdge, labels: boolean): SVGElement[] {
  const out: SVGElement[] = [
    s('path', {
      class: 'edge',
      'data-from': e.from,
      'data-to': e.to,
      d: edgePath(e.points),
      'stroke-width': edgeWidth(e.elements).toFixed(2),
      'marker-end': 'url(#arrow)',
    }),
  ];
  if (labels && e.label && e.points.length >= 2) {
    const mid = e.points[Math.floor(e.points.length / 2)]!;
    out.push(s('text', { class: 'edge-label', x: mid.x + 5, y: mid.y - 3 }, e.label));
  }
  return out;
}

/** `<defs>` with the arrow-head marker (`url(#arrow)`) that edges use; shared with SVG export. */
export function arrowDefs(): SVGElement {
  const defs = s('defs');
  const marker = s('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
    markerUnits: 'userSpaceOnUse',
  });
  marker.appendChild(s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }));
  defs.appendChild(marker);
  return defs;
}
/** The interactive canvas. */
export class GraphCanvas {
  readonly svg: SVGSVGElement;
  private readonly layer: SVGGElement;
  private readonly hooks: CanvasHooks;
  private scene: Scene | undefined;
  private keys: string[] = [];
  /** Current transform. */
  t: ViewTransform = { k: 1, tx: 0, ty: 0 };
  private drawnRect = { x0: 0, y0: 0, x1: -1, y1: -1, k: 0 };
  private frame = 0;
  private selected: string | undefined;
  /** Extra CSS classes per box key (source links, comparison), kept across redraws. */
  private marks = new Map<string, string[]>();

  constructor(svg: SVGSVGElement, hooks: CanvasHooks) {
    this.svg = svg;
    this.hooks = hooks;
    clear(svg);
    svg.appendChild(arrowDefs());
    this.layer = s('g', { id: 'viewport' }) as SVGGElement;
    svg.appendChild(this.layer);
    this.bindPointer();
    new ResizeObserver(() => this.schedule(true)).observe(svg);
  }

  /** Size of the canvas in px. */
  size(): { width: number; height: number } {
    const r = this.svg.getBoundingClientRect();
    return { width: Math.max(1, r.width), height: Math.max(1, r.height) };
  }

  /** Replaces the scene and redraws. */
  setScene(scene: Scene): void {
    this.scene = scene;
    this.keys = [];
    for (const [k, i] of scene.index) this.keys[i] = k;
    this.drawnRect.x1 = -1;
    this.draw();
  }

  /** Marks a box as selected. */
  select(key: string | undefined): void {
    this.selected = key;
    for (const e of this.layer.querySelectorAll('.selected, .hl')) e.classList.remove('selected', 'hl');
    if (!key) return;
    const k = CSS.escape(key);
    this.layer.querySelector(`[data-key="${k}"]`)?.classList.add('selected');
    for (const e of this.layer.querySelectorAll(`.edge[data-from="${k}"], .edge[data-to="${k}"]`))
      e.classList.add('hl');
  }

  /** Replaces the extra classes of boxes (key → classes) and applies them to what is drawn. */
  setMarks(marks: Map<string, string[]>): void {
    const old = this.marks;
    this.marks = marks;
    for (const el of this.layer.querySelectorAll('[data-key]')) {
      const key = el.getAttribute('data-key')!;
      const before = old.get(key);
      if (before) el.classList.remove(...before);
      const now = marks.get(key);
      if (now) el.classList.add(...now);
    }
  }

  /** Sets the transform and redraws as needed. */
  setTransform(t: ViewTransform): void {
    this.t = { k: Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, t.k)), tx: t.tx, ty: t.ty };
    this.schedule(false);
    this.hooks.moved?.();
  }

  /** Zooms by `factor` around screen point (cx, cy). */
  zoomAt(factor: number, cx: number, cy: number): void {
    const k = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, this.t.k * factor));
    const wx = (cx - this.t.tx) / this.t.k;
    const wy = (cy - this.t.ty) / this.t.k;
    this.setTransform({ k, tx: cx - wx * k, ty: cy - wy * k });
  }

  /** Fits a world rectangle (default: the whole scene) into the canvas. */
  fit(rect?: { x: number; y: number; width: number; height: number }, maxZoom = 1.2): void {
    const sc = this.scene;
    const r = rect ?? { x: 0, y: 0, width: sc?.width ?? 1, height: sc?.height ?? 1 };
    const { width, height } = this.size();
    const k = Math.max(
      MIN_ZOOM,
      Math.min(maxZoom, (width - 60) / Math.max(1, r.width), (height - 60) / Math.max(1, r.height)),
    );
    this.setTransform({
      k,
      tx: width / 2 - (r.x + r.width / 2) * k,
      ty: height / 2 - (r.y + r.height / 2) * k,
    });
  }

  /** First view of a model: fit when readable, else the top of the graph at a readable zoom. */
  initialView(): void {
    const sc = this.scene;
    if (!sc) return;
    const { width, height } = this.size();
    const fitK = Math.min((width - 60) / Math.max(1, sc.width), (height - 60) / Math.max(1, sc.height));
    if (fitK >= 0.45) {
      this.fit(undefined, 1);
      return;
    }
    const k = Math.min(0.9, Math.max(0.45, (width - 60) / Math.max(1, sc.width)));
    this.setTransform({ k, tx: width / 2 - (sc.width / 2) * k, ty: 30 });
  }

  /** Centres a world point, keeping the zoom (or raising it to `minZoom`). */
  centerOn(x: number, y: number, minZoom = 0.8): void {
    const { width, height } = this.size();
    const k = Math.max(this.t.k, minZoom);
    this.setTransform({ k, tx: width / 2 - x * k, ty: height / 2 - y * k });
  }

  /** Screen position of a world point. */
  toScreen(x: number, y: number): { x: number; y: number } {
    return { x: x * this.t.k + this.t.tx, y: y * this.t.k + this.t.ty };
  }

  private schedule(force: boolean): void {
    if (force) this.drawnRect.x1 = -1;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Applies the transform; rebuilds the DOM when the view left the drawn area or zoom changed a lot. */
  draw(): void {
    const { k, tx, ty } = this.t;
    this.layer.setAttribute(
      'transform',
      `translate(${tx.toFixed(2)},${ty.toFixed(2)}) scale(${k.toFixed(5)})`,
    );
    const sc = this.scene;
    if (!sc) return;
    const { width, height } = this.size();
    const vx0 = -tx / k;
    const vy0 = -ty / k;
    const vx1 = vx0 + width / k;
    const vy1 = vy0 + height / k;
    const d = this.drawnRect;
    const zoomJump = d.k === 0 || k / d.k > 1.6 || d.k / k > 1.6 || d.k >= 0.45 !== k >= 0.45;
    if (!zoomJump && vx0 >= d.x0 && vy0 >= d.y0 && vx1 <= d.x1 && vy1 <= d.y1) return;
    const mx = (vx1 - vx0) * 0.6;
    const my = (vy1 - vy0) * 0.6;
    const x0 = vx0 - mx;
    const y0 = vy0 - my;
    const x1 = vx1 + mx;
    const y1 = vy1 + my;
    this.drawnRect = { x0, y0, x1, y1, k };
    const detail = k >= 0.3;
    const labels = k >= 0.45;
    const frames = document.createDocumentFragment();
    const edges = document.createDocumentFragment();
    const nodes = document.createDocumentFragment();
    let count = 0;
    sc.boxes.forEach((b, i) => {
      if (b.x > x1 || b.y > y1 || b.x + b.width < x0 || b.y + b.height < y0) return;
      // Tiny boxes at far zoom: skip when less than a pixel.
      if (b.width * k < 1.5 && !b.frame) return;
      const key = this.keys[i]!;
      const el = boxElement(b, key, this.hooks.content(b), detail);
      if (key === this.selected) el.classList.add('selected');
      const marked = this.marks.get(key);
      if (marked) el.classList.add(...marked);
      (b.frame ? frames : nodes).appendChild(el);
      count++;
    });
    for (const e of sc.edges) {
      if (e.x0 > x1 || e.y0 > y1 || e.x1 < x0 || e.y1 < y0) continue;
      const hl = this.selected !== undefined && (e.from === this.selected || e.to === this.selected);
      for (const el of edgeElements(e, labels)) {
        if (hl) el.classList.add('hl');
        edges.appendChild(el);
      }
      count++;
    }
    clear(this.layer);
    const lf = s('g', { class: 'frames' });
    lf.appendChild(frames);
    const le = s('g', { class: 'edges' });
    le.appendChild(edges);
    const ln = s('g', { class: 'nodes' });
    ln.appendChild(nodes);
    this.layer.append(lf, le, ln);
    this.svg.classList.toggle('far', !detail);
    this.hooks.drawn?.(count);
  }

  private bindPointer(): void {
    const svg = this.svg;
    let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
    svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, tx: this.t.tx, ty: this.t.ty, moved: false };
    });
    svg.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) svg.setPointerCapture(e.pointerId);
      drag.moved = true;
      svg.classList.add('panning');
      this.setTransform({ k: this.t.k, tx: drag.tx + dx, ty: drag.ty + dy });
    });
    const end = (e: PointerEvent) => {
      const d = drag;
      drag = undefined;
      svg.classList.remove('panning');
      if (!d || d.moved || e.type === 'pointercancel') return;
      const target = (e.target as Element).closest('[data-key]');
      if (!target) {
        this.hooks.background();
        return;
      }
      const key = target.getAttribute('data-key')!;
      const header = target.classList.contains('frame') && this.isHeaderHit(target, e);
      this.hooks.click(key, header, e);
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    svg.addEventListener('dblclick', (e) => {
      const target = (e.target as Element).closest('[data-key]');
      if (target) this.hooks.dblclick(target.getAttribute('data-key')!);
    });
    svg.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = svg.getBoundingClientRect();
        if (e.ctrlKey || Math.abs(e.deltaY) >= 40 || e.deltaMode !== 0) {
          this.zoomAt(
            Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0018)),
            e.clientX - r.left,
            e.clientY - r.top,
          );
        } else {
          this.setTransform({ k: this.t.k, tx: this.t.tx - e.deltaX, ty: this.t.ty - e.deltaY });
        }
      },
      { passive: false },
    );
  }

  private isHeaderHit(target: Element, e: MouseEvent): boolean {
    const i = this.scene?.index.get(target.getAttribute('data-key')!);
    if (i === undefined || !this.scene) return false;
    const b = this.scene.boxes[i]!;
    const r = this.svg.getBoundingClientRect();
    const wy = (e.clientY - r.top - this.t.ty) / this.t.k;
    return wy - b.y <= 28;
  }
}
