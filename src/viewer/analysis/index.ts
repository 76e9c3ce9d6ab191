/**
 * The viewer's analysis layer (issue 7): pure, browser-safe functions over the view model
 * that run in the page's Web Worker.
 *
 * - {@link computeDominance}: dominator and post-dominator trees (iterative).
 * - {@link findRegions} / {@link autoGroup}: single-entry single-exit regions, and a synthetic
 *   scope hierarchy (blocks, stages, sections) for graphs without scopes; {@link applyScopes}.
 * - {@link structuralHash} / {@link findRepeatedBlocks}: identical sibling groups, stage labels
 *   ("bottleneck (projection) + bottleneck (identity) × 2") and attribute-only families.
 * - {@link inferShapes} / {@link applyShapes}: static shape inference for ONNX graphs without
 *   `value_info`.
 * - {@link diffGraphs}: two graphs aligned by name and structure, with what differs.
 * - {@link buildSourceIndex} and the frame parsers: node ↔ source line and function.
 * - {@link analyzeGraph}: all of the above in one call, as JSON for the page.
 */

export type { Dim, Shape } from '../../onnx/shapes/dims.js';
export { SHAPE_RULES } from '../../onnx/shapes/rules.js';
export {
  type AutoGroupInfo,
  type AutoGroupKind,
  type AutoGroupOptions,
  type AutoGroupResult,
  applyScopes,
  autoGroup,
} from './auto-group.js';
export { describeBlock } from './block-label.js';
export {
  type AttributeChange,
  diffGraphs,
  type GraphDiff,
  type ParameterChange,
  type TensorShapeChange,
} from './diff.js';
export {
  computeDominance,
  type Dominance,
  type DomTree,
  dominates,
  domTree,
  immediateDominators,
} from './dominators.js';
export { analyzeGraph, type GraphInsight, hasScopes, type InsightOptions } from './insight.js';
export { buildNodeGraph, type NodeGraph } from './node-graph.js';
export { findRegions, type Region, type RegionForest } from './regions.js';
export {
  type BlockFamily,
  type BlockRun,
  type BlockStage,
  type FamilyDifference,
  findRepeatedBlocks,
  type RepeatedBlocks,
  type RepeatedChildren,
  stageLabel,
} from './repeated-blocks.js';
export { type ScopeGroup, scopeGroups, scopeKey } from './scope-groups.js';
export { applyShapes, inferShapes, type ShapeInference } from './shape-inference.js';
export { parseDocFrames, parsePythonFrames, parseTorchNameScopes } from './source-frames.js';
export {
  buildSourceIndex,
  enclosingFunction,
  type FunctionRange,
  functionRanges,
  matchSourceFile,
  nodesAtLine,
  nodesInLines,
  nodesOfFunction,
  type SourceIndex,
} from './source-index.js';
export {
  hashString,
  nodeLabel,
  refinedLabels,
  type StructuralHashOptions,
  structuralHash,
} from './structural-hash.js';
