/**
 * The source pane (issue 7, "Source pane"): the model's source files beside the graph. A
 * selected node opens its builder line and marks the enclosing function; a clicked line or a
 * function of the function tree highlights every node it built, across all its calls. Model
 * text only reaches the page through `textContent`.
 */
import {
  buildSourceIndex,
  enclosingFunction,
  type FunctionRange,
  functionRanges,
  matchSourceFile,
  nodesAtLine,
  nodesInLines,
  nodesOfFunction,
  type SourceIndex,
} from '../analysis/source-index.js';
import type { Hierarchy } from '../hierarchy.js';
import type { SourceRef, ViewGraph, ViewNode } from '../model.js';
import { clear, h } from './dom.js';
import { renderScopeTree } from './scope-tree.js';

/** What the pane asks of the viewer. */
export interface SourcePaneHooks {
  /** Highlight these nodes in the graph (empty: clear), with a description for the status line. */
  highlight(nodes: number[], what: string): void;
  /** The scope tree shown beside the function tree, and what picking a scope does. */
  scopes?: { hier: Hierarchy; pick(group: number): number[] };
}

/** One entry of the function tree: a call path prefix. */
interface FnTreeNode {
  name: string;
  children: Map<string, FnTreeNode>;
}

/** True for frames inside installed packages (not the model's own code). */
function isLibrary(file: string): boolean {
  return /[\\/](site|dist)-packages[\\/]|node_modules[\\/]/.test(file);
}

/** The source pane of one graph. */
export class SourcePane {
  readonly index: SourceIndex;
  /** True when some node has source frames (the pane has something to show). */
  readonly available: boolean;
  private readonly root: HTMLElement;
  private readonly graph: ViewGraph;
  private readonly hooks: SourcePaneHooks;
  private readonly files: string[];
  private readonly ranges = new Map<string, FunctionRange[]>();
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly foot: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private file: string | undefined;
  private tab: 'code' | 'functions' = 'code';

  constructor(root: HTMLElement, graph: ViewGraph, hooks: SourcePaneHooks) {
    this.root = root;
    this.graph = graph;
    this.hooks = hooks;
    this.index = buildSourceIndex(graph);
    const framed = Object.keys(this.index.lines);
    this.available = framed.length > 0;
    // Files with text first (the model's own code), then files known only from frames.
    const withText = Object.keys(graph.sources ?? {});
    const rest = framed.filter((f) => matchSourceFile(f, withText) === undefined);
    // Then the model's own files, framework internals (site-packages) last.
    this.files = [...withText, ...rest.filter((f) => !isLibrary(f)), ...rest.filter(isLibrary)];
    clear(root);
    this.head = h('div', 'src-head');
    const tabs = h('div', 'tabs');
    for (const [id, label] of [
      ['code', 'Code'],
      ['functions', 'Functions · scopes'],
    ] as const) {
      const b = h('button', `tab tab-${id}`, label);
      b.addEventListener('click', () => this.showTab(id));
      tabs.appendChild(b);
    }
    this.picker = h('select', 'files');
    for (const f of this.files) {
      const o = h('option', undefined, f.split(/[\\/]/).slice(-2).join('/'));
      o.value = f;
      o.title = f;
      this.picker.appendChild(o);
    }
    this.picker.addEventListener('change', () => this.openFile(this.picker.value));
    this.head.append(tabs, this.picker);
    this.body = h('div', 'src-body');
    this.foot = h('div', 'src-foot', '');
    root.append(this.head, this.body, this.foot);
    if (this.files.length > 0) this.openFile(this.files[0]!);
  }

  /** Text of a frame's file, when embedded. */
  private text(file: string): string | undefined {
    const key = matchSourceFile(file, Object.keys(this.graph.sources ?? {}));
    return key === undefined ? undefined : this.graph.sources![key];
  }

  private functionsOf(file: string): FunctionRange[] {
    let r = this.ranges.get(file);
    if (!r) {
      const text = this.text(file);
      r = text === undefined ? [] : functionRanges(text, file);
      this.ranges.set(file, r);
    }
    return r;
  }

