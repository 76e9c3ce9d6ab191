/**
 * The view-model types the analysis layer reads. They mirror `src/viewer/model.ts` (owned by
 * the viewer); this file only re-states them so the analysis compiles on its own, and is to be
 * replaced by `export type { … } from '../model.js'` once that module exists. Everything is
 * JSON-serialisable: it crosses to the page's Web Worker.
 */

/** One stack frame: `src/models/backbone/resnet.ts:120 bottleneckBlock` parses to this. */
export interface SourceRef {
  file: string;
  line: number;
  func?: string;
}

/** Summary of a tensor's data (weights are summarised, not embedded). */
export interface ViewTensorSummary {
  dims: number[];
  dtype: string;
  byteLength: number;
  min?: number;
  max?: number;
  mean?: number;
  head?: number[];
}

/** An attribute value; `graph` is an index into {@link ViewNode.subgraphs}. */
export type ViewAttrValue =
  | number
  | string
  | boolean
  | number[]
  | string[]
  | { tensor: ViewTensorSummary }
  | { graph: number };

/** A tensor (edge) of the graph. A dimension is a size, a symbolic name, or `null` (unknown). */
export interface ViewTensor {
  name: string;
  shape?: Array<number | string | null>;
  dtype?: string;
  initializer?: ViewTensorSummary;
  producer?: number;
  consumers: number[];
}

/** A node (operator) of the graph; `id` is its index in {@link ViewGraph.nodes}. */
export interface ViewNode {
  id: number;
  name: string;
  opType: string;
  domain?: string;
  scope: string[];
  attributes: Record<string, ViewAttrValue>;
  inputs: string[];
  outputs: string[];
  source?: SourceRef[];
  subgraphs?: ViewGraph[];
  doc?: string;
}

/** A whole graph, as the viewer shows it. */
export interface ViewGraph {
  format: string;
  formatVersion?: string;
  name: string;
  nodes: ViewNode[];
  tensors: Record<string, ViewTensor>;
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
  /** File path → text, for the source pane. */
  sources?: Record<string, string>;
}
