/**
 * Search over node names, op types and tensor names (issue 6, "Search"). Pure; a linear scan
 * (100k nodes take a few milliseconds), ranked exact > prefix > substring, name before op type.
 */
import type { ViewGraph } from './model.js';

/** One search hit: the node to reveal and why it matched. */
export interface SearchHit {
  node: number;
  /** What matched: the node's name, its op type, or a tensor it reads/writes. */
  field: 'name' | 'op' | 'tensor';
  /** The matched text (node name or tensor name). */
  text: string;
  rank: number;
}

function rankOf(hay: string, needle: string): number {
  const i = hay.indexOf(needle);
  if (i < 0) return -1;
  if (hay.length === needle.length) return 0;
  if (i === 0 || hay[i - 1] === '/' || hay[i - 1] === '.' || hay[i - 1] === '_') return 1;
  return 2;
}

/** Finds up to `limit` nodes matching `query` (case-insensitive), best first. */
export function searchGraph(graph: ViewGraph, query: string, limit = 100): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const hits: SearchHit[] = [];
  for (const n of graph.nodes) {
    // The best-ranked field of the node wins; ties prefer name, then op type, then tensor.
    let best: SearchHit | undefined;
    const consider = (field: SearchHit['field'], text: string, r: number, order: number) => {
      if (r < 0) return;
      const rank = r * 3 + order;
      if (!best || rank < best.rank) best = { node: n.id, field, text, rank };
    };
    consider('name', n.name, rankOf(n.name.toLowerCase(), q), 0);
    consider('op', n.name, rankOf(n.opType.toLowerCase(), q), 1);
    for (const t of n.outputs) consider('tensor', t, rankOf(t.toLowerCase(), q), 2);
    if (best) hits.push(best);
  }
  // Tensors without a producer (graph inputs, weights): point at their first consumer.
  for (const t of Object.values(graph.tensors)) {
    if (t.producer !== undefined || t.consumers.length === 0) continue;
    const tr = rankOf(t.name.toLowerCase(), q);
    if (tr >= 0) hits.push({ node: t.consumers[0]!, field: 'tensor', text: t.name, rank: tr * 3 + 2 });
  }
  hits.sort((a, b) => a.rank - b.rank || a.node - b.node);
  return hits.slice(0, limit);
}
