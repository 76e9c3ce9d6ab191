/**
 * The scope tree of the source pane (issue 7: "the scope tree and the function tree are
 * browsable side by side"): the hierarchy's groups as a nested list, children rendered only
 * when a group is opened (so 10,000-group models cost nothing up front). Picking a scope
 * selects it in the graph and marks the functions that built its ops.
 */
import type { Hierarchy } from '../hierarchy.js';
import { h } from './dom.js';

/** Renders the tree of `hier` into `root`; `pick` is called with a group id. */
export function renderScopeTree(root: HTMLElement, hier: Hierarchy, pick: (group: number) => void): void {
  const list = h('ul', 'stree');
  const fill = (ul: HTMLElement, group: number) => {
    for (const c of hier.groups[group]!.children) {
      if (c.kind !== 'group') continue;
      const g = hier.groups[c.index]!;
      const li = h('li', `scope-item ${g.kind}`);
      const hasGroups = g.children.some((x) => x.kind === 'group');
      const toggle = h('span', 'twisty', hasGroups ? '▸' : '');
      const a = h('a', 'scope-name', g.name);
      a.href = '#';
      a.dataset.group = String(g.id);
      a.title = g.path.join('/');
      a.addEventListener('click', (e) => {
        e.preventDefault();
        for (const x of root.querySelectorAll('.scope-name.on')) x.classList.remove('on');
        a.classList.add('on');
        pick(g.id);
      });
      li.append(toggle, a, h('span', 'fn-count', String(g.opCount)));
      if (hasGroups) {
        let sub: HTMLElement | undefined;
        toggle.addEventListener('click', () => {
          if (!sub) {
            sub = h('ul', undefined);
            fill(sub, g.id);
            li.appendChild(sub);
          } else sub.hidden = !sub.hidden;
          toggle.textContent = sub.hidden ? '▸' : '▾';
        });
      }
      ul.appendChild(li);
    }
  };
  fill(list, 0);
  root.appendChild(list);
}
