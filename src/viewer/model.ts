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
}

/** Parses one `doc_string` frame such as `src/models/backbone/resnet.ts:120 bottleneckBlock`. */
export function parseSourceRef(text: string): SourceRef | undefined {
  const m = /^\s*(\S+?):(\d+)(?::\d+)?(?:\s+(.+?))?\s*$/.exec(text);
  if (!m) return undefined;
  const ref: SourceRef = { file: m[1]!, line: Number(m[2]) };
  if (m[3]) ref.func = m[3];
  return ref;
}
