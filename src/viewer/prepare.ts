/**
 * Runs the analysis a page needs before its first view (issue 7), once, outside the page's
 * main thread (Node side for `pdseg graph`, the layout worker for dropped files): tensor shapes
 * inferred for ONNX graphs without `value_info` (unknown stays unknown), and the repeated-block
 * stages and families of a scoped graph. Auto-group of unscoped graphs runs on request
 * ({@link autoGroupForView}) because the first view of a flat graph does not need it.
 */
import { applyScopes, autoGroup } from './analysis/auto-group.js';
import { hasScopes } from './analysis/insight.js';
import { findRepeatedBlocks, type RepeatedBlocks } from './analysis/repeated-blocks.js';
import { applyShapes, inferShapes } from './analysis/shape-inference.js';
import type { ViewGraph, ViewInsight } from './model.js';

/** The page's view of {@link RepeatedBlocks}. */
function insightOf(repeated: RepeatedBlocks | undefined): Pick<ViewInsight, 'stages' | 'families'> {
  if (!repeated) return { stages: [], families: [] };
  return {
    stages: repeated.repeated.map((r) => ({
      parent: r.parent,
      stages: r.stages.map((s) => ({
        members: s.members,
        label: s.label,
        runs: s.runs.map((run) => ({ members: run.members, label: run.label })),
      })),
    })),
    families: repeated.families.map((f) => ({
      label: f.label,
      variants: f.variants,
      differences: f.differences.map((d) => ({ ...d })),
    })),
  };
}

/**
 * Returns `graph` with inferred shapes applied (ONNX only: Paddle programs carry theirs) and
 * `insight` filled. The input is not modified.
 */
export function prepareForView(graph: ViewGraph): ViewGraph {
  let inferredShapes = 0;
  let unsupported: Record<string, number> = {};
  let out = graph;
  if (graph.format === 'onnx') {
    const inference = inferShapes(graph);
    inferredShapes = Object.keys(inference.shapes).length;
    unsupported = inference.unsupported;
    if (inferredShapes > 0 || Object.keys(inference.dtypes).length > 0) out = applyShapes(graph, inference);
  }
  const repeated = hasScopes(out) ? findRepeatedBlocks(out) : undefined;
  return { ...out, insight: { ...insightOf(repeated), inferredShapes, unsupported } };
}

/** Scopes built by auto-group for a graph without any, with the repeated blocks among them. */
export function autoGroupForView(graph: ViewGraph): { scopes: string[][]; insight: ViewInsight } {
  const { scopes } = autoGroup(graph);
  const repeated = findRepeatedBlocks(applyScopes(graph, scopes));
  return {
    scopes,
    insight: {
      ...insightOf(repeated),
      inferredShapes: graph.insight?.inferredShapes ?? 0,
      unsupported: graph.insight?.unsupported ?? {},
      autoGrouped: true,
    },
  };
}
