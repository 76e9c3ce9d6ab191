/**
 * The format-neutral view model of a network graph that the viewer draws (issue 6). Adapters
 * (`src/viewer/adapters/`) decode ONNX and Paddle ProgramDesc files into it; the hierarchy,
 * layout and page code never import a format. Everything here is plain JSON: it crosses to a
 * Web Worker and is embedded in `--html` pages.
 */

/** One frame of where an op was created: `src/models/backbone/resnet.ts:120 bottleneckBlock`. */
export interface SourceRef {
  file: string;
  line: number;
  func?: string;
}

/** Summary of a weight tensor: shape, type, size and a few statistics. */
export interface ViewTensorSummary {
  dims: number[];
  dtype: string;
  byteLength: number;
  min?: number;
  max?: number;
  mean?: number;
  /** The first few values, in storage order. */
  head?: number[];
}

/** An attribute value; `{ graph: i }` indexes {@link ViewNode.subgraphs}. */
export type ViewAttrValue =
  | number
  | string
  | boolean
  | number[]
  | string[]
  | { tensor: ViewTensorSummary }
  | { graph: number };

/** A value flowing between nodes (an edge source), with what is known of it. */
export interface ViewTensor {
  name: string;
  /** Dimensions: a number, a symbolic name, or null when unknown. */
  shape?: Array<number | string | null>;
  dtype?: string;
  /** Set when the tensor is a weight (ONNX initializer, Paddle persistable var). */
  initializer?: ViewTensorSummary;
  /** Index into {@link ViewGraph.nodes} of the node that writes it. */
  producer?: number;
  /** Indices into {@link ViewGraph.nodes} of the nodes that read it. */
  consumers: number[];
}

/** One operator. */
export interface ViewNode {
  /** Its index in {@link ViewGraph.nodes}. */
  id: number;
  name: string;
  opType: string;
  domain?: string;
  /** Group path, outermost first: `['resnet', 'res2a', 'branch2a']`. */
  scope: string[];
  attributes: Record<string, ViewAttrValue>;
  inputs: string[];
  outputs: string[];
  /** Call stack of the code that created the op, innermost first. */
  source?: SourceRef[];
  /** Bodies of control-flow ops (`If`, `Loop`, `Scan`, Paddle sub-blocks). */
  subgraphs?: ViewGraph[];
  doc?: string;
}

/** A whole graph in the viewer's terms. */
export interface ViewGraph {
  /** `onnx` or `paddle`. */
  format: string;
  formatVersion?: string;
  name: string;
  nodes: ViewNode[];
  tensors: Record<string, ViewTensor>;
  /** Graph input tensor names (weights excluded). */
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
  /** File path → source text, for the source pane. */
  sources?: Record<string, string>;
  /** What the analysis found before the page opened (issue 7); see `prepareForView`. */
  insight?: ViewInsight;
  /** Set when the page compares this graph with an earlier one (issue 7, "Compare"). */
  compare?: ViewCompare;
}

/** One stage of repeated sibling blocks: `bottleneck (projection) + bottleneck (identity) × 2`. */
export interface ViewStage {
  /** Member group keys (`'/'`-joined scope paths), in order. */
  members: string[];
  label: string;
  /** Runs inside the stage: consecutive identical members and the label of one of them. */
  runs: Array<{ members: string[]; label: string }>;
}

/** Analysis results the page shows (issue 7). Plain JSON. */
export interface ViewInsight {
  /** Stages of repeated blocks, by parent scope key. */
  stages: Array<{ parent: string; stages: ViewStage[] }>;
  /** Block families: groups equal but for attribute values, with what differs. */
  families: Array<{
    label: string;
    variants: string[][];
    differences: Array<{ opType: string; node: string; attribute: string; values: string[] }>;
  }>;
  /** How many tensor shapes were inferred (not stored in the file). */
  inferredShapes: number;
  /** Op types without a shape rule, with counts (their outputs stay unknown). */
  unsupported: Record<string, number>;
  /** True when the scopes were built by auto-group rather than read from the file. */
  autoGrouped?: boolean;
}

/** A compact node reference in a comparison. */
export interface ViewDiffNode {
  name: string;
  opType: string;
  /** Index in the drawn (after) graph, when the node exists there. */
  node?: number;
  /** Index in the before graph, when the node exists there (side-by-side compare). */
  nodeA?: number;
}

/** Differences between an earlier graph (before) and the drawn one (after). */
export interface ViewCompare {
  /** File name of the earlier model. */
  before: string;
  /** Node pairs aligned (by name, by structure). */
  matched: number;
  matchedByName: number;
  added: ViewDiffNode[];
  removed: ViewDiffNode[];
  attributes: Array<ViewDiffNode & { attribute: string; before?: string; after?: string }>;
  parameters: Array<{ name: string; before: string; after: string; node?: number; nodeA?: number }>;
  /** Aligned node pairs `[indexInBefore, indexInAfter]` (side-by-side compare). */
  pairs?: Array<[number, number]>;
  /** The before graph itself, drawn in the left pane of the side-by-side compare. */
  beforeGraph?: ViewGraph;
}

/** Parses one `doc_string` frame such as `src/models/backbone/resnet.ts:120 bottleneckBlock`. */
export function parseSourceRef(text: string): SourceRef | undefined {
  const m = /^\s*(\S+?):(\d+)(?::\d+)?(?:\s+(.+?))?\s*$/.exec(text);
  if (!m) return undefined;
  const ref: SourceRef = { file: m[1]!, line: Number(m[2]) };
  if (m[3]) ref.func = m[3];
  return ref;
}

/** An empty view graph of `format` named `name`, for adapters to fill. */
export function emptyViewGraph(format: string, name: string): ViewGraph {
  return { format, name, nodes: [], tensors: {}, inputs: [], outputs: [], metadata: {} };
}

/** The tensor `name` of `view`, created (with no consumers yet) on first use. */
export function viewTensor(view: ViewGraph, name: string): ViewTensor {
  let t = view.tensors[name];
  if (!t) {
    t = { name, consumers: [] };
    view.tensors[name] = t;
  }
  return t;
}
