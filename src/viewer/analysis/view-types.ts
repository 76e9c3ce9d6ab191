/**
 * The view-model types the analysis layer reads, re-exported from the viewer's
 * `src/viewer/model.ts` so every analysis module imports them from one place.
 */
export type {
  SourceRef,
  ViewAttrValue,
  ViewGraph,
  ViewNode,
  ViewTensor,
  ViewTensorSummary,
} from '../model.js';
