/**
 * Folds runs of identical sibling blocks (issue 7, "Repeated blocks"): each run of two or more
 * equal groups found by the analysis (`resnet/res2b`, `resnet/res2c`: "bottleneck (identity)")
 * becomes one `fold` group "bottleneck (identity) × 2" in the hierarchy, collapsed by default,
 * whose children are the run's members; expanding it unfolds the run in place.
 */
import type { Hierarchy } from './hierarchy.js';
import type { ViewInsight } from './model.js';

/** Inserts a fold group for every run of `stages`; returns how many were inserted. Mutates `h`. */
export function foldRuns(h: Hierarchy, stages: ViewInsight['stages']): number {
  const byKey = new Map<string, number>();
  for (const g of h.groups) if (g.kind === 'scope') byKey.set(g.path.join('/'), g.id);
  let folded = 0;
  for (const parent of stages) {
    for (const stage of parent.stages) {
      for (const run of stage.runs) {
        const n = run.members.length;
        if (n < 2) continue;
        const ids = run.members.map((k) => byKey.get(k));
        if (ids.some((id) => id === undefined)) continue;
        const members = ids as number[];
        const owner = h.groups[members[0]!]!.parent;
        const pg = h.groups[owner]!;
        const pos = pg.children.findIndex((c) => c.kind === 'group' && c.index === members[0]);
        // Only consecutive siblings of one parent fold (a section boundary may split a run).
        const consecutive = members.every((id, j) => {
          const c = pg.children[pos + j];
          return c?.kind === 'group' && c.index === id;
        });
        if (pos < 0 || !consecutive) continue;
        const id = h.groups.length;
        h.groups.push({
          id,
          kind: 'fold',
          name: `${run.label} × ${n}`,
          parent: owner,
          path: pg.path,
          children: members.map((index) => ({ kind: 'group', index })),
          opCount: members.reduce((a, m) => a + h.groups[m]!.opCount, 0),
        });
        pg.children.splice(pos, n, { kind: 'group', index: id });
        for (const m of members) h.groups[m]!.parent = id;
        folded++;
      }
    }
  }
  return folded;
}
