/**
 * The viewer controller (issue 6): owns one opened model's hierarchy, expansion state,
 * layout caches and scene, and wires the canvas, sidebar, breadcrumb and search together.
 */

import { foldRuns } from '../fold-runs.js';
import { itemKey } from '../group-edges.js';
import { buildHierarchy, groupsToReveal, type HItem, type Hierarchy, opsUnder } from '../hierarchy.js';
import type { LayoutRequest, LayoutResult } from '../layout-engine.js';
import {
  buildScene,
  type LayoutState,
  newLayoutState,
  planLayouts,
  type Scene,
  type SceneBox,
  shortName,
} from '../layout-plan.js';
import type { ViewGraph } from '../model.js';
import { opCategory } from '../op-category.js';
import { searchGraph } from '../search-index.js';
import { inlineSubgraphs } from '../subgraphs.js';
import { clear, h } from './dom.js';
import { download, sceneToSvg, svgToPng } from './export.js';
import { type InsightActions, showCompare, showGroupInsight } from './insight-panel.js';
import { type BoxContent, GraphCanvas } from './render.js';
import { showGroup, showIo, showModel, showNode } from './sidebar.js';
import { SourcePane } from './source-pane.js';

/** Runs layout requests (in the worker). */
export type LayoutRunner = (requests: LayoutRequest[]) => Promise<LayoutResult[]>;

/** The page elements the viewer drives. */
export interface ViewerUi {
  svg: SVGSVGElement;
  details: HTMLElement;
  empty: HTMLElement;
  breadcrumb: HTMLElement;
  status: HTMLElement;
  search: HTMLInputElement;
  results: HTMLOListElement;
  /** The source pane's element; the pane shows when the graph has source frames. */
  source?: HTMLElement;
}

/** Most visible boxes "expand all" will open on a huge model before it stops. */
const EXPAND_ALL_BUDGET = 6000;

/** Which side of a comparison a viewer draws: `before` (left pane, A) or `after` (B, the default). */
export type CompareSide = 'before' | 'after';

/**
 * Calls from a viewer to the side-by-side compare that links two of them (issue 7, "Compare").
 * Each is made synchronously when the user acts, before any layout runs.
 */
export interface ViewerLink {
  /** The user selected an item (or cleared the selection) in this pane. */
  selected(key: string | undefined): void;
  /** The set of expanded groups changed (a relayout follows, keeping `anchor`'s box still). */
  expanded(anchor: string | undefined): void;
  /** The pan/zoom transform changed. */
  moved(): void;
  /** A difference in the sidebar was clicked: its node in A and in B. */
  goToPair(a: number | undefined, b: number | undefined): void;
}

/** Parses an item key (`n12`, `g3`, `i0`). */
export function parseKey(key: string): HItem {
  const kind = key[0] === 'n' ? 'node' : key[0] === 'g' ? 'group' : 'io';
  return { kind, index: Number(key.slice(1)) } as HItem;
}

/** One opened model in the page. */
export class Viewer {
  readonly graph: ViewGraph;
  readonly hier: Hierarchy;
  readonly expanded = new Set<number>();
  readonly canvas: GraphCanvas;
  private readonly ui: ViewerUi;
  private readonly run: LayoutRunner;
  private readonly state: LayoutState = newLayoutState();
  private readonly fileName: string;
  private keys = new Map<number, string>();
  private sceneKeys: string[] = [];
  scene: Scene | undefined;
  selected: string | undefined;
  private busy: Promise<void> = Promise.resolve();
  /** The source pane, when the graph has source frames. */
  readonly sourcePane: SourcePane | undefined;
  /** Nodes highlighted from the source pane. */
  highlighted: number[] = [];
  private diffMarks = new Map<string, string[]>();
  /** Side of the comparison this viewer draws. */
  readonly side: CompareSide;
  /** Set by the side-by-side compare while it links this viewer with its counterpart. */
  link: ViewerLink | undefined;

