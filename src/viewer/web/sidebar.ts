/**
 * The details sidebar (issue 6): op type, description, name, scope, source frames,
 * attributes, inputs/outputs with shapes and weight statistics. All model text goes through
 * `textContent`.
 */

import { tensorLabel } from '../group-edges.js';
import type { Hierarchy } from '../hierarchy.js';
import type { ViewAttrValue, ViewGraph, ViewNode, ViewTensor, ViewTensorSummary } from '../model.js';
import { opCategory } from '../op-category.js';
import { describeOp } from '../op-descriptions.js';
import { bytes, clear, compact, h, num } from './dom.js';

/** Actions the sidebar can trigger. */
export interface SidebarActions {
  /** Reveal and select a node. */
  goToNode(node: number): void;
  /** Select a group. */
  goToGroup(group: number): void;
}

function section(root: HTMLElement, title: string): HTMLElement {
  const sec = h('section', 'sec');
  sec.appendChild(h('h3', undefined, title));
  root.appendChild(sec);
  return sec;
}

function row(parent: HTMLElement, key: string, value: string | HTMLElement, cls?: string): void {
  const r = h('div', `row${cls ? ` ${cls}` : ''}`);
  r.appendChild(h('span', 'k', key));
  const v = typeof value === 'string' ? h('span', 'v', value) : value;
  v.classList.add('v');
  r.appendChild(v);
  parent.appendChild(r);
}

/** True for frames inside installed packages (shown after the model's own code). */
function isLibrary(file: string): boolean {
  return /[\\/](site|dist)-packages[\\/]|node_modules[\\/]/.test(file);
}

/** Long paths (absolute ones from another machine) shortened to their last three segments. */
function shortPath(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.length > 4 ? `…/${parts.slice(-3).join('/')}` : file;
}