  private showTab(tab: 'code' | 'functions'): void {
    this.tab = tab;
    this.root.dataset.tab = tab;
    if (tab === 'functions') this.renderFunctions();
    else if (this.file) this.openFile(this.file);
  }

  /** Shows a file's text with line numbers (or, without text, the lines its frames name). */
  openFile(file: string): void {
    this.tab = 'code';
    this.root.dataset.tab = 'code';
    this.file = file;
    if (this.picker.value !== file) this.picker.value = file;
    clear(this.body);
    const text = this.text(file);
    const list = h('ol', 'code');
    const framedLines = this.index.lines[matchSourceFile(file, Object.keys(this.index.lines)) ?? ''] ?? {};
    const lines =
      text !== undefined
        ? text.split('\n').map((t, i) => [i + 1, t] as const)
        : Object.keys(framedLines)
            .map(Number)
            .sort((a, b) => a - b)
            .map((n) => [n, '(source text not embedded; pdseg graph --source DIR)'] as const);
    for (const [n, t] of lines) {
      const li = h('li', framedLines[n] ? 'line built' : 'line');
      li.dataset.line = String(n);
      li.appendChild(h('span', 'ln', String(n)));
      li.appendChild(h('span', 'lt', t === '' ? ' ' : t));
      li.addEventListener('click', () => this.selectLine(file, n));
      list.appendChild(li);
    }
    this.body.appendChild(list);
  }

  /** Highlights the nodes a line built; a line that built none selects its enclosing function. */
  selectLine(file: string, line: number): void {
    let nodes = nodesAtLine(this.index, file, line);
    let what = `line ${line}`;
    if (nodes.length === 0) {
      const fn = enclosingFunction(this.functionsOf(file), line);
      if (fn) {
        nodes = nodesInLines(this.index, file, fn.start, fn.end);
        what = `${fn.name} (lines ${fn.start}–${fn.end})`;
        this.mark(fn.start, fn.end, line);
      } else this.mark(line, line, line);
    } else this.markLine(file, line);
    this.report(nodes, what);
  }

  /** Highlights every node a function built, across all its calls, and shows its definition. */
  selectFunction(name: string): void {
    const nodes = nodesOfFunction(this.index, name);
    const frame = this.frameOfFunction(name);
    if (frame && this.tab === 'code') {
      if (this.file === undefined || matchSourceFile(frame.file, [this.file]) === undefined)
        this.openFile(this.fileKey(frame.file));
      const fn = this.functionsOf(frame.file).find((r) => r.name === name);
      if (fn) this.mark(fn.start, fn.end, fn.start);
    }
    this.report(nodes, name);
  }

  /**
   * Shows a selected node's builder line and its enclosing function; `switchTab` false keeps the
   * function/scope trees open (a scope picked there) and only updates the status line.
   */
  showNode(node: ViewNode, switchTab = true): void {
    const frames = node.source ?? [];
    const frame =
      frames.find((f) => !isLibrary(f.file) && this.text(f.file) !== undefined) ??
      frames.find((f) => !isLibrary(f.file)) ??
      frames[0];
    if (!frame) {
      this.foot.textContent = 'No source location for this node.';
      return;
    }
    if (this.tab !== 'code') {
      if (!switchTab) {
        this.foot.textContent = `${node.name}: ${frame.file}:${frame.line}`;
        return;
      }
      this.showTab('code');
    }
    this.openFile(this.fileKey(frame.file));
    this.markLine(frame.file, frame.line);
    const fn = frame.func ?? enclosingFunction(this.functionsOf(frame.file), frame.line)?.name;
    this.foot.textContent = `${node.name}: ${frame.file}:${frame.line}${fn ? ` in ${fn}` : ''}`;
  }

  private fileKey(file: string): string {
    return matchSourceFile(file, this.files) ?? file;
  }

  private frameOfFunction(name: string): SourceRef | undefined {
    for (const id of this.index.functions[name] ?? []) {
      const f = this.graph.nodes[id]!.source?.find((s) => s.func === name);
      if (f) return f;
    }
    return undefined;
  }

  /** Marks a line and its enclosing function. */
  private markLine(file: string, line: number): void {
    const fn = enclosingFunction(this.functionsOf(file), line);
    this.mark(fn?.start ?? line, fn?.end ?? line, line);
  }