  constructor(
    ui: ViewerUi,
    graph: ViewGraph,
    fileName: string,
    run: LayoutRunner,
    side: CompareSide = 'after',
  ) {
    this.side = side;
    this.ui = ui;
    this.graph = inlineSubgraphs(graph);
    this.fileName = fileName;
    this.run = run;
    this.hier = buildHierarchy(this.graph);
    // issue 7: identical runs of blocks fold into one "× N" box.
    foldRuns(this.hier, graph.insight?.stages ?? []);
    this.graph.insight = graph.insight;
    this.graph.compare = graph.compare;
    this.canvas = new GraphCanvas(ui.svg, {
      content: (b) => this.content(b),
      click: (key, header) => void this.onClick(key, header),
      dblclick: (key) => {
        const item = parseKey(key);
        if (item.kind === 'group' && this.expanded.has(item.index)) void this.toggle(item.index);
      },
      background: () => {
        this.select(undefined);
        this.link?.selected(undefined);
      },
      moved: () => this.link?.moved(),
    });
    ui.empty.hidden = true;
    if (ui.source) {
      const pane = new SourcePane(ui.source, this.graph, {
        highlight: (nodes, what) => this.highlightNodes(nodes, what),
        scopes: {
          hier: this.hier,
          pick: (g) => {
            void this.revealGroup(g);
            return opsUnder(this.hier, g);
          },
        },
      });
      this.sourcePane = pane.available ? pane : undefined;
    }
    if (graph.compare) this.diffMarks = this.compareMarks();
    this.applyMarks();
    this.select(undefined);
  }

  /**
   * Classes for the comparison: in B added (green) and changed (orange) nodes, in A removed
   * (red) and changed ones; and the groups holding them.
   */
  private compareMarks(): Map<string, string[]> {
    const c = this.graph.compare!;
    const marks = new Map<string, string[]>();
    const mark = (node: number | undefined, cls: string) => {
      if (node === undefined) return;
      const k = `n${node}`;
      const own = marks.get(k);
      if (!own?.includes('diff-added') && !own?.includes('diff-removed')) marks.set(k, [cls]);
      for (let g = this.hier.nodeGroup[node]!; g > 0; g = this.hier.groups[g]!.parent)
        marks.set(`g${g}`, ['diff-inside']);
    };
    if (this.side === 'before') {
      for (const r of c.removed) mark(r.nodeA, 'diff-removed');
      for (const a of c.attributes) mark(a.nodeA, 'diff-changed');
      for (const p of c.parameters) mark(p.nodeA, 'diff-changed');
      return marks;
    }
    for (const a of c.added) mark(a.node, 'diff-added');
    for (const a of c.attributes) mark(a.node, 'diff-changed');
    for (const p of c.parameters) mark(p.node, 'diff-changed');
    return marks;
  }

  /** Highlights nodes (and the groups holding them) in the graph; an empty list clears. */
  highlightNodes(nodes: number[], what = ''): void {
    this.highlighted = nodes;
    this.applyMarks();
    if (nodes.length > 0)
      this.ui.status.textContent = `${what}: ${nodes.length} op${nodes.length === 1 ? '' : 's'} highlighted`;
    else this.updateStatus();
  }

  private applyMarks(): void {
    const marks = new Map(this.diffMarks);
    const add = (k: string, cls: string) => marks.set(k, [...(marks.get(k) ?? []), cls]);
    const groups = new Set<number>();
    for (const n of this.highlighted) {
      add(`n${n}`, 'src-hl');
      for (let g = this.hier.nodeGroup[n]!; g > 0 && !groups.has(g); g = this.hier.groups[g]!.parent)
        groups.add(g);
    }
    for (const g of groups) add(`g${g}`, 'src-hl-group');
    this.canvas.setMarks(marks);
  }

  private insightActions(): InsightActions {
    const link = this.link;
    return {
      goToNode: (n) => void this.reveal(n),
      goToKey: (key) => {
        const g = this.groupByPath(key);
        if (g !== undefined) void this.revealGroup(g);
      },
      ...(link ? { goToPair: (a: number | undefined, b: number | undefined) => link.goToPair(a, b) } : {}),
    };
  }

  /** Resolves when every queued layout has been drawn. */
  async idle(): Promise<void> {
    for (let p = this.busy; ; p = this.busy) {
      await p;
      if (p === this.busy) return;
    }
  }

