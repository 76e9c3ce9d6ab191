/**
 * A structural hash of a group of nodes: op types, attribute values (not names), parameter
 * shapes and the internal edges, independent of node and tensor names and of node order.
 * Two residual blocks built by the same code with the same channel counts hash equal; a
 * block with a projection shortcut or other strides does not. The hash is a
 * Weisfeiler–Lehman refinement: each node's label is repeatedly combined with the labels of
 * its in-group neighbours (by input/output position), and the group's hash is the sorted
 * multiset of final labels.
 */
import type { ViewAttrValue, ViewGraph } from './view-types.js';

/** Attribute keys that carry names or provenance, not structure (Paddle and ONNX). */
const IGNORED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name',
  'op_namescope',
  'op_callstack',
  'op_device',
  'op_role',
  'op_role_var',
  'with_quant_attr',
]);

/** Options of {@link structuralHash}. */
export interface StructuralHashOptions {
  /**
   * Include attribute values (default true). With false, only attribute keys count: blocks
   * that differ only in stride or dilation then hash equal (a "family").
   */
  attributeValues?: boolean;
  /** Refinement rounds (default 3). */
  rounds?: number;
  /**
   * Precomputed {@link baseLabels} of every graph node for the same `attributeValues` setting;
   * saves recomputing them when many groups of one graph are hashed.
   */
  baseLabels?: readonly string[];
}

/** The hashed {@link nodeLabel} of every node of `graph`, for {@link StructuralHashOptions.baseLabels}. */
export function baseLabels(graph: ViewGraph, attributeValues = true): string[] {
  return graph.nodes.map((_, i) => hashString(nodeLabel(graph, i, attributeValues)));
}

/** 53-bit string hash (cyrb53), as 14 hex digits. Deterministic across runs and platforms. */
export function hashString(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(14, '0');
}

/** Canonical text of an attribute value (tensor attributes by dims, dtype and leading values). */
export function attributeText(value: ViewAttrValue): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    if ('tensor' in value) {
      const t = value.tensor;
      return `tensor(${t.dtype}[${t.dims.join(',')}]${t.head ? `=${t.head.join(',')}` : ''})`;
    }
    return 'graph';
  }
  return JSON.stringify(value);
}

/** The structure-only attributes of a node: every key except names and provenance. */
export function structuralAttributes(
  attributes: Record<string, ViewAttrValue>,
): Array<[string, ViewAttrValue]> {
  return Object.keys(attributes)
    .filter((k) => !IGNORED_ATTRIBUTES.has(k))
    .sort()
    .map((k) => [k, attributes[k]!]);
}

/**
 * The label of one node on its own: op type, domain, attributes and, for each input, the
 * shape and dtype of a parameter (initializer) or a mark for a data input.
 */
export function nodeLabel(graph: ViewGraph, index: number, attributeValues = true): string {
  const node = graph.nodes[index]!;
  const attrs = structuralAttributes(node.attributes)
    .map(([k, v]) => (attributeValues ? `${k}=${attributeText(v)}` : k))
    .join(';');
  const inputs = node.inputs
    .map((name) => {
      if (name === '') return '_';
      const init = graph.tensors[name]?.initializer;
      return init ? `p${init.dtype}[${init.dims.join(',')}]` : 'd';
    })
    .join(',');
  return `${node.domain ?? ''}::${node.opType}(${inputs})->${node.outputs.length}{${attrs}}`;
}

/**
 * Hash of the nodes `ids` of `graph` as a structure. Edges from outside the group count
 * as "external" inputs at their position; uses of the group's outputs outside it do not;
 * names never count.
 */
export function structuralHash(
  graph: ViewGraph,
  ids: readonly number[],
  options: StructuralHashOptions = {},
): string {
  return hashString(refinedLabels(graph, ids, options).sort().join('|'));
}

/**
 * The refined label of every node of `ids`, in the order of `ids`. Equal labels in two
 * groups mark corresponding nodes, which lets callers align two structurally equal groups.
 */
export function refinedLabels(
  graph: ViewGraph,
  ids: readonly number[],
  options: StructuralHashOptions = {},
): string[] {
  const attributeValues = options.attributeValues ?? true;
  const rounds = options.rounds ?? 3;
  const local = new Map<number, number>();
  ids.forEach((id, k) => {
    local.set(id, k);
  });
  // Producer (local index, output position) of every tensor produced inside the group.
  const made = new Map<string, [number, number]>();
  ids.forEach((id, k) => {
    graph.nodes[id]!.outputs.forEach((o, pos) => {
      made.set(o, [k, pos]);
    });
  });
  const base = options.baseLabels;
  let labels = ids.map((id) => base?.[id] ?? hashString(nodeLabel(graph, id, attributeValues)));
  for (let round = 0; round < rounds; round++) {
    labels = ids.map((id, k) => {
      const node = graph.nodes[id]!;
      const ins = node.inputs.map((name, pos) => {
        const src = made.get(name);
        return src === undefined ? `${pos}:x` : `${pos}:${labels[src[0]]}.${src[1]}`;
      });
      const outs = node.outputs.map((name, pos) => {
        const consumers = graph.tensors[name]?.consumers ?? [];
        const uses: string[] = [];
        // Uses outside the group do not count: the last block of a stage equals the others.
        for (const c of new Set(consumers)) {
          const lc = local.get(c);
          if (lc === undefined) continue;
          graph.nodes[c]!.inputs.forEach((input, ip) => {
            if (input === name) uses.push(`${labels[lc]}.${ip}`);
          });
        }
        return `${pos}:[${uses.sort().join(',')}]`;
      });
      return hashString(`${labels[k]}<${ins.join(',')}>${outs.join(',')}`);
    });
  }
  return labels;
}
