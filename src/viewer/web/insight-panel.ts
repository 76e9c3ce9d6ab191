/**
 * Sidebar sections for the analysis (issue 7): repeated-block stages of a scope ("res2a–res2c:
 * bottleneck (projection) + bottleneck (identity) × 2"), the family a block belongs to with the
 * attributes that differ between its variants, and the comparison with an earlier model.
 */
import type { Hierarchy } from '../hierarchy.js';
import type { ViewCompare, ViewInsight } from '../model.js';
import { h } from './dom.js';

/** Actions of the panels. */
export interface InsightActions {
  goToNode(node: number): void;
  /** Select a group by its `'/'`-joined scope key. */
  goToKey(key: string): void;
  /** Side-by-side compare: shows a difference in both panes (node in A, node in B). */
  goToPair?(a: number | undefined, b: number | undefined): void;
}

function section(root: HTMLElement, title: string, cls: string): HTMLElement {
  const sec = h('section', `sec ${cls}`);
  sec.appendChild(h('h3', undefined, title));
  root.appendChild(sec);
  return sec;
}

function last(key: string): string {
  return key.split('/').pop() ?? key;
}

function keyLink(key: string, text: string, actions: InsightActions): HTMLElement {
  const a = h('a', undefined, text);
  a.href = '#';
  a.addEventListener('click', (e) => {
    e.preventDefault();
    actions.goToKey(key);
  });
  return a;
}

/** Adds the repeated-block and family sections of scope group `group` (nothing when none apply). */
export function showGroupInsight(
  root: HTMLElement,
  insight: ViewInsight | undefined,
  hier: Hierarchy,
  group: number,
  actions: InsightActions,
): void {
  if (!insight) return;
  const g = hier.groups[group]!;
  const key = g.kind === 'fold' ? '' : g.path.join('/');
  const stages =
    g.kind === 'fold'
      ? []
      : (insight.stages.find((s) => s.parent === key)?.stages ?? []).filter((s) => s.members.length > 1);
  if (stages.length > 0) {
    const sec = section(
      root,
      `Repeated blocks (${stages.length} stage${stages.length === 1 ? '' : 's'})`,
      'stages',
    );
    for (const st of stages) {
      const item = h('div', 'stage');
      item.dataset.count = String(st.members.length);
      const head = h('div', 'stage-head');
      head.appendChild(keyLink(st.members[0]!, last(st.members[0]!), actions));
      head.appendChild(document.createTextNode('–'));
      head.appendChild(keyLink(st.members.at(-1)!, last(st.members.at(-1)!), actions));
      head.appendChild(h('span', 'stage-count', `${st.members.length} blocks`));
      item.appendChild(head);
      item.appendChild(h('div', 'stage-label', st.label));
      sec.appendChild(item);
    }
  }
  // The stage and family a block belongs to.
  const member = g.kind === 'fold' ? hier.groups[g.children[0]!.index]!.path.join('/') : key;
  for (const p of insight.stages) {
    const st = p.stages.find((s) => s.members.includes(member));
    if (!st || st.members.length < 2) continue;
    const sec = section(root, 'Stage', 'stage-of');
    sec.appendChild(h('div', 'stage-label', st.label));
    const run = st.runs.find((r) => r.members.includes(member));
    if (run)
      sec.appendChild(h('div', 'hint', `this block: ${run.label}, ${st.members.length} blocks in the stage`));
  }
  for (const f of insight.families) {
    const variant = f.variants.findIndex((v) => v.includes(member));
    if (variant < 0) continue;
    const sec = section(root, `Family: ${f.label} (${f.variants.length} variants)`, 'family');
    f.variants.forEach((v, i) => {
      const row = h('div', `variant${i === variant ? ' current' : ''}`);
      row.appendChild(h('span', 'vi', `v${i + 1}`));
      v.slice(0, 6).forEach((k, j) => {
        if (j > 0) row.appendChild(document.createTextNode(', '));
        row.appendChild(keyLink(k, last(k), actions));
      });
      if (v.length > 6) row.appendChild(document.createTextNode(`, … (${v.length})`));
      sec.appendChild(row);
    });
    const diff = h('table', 'family-diff');
    for (const d of f.differences.slice(0, 20)) {
      const tr = h('tr');
      tr.appendChild(h('td', 'mono', `${d.opType}.${d.attribute}`));
      d.values.forEach((val, i) => {
        tr.appendChild(h('td', i === variant ? 'mono current' : 'mono', val));
      });
      diff.appendChild(tr);
    }
    sec.appendChild(diff);
  }
}

/** A difference entry; `node` indexes the drawn (after) graph, `nodeA` the before graph. */
function nodeRow(
  parent: HTMLElement,
  text: string,
  node: number | undefined,
  actions: InsightActions,
  nodeA?: number,
): void {
  const row = h('div', 'diff-row');
  const pair = actions.goToPair;
  if (node === undefined && (nodeA === undefined || !pair)) row.appendChild(h('span', 'mono', text));
  else {
    const a = h('a', 'mono', text);
    a.href = '#';
    a.addEventListener('click', (e) => {
      e.preventDefault();
      if (pair) pair(nodeA, node);
      else if (node !== undefined) actions.goToNode(node);
    });
    row.appendChild(a);
  }
  parent.appendChild(row);
}

/** Shows the comparison with the earlier model (added, removed, changed attributes and parameters). */
export function showCompare(root: HTMLElement, compare: ViewCompare, actions: InsightActions): void {
  const sec = section(root, `Compared with ${compare.before}`, 'compare');
  const summary = h('div', 'diff-summary');
  for (const [cls, n, label] of [
    ['added', compare.added.length, 'added'],
    ['removed', compare.removed.length, 'removed'],
    ['changed', compare.attributes.length, 'attribute changes'],
    ['changed', compare.parameters.length, 'parameter changes'],
  ] as const) {
    const chip = h('span', `chip ${cls}`, `${n} ${label}`);
    summary.appendChild(chip);
  }
  sec.appendChild(summary);
  sec.appendChild(
    h(
      'div',
      'hint',
      `${compare.matched} ops aligned (${compare.matchedByName} by name, the rest by structure)`,
    ),
  );
  const list = (title: string, cls: string, fill: (box: HTMLElement) => void, n: number) => {
    if (n === 0) return;
    const box = section(root, `${title} (${n})`, `diff-list ${cls}`);
    fill(box);
  };
  list(
    'Parameters',
    'parameters',
    (box) => {
      for (const p of compare.parameters)
        nodeRow(box, `${p.name}: ${p.before} → ${p.after}`, p.node, actions, p.nodeA);
    },
    compare.parameters.length,
  );
  list(
    'Attributes',
    'attributes',
    (box) => {
      for (const c of compare.attributes.slice(0, 200))
        nodeRow(
          box,
          `${c.name} ${c.attribute}: ${c.before ?? '—'} → ${c.after ?? '—'}`,
          c.node,
          actions,
          c.nodeA,
        );
    },
    compare.attributes.length,
  );
  list(
    'Added',
    'added',
    (box) => {
      for (const c of compare.added.slice(0, 200)) nodeRow(box, `${c.opType}  ${c.name}`, c.node, actions);
    },
    compare.added.length,
  );
  list(
    'Removed',
    'removed',
    (box) => {
      for (const c of compare.removed.slice(0, 200))
        nodeRow(box, `${c.opType}  ${c.name}`, undefined, actions, c.nodeA);
    },
    compare.removed.length,
  );
}