/** Formats an attribute value. */
export function attrText(v: ViewAttrValue, node?: ViewNode): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'number' ? num(x) : String(x))).join(', ')}]`;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'object' && v !== null) {
    if ('tensor' in v) return summaryText(v.tensor);
    const sub = node?.subgraphs?.[v.graph];
    return `subgraph '${sub?.name ?? v.graph}' (${sub?.nodes.length ?? 0} nodes)`;
  }
  return String(v);
}

function summaryText(t: ViewTensorSummary): string {
  return `${t.dtype}[${t.dims.join('×')}]${t.head ? ` = ${t.head.slice(0, 4).map(num).join(', ')}${t.head.length > 4 ? ', …' : ''}` : ''}`;
}

function weightBlock(t: ViewTensorSummary): HTMLElement {
  const box = h('div', 'weight');
  const n = t.dims.reduce((a, d) => a * d, 1);
  box.appendChild(
    h('div', 'wshape', `${t.dtype} [${t.dims.join(', ')}] · ${compact(n)} values · ${bytes(t.byteLength)}`),
  );
  if (t.min !== undefined) {
    const stats = h('div', 'wstats');
    for (const [k, v] of [
      ['min', t.min],
      ['max', t.max!],
      ['mean', t.mean!],
    ] as const) {
      const cell = h('span', 'stat');
      cell.appendChild(h('b', undefined, k));
      cell.appendChild(document.createTextNode(` ${num(v)}`));
      stats.appendChild(cell);
    }
    box.appendChild(stats);
  }
  if (t.head && t.head.length > 0) {
    box.appendChild(
      h(
        'div',
        'whead',
        `${t.head.slice(0, 16).map(num).join(', ')}${n > Math.min(16, t.head.length) ? ', …' : ''}`,
      ),
    );
    if (t.head.length > 16) {
      // `pdseg graph --with-weights` embeds every value: show them on request, at most 10,000.
      const more = h(
        'a',
        'wmore',
        `show ${t.head.length > 10_000 ? 'the first 10,000' : `all ${t.head.length}`} values`,
      );
      more.href = '#';
      more.addEventListener('click', (e) => {
        e.preventDefault();
        more.replaceWith(h('pre', 'wall', t.head!.slice(0, 10_000).map(num).join(', ')));
      });
      box.appendChild(more);
    }
  } else if (t.min === undefined) {
    box.appendChild(h('div', 'wnote', 'values not loaded (open with the weights beside the model)'));
  }
  return box;
}

function tensorRow(
  parent: HTMLElement,
  graph: ViewGraph,
  name: string,
  role: 'in' | 'out',
  actions: SidebarActions,
): void {
  const t: ViewTensor | undefined = graph.tensors[name];
  const item = h('div', 'tensor');
  const head = h('div', 'tname');
  const link = h('a', undefined, name || '(none)');
  link.href = '#';
  const target = role === 'in' ? t?.producer : t?.consumers[0];
  link.addEventListener('click', (e) => {
    e.preventDefault();
    if (target !== undefined) actions.goToNode(target);
  });
  head.appendChild(t?.initializer ? h('span', 'badge w', 'weight') : h('span', `badge ${role}`, role));
  head.appendChild(target !== undefined ? link : h('span', undefined, name));
  item.appendChild(head);
  const label = tensorLabel(t);
  if (label && !t?.initializer) item.appendChild(h('div', 'tshape', label));
  if (t?.initializer) item.appendChild(weightBlock(t.initializer));
  parent.appendChild(item);
}

/** Shows an op node. */
export function showNode(
  root: HTMLElement,
  graph: ViewGraph,
  hier: Hierarchy,
  node: ViewNode,
  actions: SidebarActions,
): void {
  clear(root);
  const head = h('div', `head ${opCategory(node.opType)}`);
  head.appendChild(h('div', 'optype', node.opType));
  if (node.domain) head.appendChild(h('div', 'domain', node.domain));
  const desc = describeOp(node.opType, graph.format);
  if (desc) head.appendChild(h('div', 'desc', desc));
  root.appendChild(head);
  const props = section(root, 'Node');
  row(props, 'name', node.name, 'mono');
  if (node.scope.length > 0) {
    const crumbs = h('span', 'crumbs');
    let g = hier.nodeGroup[node.id]!;
    const chain: number[] = [];
    for (; g > 0; g = hier.groups[g]!.parent) chain.unshift(g);
    chain.forEach((id, i) => {
      if (i > 0) crumbs.appendChild(h('span', 'sep', '/'));
      const a = h('a', undefined, hier.groups[id]!.name);
      a.href = '#';
      a.addEventListener('click', (e) => {
        e.preventDefault();
        actions.goToGroup(id);
      });
      crumbs.appendChild(a);
    });
    row(props, 'scope', crumbs);
  }
  if (node.source && node.source.length > 0) {
    const src = h('div', 'frames');
    // The model's own code first; framework internals (site-packages) after it.
    const frames = [...node.source].sort((a, b) => Number(isLibrary(a.file)) - Number(isLibrary(b.file)));
    for (const f of frames.slice(0, 8)) {
      const text = `${shortPath(f.file)}:${f.line}${f.func ? `  ${f.func}` : ''}`;
      const line = h('div', `frame-line${isLibrary(f.file) ? ' lib' : ''}`, text);
      line.title = f.file;
      src.appendChild(line);
    }
    row(props, 'source', src);
  }
  const attrs = Object.entries(node.attributes);
  if (attrs.length > 0) {
    const sec = section(root, `Attributes (${attrs.length})`);
    for (const [k, v] of attrs) row(sec, k, attrText(v, node), 'mono');
  }
  const ins = section(root, `Inputs (${node.inputs.length})`);
  for (const name of node.inputs) tensorRow(ins, graph, name, 'in', actions);
  const outs = section(root, `Outputs (${node.outputs.length})`);
  for (const name of node.outputs) tensorRow(outs, graph, name, 'out', actions);
  if (node.subgraphs && node.subgraphs.length > 0) {
    const sec = section(root, 'Subgraphs');
    for (const sg of node.subgraphs) row(sec, sg.name || 'body', `${sg.nodes.length} nodes`);
  }
  if (node.doc) {
    const sec = section(root, 'Notes');
    sec.appendChild(h('pre', 'doc', node.doc));
  }
}

/** Shows a group: its path, size and op-type histogram. */
export function showGroup(
  root: HTMLElement,
  graph: ViewGraph,
  hier: Hierarchy,
  group: number,
  ops: number[],
): void {
  clear(root);
  const g = hier.groups[group]!;
  const head = h('div', 'head group');
  head.appendChild(h('div', 'optype', g.name));
  head.appendChild(
    h(
      'div',
      'desc',
      g.kind === 'section'
        ? 'An ordered section of a large group.'
        : g.kind === 'fold'
          ? 'Identical blocks folded into one box (same ops, attributes, edges and weight shapes).'
          : 'A scope group.',
    ),
  );
  root.appendChild(head);
  const sec = section(root, 'Group');
  row(sec, 'path', g.path.join(' / ') || '(top level)', 'mono');
  row(sec, 'ops', String(g.opCount));
  row(sec, 'children', String(g.children.length));
  const counts = new Map<string, number>();
  let params = 0;
  for (const id of ops) {
    const n = graph.nodes[id]!;
    counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
    for (const i of n.inputs) {
      const t = graph.tensors[i];
      if (t?.initializer && t.producer === undefined) params += t.initializer.dims.reduce((a, d) => a * d, 1);
    }
  }
  if (params > 0) row(sec, 'parameters', compact(params));
  const hist = section(root, 'Op types');
  for (const [op, c] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12)) row(hist, op, String(c));
}

/** Shows a graph input/output marker. */
export function showIo(
  root: HTMLElement,
  graph: ViewGraph,
  role: string,
  tensor: string,
  actions: SidebarActions,
): void {
  clear(root);
  const head = h('div', 'head io');
  head.appendChild(h('div', 'optype', role === 'input' ? 'Graph input' : 'Graph output'));
  root.appendChild(head);
  const sec = section(root, 'Tensor');
  tensorRow(sec, graph, tensor, role === 'input' ? 'out' : 'in', actions);
}

/** Shows the model overview (nothing selected). */
export function showModel(root: HTMLElement, graph: ViewGraph, fileName: string): void {
  clear(root);
  const head = h('div', 'head model');
  head.appendChild(h('div', 'optype', fileName || graph.name || 'model'));
  head.appendChild(
    h('div', 'desc', `${graph.format}${graph.formatVersion ? ` · ${graph.formatVersion}` : ''}`),
  );
  root.appendChild(head);
  const sec = section(root, 'Model');
  row(sec, 'graph', graph.name || '(unnamed)', 'mono');
  row(sec, 'ops', String(graph.nodes.length));
  let weights = 0;
  let wbytes = 0;
  for (const t of Object.values(graph.tensors)) {
    if (t.initializer && t.producer === undefined) {
      weights += t.initializer.dims.reduce((a, d) => a * d, 1);
      wbytes += t.initializer.byteLength;
    }
  }
  if (weights > 0) row(sec, 'weights', `${compact(weights)} (${bytes(wbytes)})`);
  for (const name of graph.inputs) row(sec, 'input', `${name}  ${tensorLabel(graph.tensors[name])}`, 'mono');
  for (const name of graph.outputs)
    row(sec, 'output', `${name}  ${tensorLabel(graph.tensors[name])}`, 'mono');
  const md = Object.entries(graph.metadata);
  if (md.length > 0) {
    const m = section(root, 'Metadata');
    for (const [k, v] of md) row(m, k, v, 'mono');
  }
  root.appendChild(h('p', 'hint', 'Click a group to expand it, a node to inspect it. Press / to search.'));
}
