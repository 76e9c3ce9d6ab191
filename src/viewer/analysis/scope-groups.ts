/**
 * The scope groups of a graph as the analysis sees them: every scope path prefix that
 * occurs in `node.scope`, with the nodes under it and its child groups in graph order.
 */
import type { ViewGraph } from './view-types.js';

/** One scope group. */
export interface ScopeGroup {
  /** Scope path, outermost first; `[]` is the whole graph. */
  path: string[];
  /** Every node under this group, at any depth, in graph order. */
  nodes: number[];
  /** Ordered children: a child group's key (`path.join('/')`), or a node index directly inside. */
  children: Array<{ group: string } | { node: number }>;
}

/** Key of a scope path in {@link scopeGroups}' map (`'/'`-joined; the root is `''`). */
export function scopeKey(path: readonly string[]): string {
  return path.join('/');
}

/** All scope groups of `graph`, keyed by {@link scopeKey}, the root (`''`) first. */
export function scopeGroups(graph: ViewGraph): Map<string, ScopeGroup> {
  const groups = new Map<string, ScopeGroup>();
  groups.set('', { path: [], nodes: [], children: [] });
  graph.nodes.forEach((node, i) => {
    let parent = groups.get('')!;
    parent.nodes.push(i);
    for (let d = 0; d < node.scope.length; d++) {
      const path = node.scope.slice(0, d + 1);
      const key = scopeKey(path);
      let group = groups.get(key);
      if (group === undefined) {
        group = { path, nodes: [], children: [] };
        groups.set(key, group);
        parent.children.push({ group: key });
      }
      group.nodes.push(i);
      parent = group;
    }
    parent.children.push({ node: i });
  });
  return groups;
}
