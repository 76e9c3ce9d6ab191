/**
 * Side-by-side comparison (issue 7, "Compare two models"): the before model A in the left pane
 * and the after model B in the right one, each a {@link Viewer} with its own per-group layouts,
 * linked through the diff's alignment (`ViewCompare.pairs`): the same groups are expanded in
 * both, selecting an item selects and centres its counterpart, and pan/zoom follow each other
 * (toggleable) with a world offset fixed whenever the panes are re-aligned on a pair.
 */
import { mapGroups, mapNodes } from '../pane-alignment.js';
import { parseKey, type Viewer, type ViewerLink } from './view.js';

/** Group and node maps from one pane's hierarchy to the other's. */
interface Side {
  viewer: Viewer;
  /** Node index here → node index in the other pane (-1: none). */
  nodes: Int32Array;
  /** Group id here → group id in the other pane (-1: none). */
  groups: Int32Array;
}

/** Two linked viewers: `a` (before, left) and `b` (after, right). */
export class SideBySide {
  readonly a: Viewer;
  readonly b: Viewer;
  /** Pan/zoom follow each other while true. */
  syncView = true;
  private readonly sides: [Side, Side];
  /** Set while one pane is driving the other, so the driven pane's own calls are ignored. */
  private driving = false;
  /** World offset of B relative to A: B shows (x + ox, y + oy) where A shows (x, y). */
  private offset = { x: 0, y: 0 };
  /** The last selection being followed in the other pane. */
  private following: Promise<void> = Promise.resolve();

  constructor(a: Viewer, b: Viewer) {
    this.a = a;
    this.b = b;
    const pairs = b.graph.compare?.pairs ?? a.graph.compare?.pairs ?? [];
    const [aToB, bToA] = mapNodes(pairs, a.graph.nodes.length, b.graph.nodes.length);
    this.sides = [
      { viewer: a, nodes: aToB, groups: mapGroups(a.hier, b.hier, aToB) },
      { viewer: b, nodes: bToA, groups: mapGroups(b.hier, a.hier, bToA) },
    ];
    a.link = this.linkFor(0);
    b.link = this.linkFor(1);
  }

  /** The counterpart in the other pane of an item key of pane `from` (0: A, 1: B). */
  counterpart(from: 0 | 1, key: string): string | undefined {
    const item = parseKey(key);
    const side = this.sides[from];
    const other =
      item.kind === 'node' ? side.nodes[item.index] : item.kind === 'group' ? side.groups[item.index] : -1;
    if (other === undefined || other < 0) return undefined;
    return `${key[0]}${other}`;
  }

  /** Resolves when both panes have drawn every queued layout. */
  async idle(): Promise<void> {
    await this.following;
    await Promise.all([this.a.idle(), this.b.idle()]);
    await Promise.all([this.a.idle(), this.b.idle()]);
  }

  /** Lays out both panes, shows the whole of B and lines A up with it. */
  async start(): Promise<void> {
    await Promise.all([this.a.relayout(), this.b.relayout()]);
    // A takes B's first view (the panes are equally wide), so aligned parts line up.
    this.b.canvas.initialView();
    this.drive(() => this.a.canvas.setTransform({ ...this.b.canvas.t }));
    this.realign();
  }

  /** Expands (or collapses) everything in both panes. */
  async all(expand: boolean): Promise<void> {
    this.drive(() => {
      void (expand ? this.a.expandAll() : this.a.collapseAll());
      void (expand ? this.b.expandAll() : this.b.collapseAll());
    });
    await this.idle();
    this.realign();
  }

  /** Fits both panes. */
  fit(): void {
    this.drive(() => {
      this.a.canvas.fit();
      this.b.canvas.fit();
    });
    this.realign();
  }

  /** Shows a difference in both panes: `a` in A and `b` in B (either may be absent). */
  async goToPair(a: number | undefined, b: number | undefined): Promise<void> {
    const na = a ?? (b !== undefined ? this.sides[1].nodes[b] : -1) ?? -1;
    const nb = b ?? (a !== undefined ? this.sides[0].nodes[a] : -1) ?? -1;
    await this.drive(async () => {
      const jobs: Promise<void>[] = [];
      if (na >= 0) jobs.push(this.a.reveal(na, b !== undefined));
      if (nb >= 0) jobs.push(this.b.reveal(nb));
      if (na < 0) this.a.select(undefined, true);
      if (nb < 0) this.b.select(undefined, true);
      await Promise.all(jobs);
    });
    this.drive(() => this.syncExpansion(nb >= 0 ? 1 : 0));
    await Promise.all([this.a.idle(), this.b.idle()]);
    this.centre(
      na >= 0 ? `n${na}` : undefined,
      nb >= 0 ? `n${nb}` : undefined,
      Math.max(this.b.canvas.t.k, 0.5),
    );
  }

