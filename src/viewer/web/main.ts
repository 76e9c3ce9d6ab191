/**
 * Page entry (issue 6): finds the model (embedded JSON in `--html` files, `data-model-url`
 * on a served page, or a file the user drops/picks), starts the layout worker and the viewer,
 * and binds the toolbar and keyboard. Failures are shown as a message, never a blank page.
 */
import { openModel } from '../adapters/index.js';
import type { LayoutRequest, LayoutResult } from '../layout-engine.js';
import type { ViewGraph } from '../model.js';
import { SideBySide } from './compare-view.js';
import { clear, h } from './dom.js';
import { type LayoutRunner, Viewer, type ViewerUi } from './view.js';
import type { AnalysisJob, AnalysisRequest, AnalysisResults, LayoutJob, LayoutReply } from './worker.js';

/** Runs an analysis task in the worker. */
type Analyse = <R extends AnalysisRequest>(job: R) => Promise<AnalysisResults[R['task']]>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Starts the layout worker: from the inline source in standalone files, else from its URL. */
function startWorker(): { run: LayoutRunner; analyse: Analyse } {
  const inline = document.getElementById('pdseg-worker');
  let worker: Worker;
  if (inline) {
    const url = URL.createObjectURL(new Blob([inline.textContent ?? ''], { type: 'text/javascript' }));
    worker = new Worker(url);
  } else {
    worker = new Worker(document.body.dataset.workerUrl ?? 'viewer-worker.js');
  }
  let next = 1;
  const pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  worker.onmessage = (e: MessageEvent<LayoutReply>) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if ('error' in e.data) p.reject(new Error(`worker failed: ${e.data.error}`));
    else p.resolve(('results' in e.data ? e.data.results : e.data.result) as never);
  };
  worker.onerror = (e) => {
    for (const p of pending.values()) p.reject(new Error(`layout worker failed: ${e.message}`));
    pending.clear();
  };
  const run: LayoutRunner = (requests: LayoutRequest[]) =>
    new Promise<LayoutResult[]>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, requests } satisfies LayoutJob);
    });
  const analyse = ((job: AnalysisRequest) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id } as AnalysisJob);
    })) as Analyse;
  return { run, analyse };
}

/** Test and benchmark hooks, on `window.__pdseg`. */
interface Hooks {
  viewer?: Viewer;
  state: 'loading' | 'ready' | 'error' | 'empty';
  error?: string;
  firstDrawMs?: number;
  open(bytes: Uint8Array, name: string): Promise<void>;
  expandPath(path: string): Promise<number>;
  /** Expands a group by id and resolves to the milliseconds until the next frame. */
  expandGroup(id: number): Promise<number>;
  /** Toggles auto-group (graphs without scopes); resolves when the new view is drawn. */
  autoGroup(): Promise<void>;
  /** Opens bytes as the "after" model compared with the open one. */
  compareWith(bytes: Uint8Array, name: string): Promise<void>;
  /** Side-by-side compare: the left pane (A, before) and the link between the panes. */
  viewerA?: Viewer;
  pair?: SideBySide;
  /** Switches a comparison between two panes (`side`) and one highlighted graph (`single`). */
  setCompareMode(mode: 'side' | 'single'): Promise<void>;
  /** Resolves when every pane has drawn its queued layouts. */
  idle(): Promise<void>;
}

