/**
 * The viewer page as HTML and its static assets (issue 6). Two shapes:
 * - {@link viewerPageHtml}: a page with no inline script (a strict `script-src 'self'` CSP works),
 *   loading `viewer.js`/`viewer.css`/`viewer-worker.js` from `assetBase` and the model from `modelUrl`.
 * - {@link viewerStandaloneHtml}: one self-contained file (inline script and style, the worker
 *   created from a Blob, the view graph embedded as JSON) that works from disk.
 * Assets are the esbuild bundles of `src/viewer/web/` in `dist/viewer/web/` (scripts/build-web.mjs).
 */
import { readFile } from 'node:fs/promises';
import { PdsegError } from '../errors.js';
import type { ViewGraph } from './model.js';

/** A static file of the viewer. */
export interface ViewerAsset {
  contentType: string;
  body: Uint8Array;
}

/** Names of the built asset files, with their content types. */
const ASSET_FILES: ReadonlyArray<readonly [string, string]> = [
  ['viewer.js', 'text/javascript; charset=utf-8'],
  ['viewer-worker.js', 'text/javascript; charset=utf-8'],
  ['viewer.css', 'text/css; charset=utf-8'],
];

/** Folder of the built bundles; the same relative path from `src/viewer/` and `dist/viewer/`. */
function assetDir(): URL {
  return new URL('../../dist/viewer/web/', import.meta.url);
}

/**
 * The built viewer assets keyed by file name (`viewer.js`, `viewer-worker.js`, `viewer.css`);
 * serve them under the `assetBase` given to {@link viewerPageHtml}.
 */
export async function viewerAssets(): Promise<Map<string, ViewerAsset>> {
  const out = new Map<string, ViewerAsset>();
  for (const [name, contentType] of ASSET_FILES) {
    const url = new URL(name, assetDir());
    try {
      out.set(name, { contentType, body: new Uint8Array(await readFile(url)) });
    } catch (e) {
      throw new PdsegError(
        'IO',
        `viewer asset '${url.pathname}' is missing; run 'npm run build' (it bundles src/viewer/web)`,
        { cause: e },
      );
    }
  }
  return out;
}

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The page's static markup (toolbar, canvas, sidebar), shared by both page shapes. */
function bodyMarkup(): string {
  return `<div id="app">
<header id="toolbar">
  <span class="brand">pdseg <b>graph</b></span>
  <nav id="breadcrumb" aria-label="focus"></nav>
  <div class="spacer"></div>
  <div class="search"><input id="search" type="search" placeholder="Search nodes, ops, tensors  (/)" autocomplete="off" spellcheck="false"><ol id="results" hidden></ol></div>
  <button id="btn-autogroup" title="Group a graph without scopes into blocks and stages (dominator regions)" hidden>Auto-group</button>
  <button id="btn-source" title="Show or hide the source pane" hidden>Source</button>
  <button id="btn-compare-mode" title="Compare in two panes (A | B) or in one graph with the differences marked" hidden>Single view</button>
  <button id="btn-sync" class="on" title="Pan and zoom the two panes together" hidden>Sync view ✓</button>
  <button id="btn-expand" title="Expand all (E)">Expand all</button>
  <button id="btn-collapse" title="Collapse all (C)">Collapse all</button>
  <button id="btn-fit" title="Fit to view (F)">Fit</button>
  <button id="btn-svg" title="Export SVG">SVG</button>
  <button id="btn-png" title="Export PNG">PNG</button>
  <button id="btn-open" title="Open another model">Open…</button>
  <input id="file" type="file" hidden>
</header>
<main id="stage"><svg id="canvas-a" xmlns="http://www.w3.org/2000/svg"></svg><svg id="canvas" xmlns="http://www.w3.org/2000/svg"><g id="viewport"></g></svg>
<div id="status" role="status"></div>
<div id="status-a" class="pane-status" role="status"></div>
<div id="label-a" class="pane-label"></div>
<div id="label-b" class="pane-label"></div>
<div id="message" hidden></div>
<div id="drop" hidden>Drop an ONNX or Paddle model to open it</div>
<div id="choice" role="dialog" hidden></div>
</main>
<aside id="source" aria-label="source"></aside>
<aside id="sidebar"><div id="sidebar-empty">Select a node to see its details.<br><br><kbd>click</kbd> a group to expand it · <kbd>dbl-click</kbd> to collapse · <kbd>/</kbd> search · <kbd>F</kbd> fit · arrow keys to walk edges</div><div id="details"></div></aside>
</div>`;
}

/** Options of {@link viewerPageHtml}. */
export interface ViewerPageOptions {
  /** URL the page fetches: ONNX/Paddle bytes, or a `ViewGraph` as `application/json`. */
  modelUrl?: string;
  title?: string;
  /** URL prefix of the assets from {@link viewerAssets}; default `/viewer`. */
  assetBase?: string;
}

/** The viewer page with no inline script or style; works under `script-src 'self'`. */
export function viewerPageHtml(options: ViewerPageOptions = {}): string {
  const base = (options.assetBase ?? '/viewer').replace(/\/$/, '');
  const title = escapeHtml(options.title ?? 'pdseg graph');
  const model = options.modelUrl ? ` data-model-url="${escapeHtml(options.modelUrl)}"` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="${escapeHtml(`${base}/viewer.css`)}"></head>
<body${model} data-worker-url="${escapeHtml(`${base}/viewer-worker.js`)}">
${bodyMarkup()}
<script src="${escapeHtml(`${base}/viewer.js`)}"></script>
</body></html>
`;
}

/** Makes text safe inside a `<script>` element: no `</script`, no `<!--`. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Options of {@link viewerStandaloneHtml}. */
export interface StandaloneOptions {
  graph: ViewGraph;
  title?: string;
  /** File name shown in the breadcrumb and sidebar. */
  fileName?: string;
}

/** One self-contained HTML file showing `graph`; needs no server and no network. */
export async function viewerStandaloneHtml(options: StandaloneOptions): Promise<string> {
  const assets = await viewerAssets();
  const text = (name: string) => new TextDecoder().decode(assets.get(name)!.body);
  // JSON with every '<' escaped cannot close the script element or open a comment.
  const json = JSON.stringify(options.graph).replace(/</g, '\\u003c');
  const title = escapeHtml(options.title ?? `${options.graph.name || 'model'} · pdseg graph`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${text('viewer.css').replace(/<\/(style)/gi, '<\\/$1')}</style></head>
<body data-model-name="${escapeHtml(options.fileName ?? options.graph.name)}">
${bodyMarkup()}
<script type="application/json" id="pdseg-model">${json}</script>
<script type="text/x-pdseg-worker" id="pdseg-worker">${scriptSafe(text('viewer-worker.js'))}</script>
<script>${scriptSafe(text('viewer.js'))}</script>
</body></html>
`;
}