  /** Removes the links (the page shows another model). */
  dispose(): void {
    this.a.link = undefined;
    this.b.link = undefined;
  }

  private linkFor(from: 0 | 1): ViewerLink {
    return {
      selected: (key) => {
        if (!this.driving) this.following = this.follow(from, key);
      },
      expanded: (anchor) => {
        if (!this.driving) this.drive(() => this.syncExpansion(from, anchor));
      },
      moved: () => {
        if (!this.driving && this.syncView) this.drive(() => this.follower(from));
      },
      goToPair: (a, b) => {
        this.following = this.goToPair(a, b);
      },
    };
  }

  /** Runs `task` with the other pane's callbacks muted (synchronous part only). */
  private drive<T>(task: () => T): T {
    const was = this.driving;
    this.driving = true;
    try {
      return task();
    } finally {
      this.driving = was;
    }
  }

  /**
   * Gives the other pane the counterparts of pane `from`'s expanded groups; the counterpart
   * of `anchor` (the toggled group) stays still there, as the toggled one does here.
   */
  private syncExpansion(from: 0 | 1, anchor?: string): void {
    const side = this.sides[from];
    const other = this.sides[1 - from]!;
    const open = new Set<number>();
    for (const g of side.viewer.expanded) {
      for (let t = side.groups[g]!; t > 0; t = other.viewer.hier.groups[t]!.parent) open.add(t);
    }
    // Groups of the other pane without a counterpart (added blocks) keep their state.
    for (const g of other.viewer.expanded) if (other.groups[g]! < 0) open.add(g);
    const same =
      open.size === other.viewer.expanded.size && [...open].every((g) => other.viewer.expanded.has(g));
    const still = anchor === undefined ? undefined : this.counterpart(from, anchor);
    if (!same) void other.viewer.setExpanded(open, still);
  }

  /** The user selected `key` in pane `from`: select and centre its counterpart in the other. */
  private async follow(from: 0 | 1, key: string | undefined): Promise<void> {
    const other = this.sides[1 - from]!.viewer;
    const target = key === undefined ? undefined : this.counterpart(from, key);
    if (target === undefined) {
      other.select(undefined, true);
      return;
    }
    const item = parseKey(target);
    await this.drive(() =>
      item.kind === 'node' ? other.reveal(item.index, true) : other.revealGroup(item.index, true),
    );
    await Promise.all([this.a.idle(), this.b.idle()]);
    const here = this.sides[from].viewer;
    if (!this.syncView) this.drive(() => other.centerKey(target));
    else if (item.kind === 'node') {
      // A node: both panes centre on the pair, at the zoom of the pane clicked.
      this.centre(from === 0 ? key : target, from === 0 ? target : key, here.canvas.t.k);
    } else {
      // A group (often being expanded): the counterpart goes where the clicked one is.
      const h = here.boxCenter(key!);
      const c = other.boxCenter(target);
      if (h && c) {
        const t = here.canvas.t;
        this.drive(() =>
          other.canvas.setTransform({
            k: t.k,
            tx: h.x * t.k + t.tx - c.x * t.k,
            ty: h.y * t.k + t.ty - c.y * t.k,
          }),
        );
        this.realign();
      }
    }
  }

  /** Centres pane A on `keyA` and B on `keyB` (each when given) at zoom `k`, then re-aligns. */
  private centre(keyA: string | undefined, keyB: string | undefined, k: number): void {
    this.drive(() => {
      for (const [v, key] of [
        [this.a, keyA],
        [this.b, keyB],
      ] as const) {
        const c = key === undefined ? undefined : v.boxCenter(key);
        if (!c) continue;
        const { width, height } = v.canvas.size();
        v.canvas.setTransform({ k, tx: width / 2 - c.x * k, ty: height / 2 - c.y * k });
      }
    });
    this.realign();
  }

  /** Takes the panes' current positions as the aligned ones (same zoom, B's offset kept). */
  private realign(): void {
    const ta = this.a.canvas.t;
    const tb = this.b.canvas.t;
    this.drive(() => this.a.canvas.setTransform({ k: tb.k, tx: ta.tx, ty: ta.ty }));
    const k = tb.k;
    this.offset = { x: (ta.tx - tb.tx) / k, y: (ta.ty - tb.ty) / k };
  }

  /** Moves the other pane after pane `from` moved, keeping the world offset. */
  private follower(from: 0 | 1): void {
    const t = this.sides[from].viewer.canvas.t;
    const sign = from === 0 ? -1 : 1;
    const other = this.sides[1 - from]!.viewer;
    other.canvas.setTransform({
      k: t.k,
      tx: t.tx + sign * this.offset.x * t.k,
      ty: t.ty + sign * this.offset.y * t.k,
    });
  }
}
