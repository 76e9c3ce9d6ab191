/**
 * Page entry (issue 6): finds the model (embedded JSON in `--html` files, `data-model-url`
 * on a served page, or a file the user drops/picks), starts the layout worker and the viewer,
 * and binds the toolbar and keyboard. Failures are shown as a message, never a blank page.
 */
import { openModel } from '../adapters/index.js';
import type { LayoutRequest, LayoutResult } from '../layout-engine.js';
import type { ViewGraph } from '../model.js';
import { clear, h } from './dom.js';
import { type LayoutRunner, Viewer, type ViewerUi } from './view.js';
import type { LayoutJob, LayoutReply } from './worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Starts the layout worker: from the inline source in standalone files, else from its URL. */
function startWorker(): LayoutRunner {
  const inline = document.getElementById('pdseg-worker');
  let worker: Worker;
  if (inline) {
    const url = URL.createObjectURL(new Blob([inline.textContent ?? ''], { type: 'text/javascript' }));
    worker = new Worker(url);
  } else {
    worker = new Worker(document.body.dataset.workerUrl ?? 'viewer-worker.js');
  }
  let next = 1;
  const pending = new Map<number, { resolve: (r: LayoutResult[]) => void; reject: (e: Error) => void }>();
  worker.onmessage = (e: MessageEvent<LayoutReply>) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if ('error' in e.data) p.reject(new Error(`layout failed: ${e.data.error}`));
    else p.resolve(e.data.results);
  };
  worker.onerror = (e) => {
    for (const p of pending.values()) p.reject(new Error(`layout worker failed: ${e.message}`));
    pending.clear();
  };
  return (requests: LayoutRequest[]) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, requests } satisfies LayoutJob);
    });
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
  };
  ui.svg.classList.add('graph');
  const message = $('message');
  const run = startWorker();
  let viewer: Viewer | undefined;
  const hooks: Hooks = {
    state: 'loading',
    open: (bytes, name) => openBytes(bytes, name),
    expandPath: async (path) => {
      const g = viewer?.groupByPath(path);
      if (g === undefined || !viewer) throw new Error(`no group '${path}'`);
      return hooks.expandGroup(g);
    },
    expandGroup: async (id) => {
      if (!viewer) throw new Error('no model is open');
      const t0 = performance.now();
      await viewer.expand(id);
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

  const show = async (graph: ViewGraph, name: string) => {
    message.hidden = true;
    $('drop').hidden = true;
    viewer = new Viewer(ui, graph, name, run);
    hooks.viewer = viewer;
    document.title = `${name || graph.name || 'model'} · pdseg graph`;
    await viewer.relayout();
    viewer.canvas.initialView();
    viewer.select(undefined);
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    hooks.firstDrawMs ??= performance.now();
    document.body.dataset.firstDraw = String(Math.round(hooks.firstDrawMs));
    setState('ready');
  };

  async function openBytes(bytes: Uint8Array, name: string): Promise<void> {
    setState('loading');
    let graph: ViewGraph;
    try {
      graph = openModel(bytes, name).graph;
    } catch (e) {
      fail(`Cannot open ${name}`, e instanceof Error ? e.message : String(e));
      return;
    }
    try {
      await show(graph, name);
    } catch (e) {
      fail(`Cannot show ${name}`, e instanceof Error ? e.message : String(e));
    }
  }

  const openFile = async (file: File) => openBytes(new Uint8Array(await file.arrayBuffer()), file.name);

  // Toolbar.
  $('btn-expand').addEventListener('click', () => void viewer?.expandAll());
  $('btn-collapse').addEventListener('click', () => void viewer?.collapseAll());
  $('btn-fit').addEventListener('click', () => viewer?.canvas.fit());
  $('btn-svg').addEventListener('click', () => viewer?.downloadSvg());
  $('btn-png').addEventListener('click', () => void viewer?.downloadPng());
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
    if (f) void openFile(f);
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