  private mark(from: number, to: number, line: number): void {
    for (const el of this.body.querySelectorAll('.line.hl, .line.fn')) el.classList.remove('hl', 'fn');
    let target: HTMLElement | undefined;
    for (const el of this.body.querySelectorAll<HTMLElement>('.line')) {
      const n = Number(el.dataset.line);
      if (n >= from && n <= to) el.classList.add('fn');
      if (n === line) {
        el.classList.add('hl');
        target = el;
      }
    }
    target?.scrollIntoView({ block: 'center' });
  }

  private report(nodes: number[], what: string): void {
    this.foot.textContent =
      nodes.length === 0
        ? `${what} built no op`
        : `${what} built ${nodes.length} op${nodes.length === 1 ? '' : 's'}`;
    this.hooks.highlight(nodes, what);
  }

  /**
   * The function tree: files, then the call paths of the graph's nodes in them, outermost
   * first (a function called from another one nests under it).
   */
  private renderFunctions(): void {
    clear(this.body);
    const top: FnTreeNode = { name: '', children: new Map() };
    this.graph.nodes.forEach((node) => {
      // The model's own frames (framework internals such as Paddle's append_op left out).
      const all = node.source ?? [];
      const own = all.filter((f) => !isLibrary(f.file));
      const frames = own.length > 0 ? own : all;
      const outer = frames.at(-1);
      if (!outer) return;
      const file = this.fileKey(outer.file);
      let fileNode = top.children.get(`\u0000${file}`);
      if (!fileNode) {
        fileNode = { name: file, children: new Map() };
        top.children.set(`\u0000${file}`, fileNode);
      }
      let at: FnTreeNode = fileNode;
      for (const name of frames.map((f) => f.func ?? `${f.file}:${f.line}`).reverse()) {
        let next: FnTreeNode | undefined = at.children.get(name);
        if (!next) {
          next = { name, children: new Map() };
          at.children.set(name, next);
        }
        at = next;
      }
    });
    const list = h('ul', 'ftree');
    // Iterative: a work list of (tree node, parent element).
    const work: Array<[FnTreeNode, HTMLElement]> = [...top.children.values()].map((c) => [c, list]);
    while (work.length > 0) {
      const [node, parent] = work.shift()!;
      if (parent === list) {
        // A file.
        const li = h('li', 'fn-file', node.name);
        const sub = h('ul', undefined);
        li.appendChild(sub);
        parent.appendChild(li);
        for (const c of node.children.values()) work.push([c, sub]);
        continue;
      }
      const li = h('li', 'fn-item');
      const a = h('a', 'fn-name', node.name);
      a.href = '#';
      a.dataset.fn = node.name;
      const count = this.index.functions[node.name]?.length ?? 0;
      a.addEventListener('click', (e) => {
        e.preventDefault();
        for (const x of this.body.querySelectorAll('.fn-name.on')) x.classList.remove('on');
        a.classList.add('on');
        this.selectFunction(node.name);
      });
      li.append(a, h('span', 'fn-count', count > 0 ? String(count) : ''));
      parent.appendChild(li);
      if (node.children.size > 0) {
        const sub = h('ul', undefined);
        li.appendChild(sub);
        for (const c of node.children.values()) work.push([c, sub]);
      }
    }
    const scopes = this.hooks.scopes;
    if (!scopes) {
      this.body.appendChild(list);
      return;
    }
    // Side by side: the scope tree (the graph's groups) and the function tree.
    const cols = h('div', 'trees');
    const left = h('div', 'tree-col');
    left.appendChild(h('div', 'tree-title', 'Scopes'));
    renderScopeTree(left, scopes.hier, (g) => {
      const ops = new Set(scopes.pick(g));
      // Mark the functions that built the scope's ops.
      for (const a of this.body.querySelectorAll<HTMLElement>('.fn-name')) {
        const built = this.index.functions[a.dataset.fn ?? '']?.some((n) => ops.has(n)) ?? false;
        a.classList.toggle('built', built);
      }
    });
    const right = h('div', 'tree-col');
    right.appendChild(h('div', 'tree-title', 'Functions'));
    right.appendChild(list);
    cols.append(left, right);
    this.body.appendChild(cols);
  }
}
