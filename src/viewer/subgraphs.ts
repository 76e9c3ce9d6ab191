/**
 * Shows control-flow bodies (`If`/`Loop`/`Scan` attributes, Paddle sub-blocks) as expandable
 * groups (issue 6): the op and its bodies become one group named after the op, each body a
 * nested group named after its attribute. Body tensors that reuse an outer name are renamed
 * `<op name>/<attr>/<name>`; names a body reads from outside stay linked to their producers.
 * Pure and iterative: nested bodies are handled by a work list.
 */
import { shortName } from './layout-plan.js';
import type { ViewGraph, ViewNode } from './model.js';

/** A copy of `graph` with every subgraph's nodes appended under the scope of their owner op. */
export function inlineSubgraphs(graph: ViewGraph): ViewGraph {
  if (!graph.nodes.some((n) => n.subgraphs && n.subgraphs.length > 0)) return graph;
  const out: ViewGraph = { ...graph, nodes: graph.nodes.map((n) => ({ ...n })), tensors: {} };
  for (const [k, t] of Object.entries(graph.tensors))
    out.tensors[k] = { ...t, consumers: t.consumers.slice() };
  const tensor = (name: string) => {
    let t = out.tensors[name];
    if (!t) {
      t = { name, consumers: [] };
      out.tensors[name] = t;
    }
    return t;
  };
  for (let i = 0; i < out.nodes.length; i++) {
    const owner = out.nodes[i]!;
    if (!owner.subgraphs || owner.subgraphs.length === 0) continue;
    const ownerScope = [...owner.scope, shortName(owner.name) || owner.opType];
    owner.scope = ownerScope;
    const attrNames = new Map<number, string>();
    for (const [k, v] of Object.entries(owner.attributes)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'graph' in v) attrNames.set(v.graph, k);
    }
    owner.subgraphs.forEach((sub, si) => {
      const label = attrNames.get(si) ?? `body${si}`;
      const defined = new Set<string>([...sub.inputs, ...sub.nodes.flatMap((n) => n.outputs)]);
      for (const [name, t] of Object.entries(sub.tensors)) if (t.initializer) defined.add(name);
      const rename = new Map<string, string>();
      for (const name of defined)
        rename.set(name, out.tensors[name] ? `${owner.name}/${label}/${name}` : name);
      const mapName = (n: string) => (n === '' ? n : (rename.get(n) ?? n));
      for (const [name, t] of Object.entries(sub.tensors)) {
        if (!defined.has(name)) continue;
        const target = tensor(mapName(name));
        if (t.shape) target.shape = t.shape;
        if (t.dtype) target.dtype = t.dtype;
        if (t.initializer) target.initializer = t.initializer;
      }
      const base = out.nodes.length;
      for (const n of sub.nodes) {
        const id = base + n.id;
        const copy: ViewNode = {
          ...n,
          id,
          name: `${owner.name}/${label}/${n.name}`,
          scope: [...ownerScope, label, ...n.scope],
          inputs: n.inputs.map(mapName),
          outputs: n.outputs.map(mapName),
        };
        out.nodes.push(copy);
        for (const name of copy.inputs) if (name !== '') tensor(name).consumers.push(id);
        for (const name of copy.outputs) if (name !== '') tensor(name).producer = id;
      }
    });
  }
  return out;
}
