/**
 * Compares two graphs (issue 7, "Compare two models"): nodes are aligned by name first
 * (same name and op type), then by structure — an unmatched node pairs with an unmatched
 * node of the same op type whose inputs come from the partners of its own inputs' producers
 * (forward), or whose outputs feed the partners of its consumers (backward), repeated until
 * nothing new aligns; when an inserted node cuts the chains, nodes whose label (op type,
 * attributes, parameter shapes), or else op type alone, is unique on both sides pair up and
 * the propagation resumes. The result lists added and removed nodes, changed attributes, changed
 * parameter (initializer) shapes, and — in a separate list — changed shapes of the tensors
 * the aligned nodes produce.
 */
import { buildNodeGraph } from './node-graph.js';
import { attributeText, nodeLabel, structuralAttributes } from './structural-hash.js';
import type { ViewGraph, ViewTensorSummary } from './view-types.js';

/** An attribute whose value differs between two aligned nodes. */
export interface AttributeChange {
  /** Node index in A and in B. */
  a: number;
  b: number;
  /** Node name in B. */
  node: string;
  attribute: string;
  /** Value text in A / B; `undefined` when the attribute is absent there. */
  before?: string;
  after?: string;
}

/** A parameter whose shape or dtype differs between aligned nodes. */
export interface ParameterChange {
  /** Parameter name in A and in B (usually equal). */
  nameA: string;
  nameB: string;
  before: { dims: number[]; dtype: string };
  after: { dims: number[]; dtype: string };
}

/** A produced tensor whose shape differs between aligned nodes. */
export interface TensorShapeChange {
  nameA: string;
  nameB: string;
  before?: Array<number | string | null>;
  after?: Array<number | string | null>;
}

/** Result of {@link diffGraphs}. */
export interface GraphDiff {
  /** Aligned node pairs `[indexInA, indexInB]`, in A's order. */
  matched: Array<[number, number]>;
  /** How many pairs were aligned by name; the rest by structure. */
  matchedByName: number;
  /** Nodes of A without partner (removed), and of B (added). */
  removed: number[];
  added: number[];
  attributes: AttributeChange[];
  parameters: ParameterChange[];
  tensorShapes: TensorShapeChange[];
}

/** Compares graph `a` (before) with graph `b` (after). Pure. */
export function diffGraphs(a: ViewGraph, b: ViewGraph): GraphDiff {
  const partnerA = new Int32Array(a.nodes.length).fill(-1);
  const partnerB = new Int32Array(b.nodes.length).fill(-1);
  const pair = (i: number, j: number) => {
    partnerA[i] = j;
    partnerB[j] = i;
  };
  const byName = new Map<string, number>();
  b.nodes.forEach((node, j) => {
    if (node.name !== '' && !byName.has(node.name)) byName.set(node.name, j);
  });
  let matchedByName = 0;
  a.nodes.forEach((node, i) => {
    const j = byName.get(node.name);
    if (node.name !== '' && j !== undefined && partnerB[j] === -1 && b.nodes[j]!.opType === node.opType) {
      pair(i, j);
      matchedByName++;
    }
  });
  alignByStructure(a, b, partnerA, partnerB, pair);

  const matched: Array<[number, number]> = [];
  partnerA.forEach((j, i) => {
    if (j >= 0) matched.push([i, j]);
  });
  const attributes: AttributeChange[] = [];
  const parameters: ParameterChange[] = [];
  const tensorShapes: TensorShapeChange[] = [];
  const seenParams = new Set<string>();
  for (const [i, j] of matched) {
    const na = a.nodes[i]!;
    const nb = b.nodes[j]!;
    const attrsA = new Map(structuralAttributes(na.attributes).map(([k, v]) => [k, attributeText(v)]));
    const attrsB = new Map(structuralAttributes(nb.attributes).map(([k, v]) => [k, attributeText(v)]));
    for (const key of new Set([...attrsA.keys(), ...attrsB.keys()])) {
      const before = attrsA.get(key);
      const after = attrsB.get(key);
      if (before !== after) {
        attributes.push({
          a: i,
          b: j,
          node: nb.name,
          attribute: key,
          ...(before ? { before } : {}),
          ...(after ? { after } : {}),
        });
      }
    }
    const count = Math.min(na.inputs.length, nb.inputs.length);
    for (let k = 0; k < count; k++) {
      const pa = a.tensors[na.inputs[k]!]?.initializer;
      const pb = b.tensors[nb.inputs[k]!]?.initializer;
      if (pa === undefined || pb === undefined || sameSummaryShape(pa, pb)) continue;
      const key = `${na.inputs[k]}\u0000${nb.inputs[k]}`;
      if (seenParams.has(key)) continue;
      seenParams.add(key);
      parameters.push({
        nameA: na.inputs[k]!,
        nameB: nb.inputs[k]!,
        before: { dims: pa.dims, dtype: pa.dtype },
        after: { dims: pb.dims, dtype: pb.dtype },
      });
    }
    na.outputs.forEach((oa, k) => {
      const ob = nb.outputs[k];
      if (ob === undefined || oa === '' || ob === '') return;
      const sa = a.tensors[oa]?.shape;
      const sb = b.tensors[ob]?.shape;
      if (JSON.stringify(sa) !== JSON.stringify(sb)) {
        tensorShapes.push({
          nameA: oa,
          nameB: ob,
          ...(sa ? { before: sa } : {}),
          ...(sb ? { after: sb } : {}),
        });
      }
    });
  }
  return {
    matched,
    matchedByName,
    removed: [...partnerA.keys()].filter((i) => partnerA[i] === -1),
    added: [...partnerB.keys()].filter((j) => partnerB[j] === -1),
    attributes,
    parameters,
    tensorShapes,
  };
}

