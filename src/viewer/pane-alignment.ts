/**
 * Maps the two panes of the side-by-side compare onto each other (issue 7, "Compare two
 * models"): nodes through the diff's aligned pairs, groups by kind and scope path, folds
 * through their first member, renamed groups through their first aligned op. Pure.
 */
import { type Hierarchy, opsUnder } from './hierarchy.js';

/** Node maps A → B and B → A from aligned pairs `[indexInA, indexInB]` (-1: no partner). */
export function mapNodes(
  pairs: Array<[number, number]>,
  countA: number,
  countB: number,
): [Int32Array, Int32Array] {
  const aToB = new Int32Array(countA).fill(-1);
  const bToA = new Int32Array(countB).fill(-1);
  for (const [i, j] of pairs) {
    if (i >= 0 && j >= 0 && i < countA && j < countB) {
      aToB[i] = j;
      bToA[j] = i;
    }
  }
  return [aToB, bToA];
}

/** Key of a group that the other hierarchy can look up: scope path, or section name within it. */
function groupKey(h: Hierarchy, g: number): string {
  const group = h.groups[g]!;
  return `${group.kind}\u0000${group.path.join('/')}\u0000${group.kind === 'section' ? group.name : ''}`;
}

/**
 * Maps every group of `from` to its counterpart in `to`: the group of the same kind and scope
 * path (sections also by name); a fold (run of identical blocks) maps to the fold holding its
 * first member's counterpart. Unmatched groups map to -1.
 */
export function mapGroups(from: Hierarchy, to: Hierarchy, nodes: Int32Array): Int32Array {
  const out = new Int32Array(from.groups.length).fill(-1);
  const byKey = new Map<string, number>();
  for (const g of to.groups) if (g.kind !== 'fold') byKey.set(groupKey(to, g.id), g.id);
  for (const g of from.groups) {
    if (g.kind === 'root') out[g.id] = 0;
    else if (g.kind !== 'fold') out[g.id] = byKey.get(groupKey(from, g.id)) ?? -1;
  }
  for (const g of from.groups) {
    if (g.kind !== 'fold') continue;
    const first = g.children[0];
    const member = first?.kind === 'group' ? out[first.index]! : -1;
    const parent = member >= 0 ? to.groups[member]!.parent : -1;
    if (parent >= 0 && to.groups[parent]!.kind === 'fold') out[g.id] = parent;
  }
  // Groups whose path differs (renamed scopes) follow their first aligned op.
  for (const g of from.groups) {
    if (out[g.id]! >= 0 || g.kind === 'fold') continue;
    const op = opsUnder(from, g.id).find((n) => nodes[n]! >= 0);
    if (op === undefined) continue;
    const depth = g.path.length;
    for (let t = to.nodeGroup[nodes[op]!]!; t > 0; t = to.groups[t]!.parent) {
      const tg = to.groups[t]!;
      if (tg.kind === g.kind && tg.path.length === depth) {
        out[g.id] = t;
        break;
      }
    }
  }
  return out;
}
