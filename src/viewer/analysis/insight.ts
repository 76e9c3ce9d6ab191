/**
 * One call that runs every insight pass a viewer needs on a loaded graph (issue 7), returning
 * plain JSON to send from the worker or embed in a `--html` page:
 * inferred shapes, an auto-group hierarchy when the graph has no scopes, the repeated-block
 * labels (on the real scopes, or on the auto-group ones), and the source index.
 */
import { type AutoGroupResult, applyScopes, autoGroup } from './auto-group.js';
import { findRepeatedBlocks, type RepeatedBlocks } from './repeated-blocks.js';
import { applyShapes, inferShapes, type ShapeInference } from './shape-inference.js';
import { buildSourceIndex, type SourceIndex } from './source-index.js';
import type { ViewGraph } from './view-types.js';

/** Options of {@link analyzeGraph}. */
export interface InsightOptions {
  /** Most children of an auto-group group (default 200). */
  maxChildren?: number;
  /** Compute auto-group even when the graph has scopes (default: only when it has none). */
  forceAutoGroup?: boolean;
}

/** Everything {@link analyzeGraph} found. */
export interface GraphInsight {
  /** Shapes and dtypes inferred for tensors that had none. */
  shapes: ShapeInference;
  /** Synthetic scopes, when the graph had no scopes (or `forceAutoGroup`). */
  autoGroup?: AutoGroupResult;
  /** Repeated sibling groups and families, on the graph's scopes or else the auto-group ones. */
  repeated: RepeatedBlocks;
  /** Node ↔ source line and function. */
  sources: SourceIndex;
}

/** True when some node of `graph` has a scope path. */
export function hasScopes(graph: ViewGraph): boolean {
  return graph.nodes.some((n) => n.scope.length > 0);
}

/** Runs shape inference, auto-group (when needed), repeated-block detection and the source index. */
export function analyzeGraph(graph: ViewGraph, options: InsightOptions = {}): GraphInsight {
  const shapes = inferShapes(graph);
  const grouped =
    options.forceAutoGroup || !hasScopes(graph)
      ? autoGroup(graph, options.maxChildren === undefined ? {} : { maxChildren: options.maxChildren })
      : undefined;
  const scoped = grouped ? applyScopes(graph, grouped.scopes) : graph;
  const repeated = findRepeatedBlocks(applyShapes(scoped, shapes));
  return { shapes, ...(grouped ? { autoGroup: grouped } : {}), repeated, sources: buildSourceIndex(graph) };
}