function sameSummaryShape(x: ViewTensorSummary, y: ViewTensorSummary): boolean {
  return x.dtype === y.dtype && x.dims.length === y.dims.length && x.dims.every((d, k) => d === y.dims[k]);
}

/** Forward and backward neighbourhood matching of the nodes names did not align. */
function alignByStructure(
  a: ViewGraph,
  b: ViewGraph,
  partnerA: Int32Array,
  partnerB: Int32Array,
  pair: (i: number, j: number) => void,
): void {
  const ga = buildNodeGraph(a);
  const gb = buildNodeGraph(b);
  const inputIndexA = new Map(a.inputs.map((name, k) => [name, k]));
  const inputIndexB = new Map(b.inputs.map((name, k) => [name, k]));
  // Key of a node from its inputs; `mapProducer` translates a producer index into B's numbering.
  const forwardKey = (
    g: ViewGraph,
    producer: Map<string, number>,
    inputs: Map<string, number>,
    v: number,
    mapProducer: (p: number) => number,
  ) => {
    const node = g.nodes[v]!;
    let anchored = false;
    const parts = node.inputs.map((name) => {
      if (name === '') return '_';
      const p = producer.get(name);
      if (p !== undefined) {
        const q = mapProducer(p);
        if (q < 0) return '?';
        anchored = true;
        return `n${q}.${g.nodes[p]!.outputs.indexOf(name)}`;
      }
      if (g.tensors[name]?.initializer) return 'p';
      const k = inputs.get(name);
      if (k !== undefined) anchored = true;
      return k === undefined ? '?' : `i${k}`;
    });
    return anchored ? `${node.opType}(${parts.join(',')})` : undefined;
  };
  const backwardKey = (g: ViewGraph, succs: number[][], v: number, mapNode: (p: number) => number) => {
    const targets = succs[v]!.map(mapNode);
    if (targets.length === 0 || targets.some((t) => t < 0)) return undefined;
    return `${g.nodes[v]!.opType}>${targets.sort((x, y) => x - y).join(',')}`;
  };
  for (let round = 0; round < 50; round++) {
    let progress = false;
    for (const direction of ['forward', 'backward'] as const) {
      const candidates = new Map<string, number[]>();
      for (const j of gb.order) {
        if (partnerB[j] !== -1) continue;
        const key =
          direction === 'forward'
            ? forwardKey(b, gb.producer, inputIndexB, j, (p) => p)
            : backwardKey(b, gb.succs, j, (s) => s);
        if (key !== undefined) candidates.set(key, [...(candidates.get(key) ?? []), j]);
      }
      const order = direction === 'forward' ? ga.order : [...ga.order].reverse();
      for (const i of order) {
        if (partnerA[i] !== -1) continue;
        const key =
          direction === 'forward'
            ? forwardKey(a, ga.producer, inputIndexA, i, (p) => partnerA[p]!)
            : backwardKey(a, ga.succs, i, (s) => partnerA[s]!);
        const list = key === undefined ? undefined : candidates.get(key);
        const j = list?.find((c) => partnerB[c] === -1);
        if (j !== undefined) {
          pair(i, j);
          progress = true;
        }
      }
    }
    if (progress) continue;
    // Stalled (an inserted or removed node cuts the chains): pair nodes whose own label —
    // op type, attributes, parameter shapes — and then whose op type alone is unique on both sides.
    if (!pairUnique(a, b, partnerA, partnerB, pair, (g, v) => nodeLabel(g, v))) {
      if (!pairUnique(a, b, partnerA, partnerB, pair, (g, v) => g.nodes[v]!.opType)) break;
    }
  }
}

/** Pairs unmatched nodes whose `key` occurs exactly once among the unmatched nodes of each side. */
function pairUnique(
  a: ViewGraph,
  b: ViewGraph,
  partnerA: Int32Array,
  partnerB: Int32Array,
  pair: (i: number, j: number) => void,
  key: (g: ViewGraph, v: number) => string,
): boolean {
  const unique = (g: ViewGraph, partner: Int32Array) => {
    const seen = new Map<string, number>();
    partner.forEach((p, v) => {
      if (p !== -1) return;
      const k = key(g, v);
      seen.set(k, seen.has(k) ? -1 : v);
    });
    return seen;
  };
  const inA = unique(a, partnerA);
  const inB = unique(b, partnerB);
  let progress = false;
  for (const [k, i] of inA) {
    const j = inB.get(k);
    if (i >= 0 && j !== undefined && j >= 0) {
      pair(i, j);
      progress = true;
    }
  }
  return progress;
}