function main(): void {
  const ui: ViewerUi = {
    svg: document.getElementById('canvas') as unknown as SVGSVGElement,
    details: $('details'),
    empty: $('sidebar-empty'),
    breadcrumb: $('breadcrumb'),
    status: $('status'),
    search: $<HTMLInputElement>('search'),
    results: $<HTMLOListElement>('results'),
    source: $('source'),
  };
  ui.svg.classList.add('graph');
  const message = $('message');
  const { run, analyse } = startWorker();
  let viewer: Viewer | undefined;
  /** The open model as loaded (before auto-group), and its name. */
  let current: { graph: ViewGraph; name: string } | undefined;
  /** Set while auto-group is on: the graph with the synthetic scopes. */
  let grouped: ViewGraph | undefined;
  /** The side-by-side compare while one is shown, and how comparisons are shown. */
  let pair: SideBySide | undefined;
  let compareMode: 'side' | 'single' = 'side';
  const hooks: Hooks = {
    state: 'loading',
    open: (bytes, name) => openBytes(bytes, name),
    expandPath: async (path) => {
      const g = viewer?.groupByPath(path);
      if (g === undefined || !viewer) throw new Error(`no group '${path}'`);
      return hooks.expandGroup(g);
    },
    autoGroup: () => toggleAutoGroup(),
    compareWith: (bytes, name) => compareBytes(bytes, name),
    setCompareMode: (mode) => setCompareMode(mode),
    idle: async () => {
      await (pair ? pair.idle() : viewer?.idle());
    },
    expandGroup: async (id) => {
      if (!viewer) throw new Error('no model is open');
      const t0 = performance.now();
      await viewer.expand(id);
      if (pair) await pair.idle();
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      return performance.now() - t0;
    },
  };
  (window as unknown as { __pdseg: Hooks }).__pdseg = hooks;

  const setState = (s: Hooks['state']) => {
    hooks.state = s;
    document.body.dataset.state = s;
  };

  const fail = (title: string, detail: string) => {
    clear(message);
    message.appendChild(h('strong', undefined, title));
    message.appendChild(h('p', undefined, detail));
    message.appendChild(h('p', 'hint', 'Drop another file here or use Open… to choose one.'));
    message.hidden = false;
    hooks.error = detail;
    setState('error');
  };

  const show = async (graph: ViewGraph, name: string, keepOriginal = false) => {
    message.hidden = true;
    $('drop').hidden = true;
    $('choice').hidden = true;
    if (!keepOriginal) {
      current = { graph, name };
      grouped = undefined;
    }
    pair?.dispose();
    pair = undefined;
    const before = graph.compare?.beforeGraph;
    const split = before !== undefined && compareMode === 'side';
    $('stage').classList.toggle('split', split);
    const modeButton = $('btn-compare-mode');
    modeButton.hidden = before === undefined;
    modeButton.textContent = compareMode === 'side' ? 'Single view' : 'Side by side';
    $('btn-sync').hidden = !split;
    // issue 7 "Compare": A (before) in the left pane, sharing the sidebar with B.
    const viewerA =
      split && graph.compare
        ? new Viewer(
            paneUi(graph.compare.before),
            { ...before, compare: graph.compare },
            graph.compare.before,
            run,
            'before',
          )
        : undefined;
    viewer = new Viewer(ui, graph, name, run);
    hooks.viewerA = viewerA;
    const source = viewer.sourcePane !== undefined;
    $('btn-source').hidden = !source;
    $('app').classList.toggle('with-source', source && !$('btn-source').classList.contains('off'));
    const flat = current !== undefined && !current.graph.nodes.some((n) => n.scope.length > 0);
    const auto = $('btn-autogroup');
    auto.hidden = !flat;
    auto.classList.toggle('on', grouped !== undefined);
    auto.textContent = grouped !== undefined ? 'Auto-group ✓' : 'Auto-group';
    hooks.viewer = viewer;
    document.title = `${name || graph.name || 'model'} · pdseg graph`;
    if (viewerA) {
      pair = new SideBySide(viewerA, viewer);
      pair.syncView = $('btn-sync').classList.contains('on');
      $('label-a').textContent = `A · ${graph.compare?.before ?? ''}`;
      $('label-b').textContent = `B · ${name}`;
      await pair.start();
    } else {
      await viewer.relayout();
      viewer.canvas.initialView();
    }
    hooks.pair = pair;
    viewer.select(undefined);
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    hooks.firstDrawMs ??= performance.now();
    document.body.dataset.firstDraw = String(Math.round(hooks.firstDrawMs));
    setState('ready');
  };

  /** Page elements of the left pane (A): its own canvas and status; the sidebar is shared. */
  function paneUi(fileName: string): ViewerUi {
    const detached = <T extends HTMLElement>(tag: string) => document.createElement(tag) as T;
    const crumb = detached<HTMLElement>('nav');
    crumb.textContent = fileName;
    // A fresh element each time: an earlier pane's listeners stay with the old one.
    const old = document.getElementById('canvas-a')!;
    const svg = old.cloneNode(false) as unknown as SVGSVGElement;
    old.replaceWith(svg);
    svg.classList.add('graph');
    return {
      svg,
      details: ui.details,
      empty: ui.empty,
      breadcrumb: crumb,
      status: $('status-a'),
      search: detached<HTMLInputElement>('input'),
      results: detached<HTMLOListElement>('ol'),
    };
  }

  /** Shows the open comparison in two panes or as one highlighted graph. */
  async function setCompareMode(mode: 'side' | 'single'): Promise<void> {
    compareMode = mode;
    if (!current?.graph.compare) return;
    setState('loading');
    try {
      await show(current.graph, current.name, true);
    } catch (e) {
      fail('Cannot show the comparison', e instanceof Error ? e.message : String(e));
    }
  }

  /** Decodes a file and runs the first-view analysis (shapes, repeated blocks) in the worker. */
  async function decode(bytes: Uint8Array, name: string): Promise<ViewGraph | undefined> {
    try {
      return await analyse({ task: 'prepare', graph: openModel(bytes, name).graph });
    } catch (e) {
      fail(`Cannot open ${name}`, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  async function openBytes(bytes: Uint8Array, name: string): Promise<void> {
    setState('loading');
    const graph = await decode(bytes, name);
    if (!graph) return;
    try {
      await show(graph, name);
    } catch (e) {
      fail(`Cannot show ${name}`, e instanceof Error ? e.message : String(e));
    }
  }

  /** Shows `bytes` with its differences from the open model (issue 7, "Compare"). */
  async function compareBytes(bytes: Uint8Array, name: string): Promise<void> {
    const before = current;
    if (!before) return openBytes(bytes, name);
    setState('loading');
    const after = await decode(bytes, name);
    if (!after) return;
    try {
      // A model shown as a comparison is compared again as itself (not with its own before).
      const { compare: _earlier, ...beforeGraph } = before.graph;
      const compare = {
        ...(await analyse({ task: 'compare', before: beforeGraph, after, beforeName: before.name })),
        beforeGraph,
      };
      // A dropped file carries no source text: the open model's (same code, usually) stands in.
      const sources = after.sources ?? before.graph.sources;
      await show({ ...after, compare, ...(sources ? { sources } : {}) }, name);
    } catch (e) {
      fail(`Cannot compare ${name}`, e instanceof Error ? e.message : String(e));
    }
  }

  /** Auto-group on/off for graphs without scopes (issue 7, "Structure for flat graphs"). */
  async function toggleAutoGroup(): Promise<void> {
    if (!current) return;
    const base = current;
    setState('loading');
    try {
      if (grouped) {
        grouped = undefined;
        await show(base.graph, base.name, true);
        return;
      }
      const { scopes, insight } = await analyse({ task: 'autogroup', graph: base.graph });
      grouped = {
        ...base.graph,
        nodes: base.graph.nodes.map((n, i) => ({ ...n, scope: scopes[i] ?? [] })),
        insight,
      };
      await show(grouped, base.name, true);
    } catch (e) {
      fail('Auto-group failed', e instanceof Error ? e.message : String(e));
    }
  }

  const openFile = async (file: File) => {
    setState('loading');
    return openBytes(new Uint8Array(await file.arrayBuffer()), file.name);
  };

  // Toolbar.
  $('btn-expand').addEventListener('click', () => void (pair ? pair.all(true) : viewer?.expandAll()));
  $('btn-collapse').addEventListener('click', () => void (pair ? pair.all(false) : viewer?.collapseAll()));
  $('btn-fit').addEventListener('click', () => (pair ? pair.fit() : viewer?.canvas.fit()));
  $('btn-compare-mode').addEventListener(
    'click',
    () => void setCompareMode(compareMode === 'side' ? 'single' : 'side'),
  );
  $('btn-sync').addEventListener('click', () => {
    const b = $('btn-sync');
    b.classList.toggle('on');
    const on = b.classList.contains('on');
    b.textContent = on ? 'Sync view ✓' : 'Sync view';
    if (pair) pair.syncView = on;
  });
  $('btn-svg').addEventListener('click', () => viewer?.downloadSvg());
  $('btn-png').addEventListener('click', () => void viewer?.downloadPng());
  $('btn-autogroup').addEventListener('click', () => void toggleAutoGroup());
  $('btn-source').addEventListener('click', () => {
    const b = $('btn-source');
    b.classList.toggle('off');
    $('app').classList.toggle('with-source', !b.classList.contains('off'));
  });
  const picker = $<HTMLInputElement>('file');
  $('btn-open').addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    const f = picker.files?.[0];
    if (f) void openFile(f);
    picker.value = '';
  });

  // Search.
  let timer = 0;
  ui.search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => viewer?.search(ui.search.value), 80);
  });
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      viewer?.search(ui.search.value);
      (ui.results.querySelector('li.hit') as HTMLElement | null)?.click();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      (ui.results.querySelector('li.hit') as HTMLElement | null)?.focus();
    } else if (e.key === 'Escape') {
      ui.results.hidden = true;
      ui.search.blur();
    }
  });

  // Drag and drop anywhere on the page.
  const drop = $('drop');
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.hidden = false;
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) drop.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.hidden = true;
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    if (!current) {
      void openFile(f);
      return;
    }
    // A model is open: open the new one, or compare it with the open one.
    const choice = $('choice');
    clear(choice);
    choice.appendChild(h('p', undefined, `${f.name}`));
    const open = h('button', 'primary', 'Open');
    open.id = 'choice-open';
    const cmp = h('button', undefined, `Compare with ${current.name}`);
    cmp.id = 'choice-compare';
    const cancel = h('button', 'quiet', 'Cancel');
    open.addEventListener('click', () => {
      choice.hidden = true;
      void openFile(f);
    });
    cmp.addEventListener('click', () => {
      choice.hidden = true;
      setState('loading');
      void f.arrayBuffer().then((b) => compareBytes(new Uint8Array(b), f.name));
    });
    cancel.addEventListener('click', () => {
      choice.hidden = true;
    });
    choice.append(open, cmp, cancel);
    choice.hidden = false;
  });

  // Keyboard.
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.tagName === 'INPUT' || e.ctrlKey || e.metaKey || e.altKey) return;
    const v = viewer;
    const pan = 80;
    switch (e.key) {
      case '/':
        e.preventDefault();
        ui.search.focus();
        ui.search.select();
        return;
      case 'f':
        v?.canvas.fit();
        return;
      case 'e':
        void v?.expandAll();
        return;
      case 'c':
        void v?.collapseAll();
        return;
      case '+':
      case '=':
        v?.canvas.zoomAt(1.25, v.canvas.size().width / 2, v.canvas.size().height / 2);
        return;
      case '-':
        v?.canvas.zoomAt(0.8, v.canvas.size().width / 2, v.canvas.size().height / 2);
        return;
      case 'Escape':
        v?.select(undefined);
        v?.highlightNodes([]);
        return;
      case 'Enter': {
        const k = v?.selected;
        if (v && k?.startsWith('g')) void v.toggle(Number(k.slice(1)));
        return;
      }
    }
    if (!v || !e.key.startsWith('Arrow')) return;
    e.preventDefault();
    if (v.selected?.startsWith('n') && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      v.step(e.key === 'ArrowUp' ? 'up' : 'down');
      return;
    }
    const t = v.canvas.t;
    const dx = e.key === 'ArrowLeft' ? pan : e.key === 'ArrowRight' ? -pan : 0;
    const dy = e.key === 'ArrowUp' ? pan : e.key === 'ArrowDown' ? -pan : 0;
    v.canvas.setTransform({ k: t.k, tx: t.tx + dx, ty: t.ty + dy });
  });

  // Initial model.
  const embedded = document.getElementById('pdseg-model');
  const url = document.body.dataset.modelUrl;
  if (embedded) {
    let graph: ViewGraph;
    try {
      graph = JSON.parse(embedded.textContent ?? '') as ViewGraph;
    } catch (e) {
      fail('The embedded model is damaged', e instanceof Error ? e.message : String(e));
      return;
    }
    void show(graph, document.body.dataset.modelName ?? graph.name).catch((e) =>
      fail('Cannot show the model', e instanceof Error ? e.message : String(e)),
    );
  } else if (url) {
    void (async () => {
      try {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
        const name = decodeURIComponent(
          res.headers.get('x-model-name') ?? new URL(url, location.href).pathname.split('/').pop() ?? 'model',
        );
        if ((res.headers.get('content-type') ?? '').includes('application/json')) {
          await show((await res.json()) as ViewGraph, name);
        } else {
          await openBytes(new Uint8Array(await res.arrayBuffer()), name);
        }
      } catch (e) {
        fail('Cannot load the model', e instanceof Error ? e.message : String(e));
      }
    })();
  } else {
    setState('empty');
    ui.empty.hidden = false;
    // The drop zone doubles as the empty state's invitation.
    $('drop').hidden = false;
  }
}

main();