  /** Replaces the expanded groups (side-by-side compare) and redraws. */
  setExpanded(groups: Iterable<number>, anchor?: string): Promise<void> {
    this.expanded.clear();
    for (const g of groups) this.expanded.add(g);
    return this.relayout(anchor);
  }

  /** Centre of a drawn box in world coordinates, if it is in the scene. */
  boxCenter(key: string): { x: number; y: number } | undefined {
    const i = this.scene?.index.get(key);
    if (i === undefined || !this.scene) return undefined;
    const b = this.scene.boxes[i]!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }

  /** Serialises UI work so fast clicks cannot interleave layouts. */
  private queue(task: () => Promise<void>): Promise<void> {
    this.busy = this.busy.then(task, task);
    return this.busy;
  }

  /** Lays out what changed and redraws, keeping `anchor`'s box still on screen. */
  relayout(anchor?: string): Promise<void> {
    this.link?.expanded(anchor);
    return this.queue(async () => {
      const before = this.anchorPos(anchor);
      for (;;) {
        const { keys, requests } = planLayouts(this.hier, this.graph, this.expanded, this.state);
        if (requests.length === 0) {
          this.keys = keys;
          break;
        }
        for (const r of await this.run(requests)) this.state.results.set(r.key, r);
      }
      this.scene = buildScene(this.hier, this.graph, this.expanded, this.state, this.keys);
      this.sceneKeys = [];
      for (const [k, i] of this.scene.index) this.sceneKeys[i] = k;
      const after = this.anchorPos(anchor);
      this.canvas.setScene(this.scene);
      if (before && after) {
        const t = this.canvas.t;
        this.canvas.setTransform({ k: t.k, tx: t.tx + before.x - after.x, ty: t.ty + before.y - after.y });
      }
      this.canvas.select(this.selected);
      this.updateStatus();
    });
  }

  private anchorPos(key?: string): { x: number; y: number } | undefined {
    if (!key || !this.scene) return undefined;
    const i = this.scene.index.get(key);
    if (i === undefined) return undefined;
    const b = this.scene.boxes[i]!;
    return this.canvas.toScreen(b.x, b.y);
  }

  private updateStatus(): void {
    const n = this.scene?.boxes.length ?? 0;
    this.ui.status.textContent = `${this.graph.format}${this.graph.formatVersion ? ` ${this.graph.formatVersion}` : ''} · ${this.graph.nodes.length} ops · ${this.hier.groups.length - 1} groups · ${n} boxes shown`;
  }

  /** What a scene box shows. */
  content(b: SceneBox): BoxContent {
    const item = b.item;
    if (item.kind === 'node') {
      const n = this.graph.nodes[item.index]!;
      return {
        className: `op ${opCategory(n.opType)}`,
        title: n.opType,
        subtitle: shortName(n.name),
        tooltip: n.name,
      };
    }
    if (item.kind === 'io') {
      const io = this.hier.io[item.index]!;
      return { className: `io ${io.role}`, title: io.tensor, tooltip: `${io.role}: ${io.tensor}` };
    }
    const g = this.hier.groups[item.index]!;
    const ops = `${g.opCount} op${g.opCount === 1 ? '' : 's'}`;
    if (g.kind === 'fold') {
      const first = this.hier.groups[g.children[0]!.index]!.name;
      const lastName = this.hier.groups[g.children.at(-1)!.index]!.name;
      const sub = `${first}–${lastName} · ${ops}`;
      const tip = `${g.name}: ${first} to ${lastName}, identical blocks (click to unfold)`;
      return { className: `${b.frame ? 'frame' : 'group'} fold`, title: g.name, subtitle: sub, tooltip: tip };
    }
    if (b.frame)
      return { className: `frame ${g.kind}`, title: g.name, subtitle: ops, tooltip: g.path.join('/') };
    return { className: `group ${g.kind}`, title: g.name, subtitle: ops, tooltip: g.path.join('/') };
  }

  private async onClick(key: string, header: boolean): Promise<void> {
    const item = parseKey(key);
    if (item.kind === 'group') {
      const open = this.expanded.has(item.index);
      this.select(key);
      this.link?.selected(key);
      if (!open || header) await this.toggle(item.index);
      return;
    }
    this.select(key);
    this.link?.selected(key);
  }

