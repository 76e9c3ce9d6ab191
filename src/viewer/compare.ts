/**
 * Comparison of two models for the page (issue 7, "Compare two models"): {@link diffGraphs}
 * aligned by name then structure, summarised as plain JSON: every entry carries its node index
 * in the before graph (`nodeA`) and/or the after graph (`node`), and the aligned pairs let the
 * side-by-side page map nodes and groups between its two panes.
 */
import { diffGraphs } from './analysis/diff.js';
import type { ViewCompare, ViewGraph } from './model.js';

function dimsText(t: { dims: number[]; dtype: string }): string {
  return `${t.dtype}[${t.dims.join('×')}]`;
}

/** Compares `before` with `after` (the graph the page draws). Pure. */
export function compareForView(before: ViewGraph, after: ViewGraph, beforeName: string): ViewCompare {
  const d = diffGraphs(before, after);
  const ref = (g: ViewGraph, i: number, drawn: boolean) => ({
    name: g.nodes[i]!.name,
    opType: g.nodes[i]!.opType,
    ...(drawn ? { node: i } : { nodeA: i }),
  });
  return {
    before: beforeName,
    matched: d.matched.length,
    matchedByName: d.matchedByName,
    added: d.added.map((i) => ref(after, i, true)),
    removed: d.removed.map((i) => ref(before, i, false)),
    attributes: d.attributes.map((c) => ({
      ...ref(after, c.b, true),
      nodeA: c.a,
      attribute: c.attribute,
      ...(c.before !== undefined ? { before: c.before } : {}),
      ...(c.after !== undefined ? { after: c.after } : {}),
    })),
    parameters: d.parameters.map((p) => {
      const consumer = after.tensors[p.nameB]?.consumers[0];
      const consumerA = before.tensors[p.nameA]?.consumers[0];
      return {
        name: p.nameB,
        before: dimsText(p.before),
        after: dimsText(p.after),
        ...(consumer !== undefined ? { node: consumer } : {}),
        ...(consumerA !== undefined ? { nodeA: consumerA } : {}),
      };
    }),
    pairs: d.matched,
  };
}