  /** Expands or collapses a group in place. */
  toggle(group: number): Promise<void> {
    if (this.expanded.has(group)) this.expanded.delete(group);
    else this.expanded.add(group);
    return this.relayout(`g${group}`);
  }

  /** Expands one group (no-op when open). */
  expand(group: number): Promise<void> {
    if (this.expanded.has(group)) return this.busy;
    this.expanded.add(group);
    return this.relayout(`g${group}`);
  }

  /** Expands every group, breadth first, until about {@link EXPAND_ALL_BUDGET} boxes are visible. */
  async expandAll(): Promise<void> {
    let frontier = [0];
    let visible = this.hier.groups[0]!.children.length;
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const g of frontier) {
        for (const c of this.hier.groups[g]!.children) {
          if (c.kind !== 'group') continue;
          const size = this.hier.groups[c.index]!.children.length;
          if (visible + size > EXPAND_ALL_BUDGET) continue;
          visible += size;
          this.expanded.add(c.index);
          next.push(c.index);
        }
      }
      frontier = next;
    }
    await this.relayout();
    this.canvas.initialView();
  }

  /** Collapses everything back to the top level. */
  async collapseAll(): Promise<void> {
    this.expanded.clear();
    await this.relayout();
    this.canvas.initialView();
  }

  /**
   * Expands a node's ancestors, centres and selects it; `quiet` (the counterpart pane of a
   * comparison) leaves the sidebar and the centring to the caller.
   */
  async reveal(node: number, quiet = false): Promise<void> {
    for (const g of groupsToReveal(this.hier, node)) this.expanded.add(g);
    await this.relayout();
    this.select(`n${node}`, quiet);
    if (!quiet) this.centerKey(`n${node}`);
  }

  /** Shows a group: expands its ancestors, selects and centres it (`quiet`: see {@link reveal}). */
  async revealGroup(group: number, quiet = false): Promise<void> {
    for (let g = this.hier.groups[group]!.parent; g > 0; g = this.hier.groups[g]!.parent)
      this.expanded.add(g);
    await this.relayout();
    this.select(`g${group}`, quiet);
    if (!quiet) this.centerKey(`g${group}`);
  }

  /** Centres the canvas on a box. */
  centerKey(key: string): void {
    const i = this.scene?.index.get(key);
    if (i === undefined || !this.scene) return;
    const b = this.scene.boxes[i]!;
    if (
      b.frame &&
      (b.width * this.canvas.t.k > this.canvas.size().width ||
        b.height * this.canvas.t.k > this.canvas.size().height)
    ) {
      this.canvas.fit(b);
    } else this.canvas.centerOn(b.x + b.width / 2, b.y + b.height / 2);
  }

  /** Selects an item and shows it in the sidebar and breadcrumb (`quiet`: only on the canvas). */
  select(key: string | undefined, quiet = false): void {
    this.selected = key;
    this.canvas.select(key);
    if (quiet) return;
    const actions = {
      goToNode: (n: number) => void this.reveal(n),
      goToGroup: (g: number) => void this.revealGroup(g),
    };
    if (!key) {
      showModel(this.ui.details, this.graph, this.fileName);
      if (this.graph.compare) {
        // The comparison goes first, right under the model's head.
        const rest = [...this.ui.details.children].slice(1);
        showCompare(this.ui.details, this.graph.compare, this.insightActions());
        for (const el of rest) this.ui.details.appendChild(el);
      }
      this.breadcrumb(0);
      return;
    }
    const item = parseKey(key);
    if (item.kind === 'node') {
      showNode(this.ui.details, this.graph, this.hier, this.graph.nodes[item.index]!, actions);
      this.sourcePane?.showNode(this.graph.nodes[item.index]!);
      this.breadcrumb(this.hier.nodeGroup[item.index]!);
    } else if (item.kind === 'group') {
      const ops = opsUnder(this.hier, item.index);
      showGroup(this.ui.details, this.graph, this.hier, item.index, ops);
      // The source pane follows: the builder line of the group's first op.
      if (this.sourcePane && ops.length > 0)
        this.sourcePane.showNode(this.graph.nodes[Math.min(...ops)]!, false);
      showGroupInsight(this.ui.details, this.graph.insight, this.hier, item.index, this.insightActions());
      this.breadcrumb(item.index);
    } else {
      const io = this.hier.io[item.index]!;
      showIo(this.ui.details, this.graph, io.role, io.tensor, actions);
      this.breadcrumb(0);
    }
  }

  private breadcrumb(group: number): void {
    const bc = this.ui.breadcrumb;
    clear(bc);
    const chain: number[] = [];
    for (let g = group; g !== -1; g = this.hier.groups[g]!.parent) chain.unshift(g);
    chain.forEach((g, i) => {
      if (i > 0) bc.appendChild(h('span', 'sep', '›'));
      const a = h(
        'a',
        i === chain.length - 1 ? 'current' : undefined,
        g === 0 ? this.fileName || this.hier.groups[0]!.name : this.hier.groups[g]!.name,
      );
      a.href = '#';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        if (g === 0) {
          this.select(undefined);
          this.canvas.fit();
        } else void this.revealGroup(g);
      });
      bc.appendChild(a);
    });
  }

  /** Runs a search and fills the results list. */
  search(query: string): number {
    const list = this.ui.results;
    clear(list);
    const hits = searchGraph(this.graph, query, 100);
    list.hidden = query.trim() === '';
    if (hits.length === 0 && !list.hidden) list.appendChild(h('li', 'none', 'No matches'));
    for (const hit of hits) {
      const n = this.graph.nodes[hit.node]!;
      const li = h('li', 'hit');
      li.tabIndex = 0;
      li.dataset.node = String(hit.node);
      li.appendChild(h('span', `op ${opCategory(n.opType)}`, n.opType));
      li.appendChild(
        h('span', 'name', hit.field === 'tensor' ? `${hit.text}  →  ${shortName(n.name)}` : n.name),
      );
      const go = () => {
        list.hidden = true;
        void this.reveal(hit.node).then(() => this.link?.selected(`n${hit.node}`));
      };
      li.addEventListener('click', go);
      li.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') go();
      });
      list.appendChild(li);
    }
    return hits.length;
  }

  /** Walks to a neighbour of the selected node: up = producer, down = first consumer. */
  step(direction: 'up' | 'down'): void {
    if (!this.selected) return;
    const item = parseKey(this.selected);
    if (item.kind !== 'node') return;
    const n = this.graph.nodes[item.index]!;
    let target: number | undefined;
    if (direction === 'up') {
      for (const i of n.inputs) {
        const p = this.graph.tensors[i]?.producer;
        if (p !== undefined) {
          target = p;
          break;
        }
      }
    } else {
      for (const o of n.outputs) {
        const c = this.graph.tensors[o]?.consumers[0];
        if (c !== undefined) {
          target = c;
          break;
        }
      }
    }
    if (target !== undefined) {
      const t = target;
      void this.reveal(t).then(() => this.link?.selected(`n${t}`));
    }
  }

  /** The whole current view as SVG text. */
  exportSvg(): string {
    if (!this.scene) return '';
    const sc = this.scene;
    return sceneToSvg(sc, (i) => this.content(sc.boxes[i]!), this.sceneKeys);
  }

  /** Downloads the SVG. */
  downloadSvg(): void {
    download(`${this.baseName()}.svg`, new Blob([this.exportSvg()], { type: 'image/svg+xml' }));
  }

  /** Renders and downloads the PNG; returns its size in bytes. */
  async downloadPng(): Promise<number> {
    if (!this.scene) return 0;
    const blob = await svgToPng(this.exportSvg(), this.scene.width + 40, this.scene.height + 40);
    download(`${this.baseName()}.png`, blob);
    return blob.size;
  }

  private baseName(): string {
    return (
      (this.fileName || this.graph.name || 'model').replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_') ||
      'model'
    );
  }

  /** Key of a group by its scope path (tests and the bench use it). */
  groupByPath(path: string): number | undefined {
    const want = path.split('/').filter((p) => p !== '');
    return this.hier.groups.find((g) => g.kind === 'scope' && g.path.join('/') === want.join('/'))?.id;
  }

  /** Key of an item for tests. */
  static key(item: HItem): string {
    return itemKey(item);
  }
}
