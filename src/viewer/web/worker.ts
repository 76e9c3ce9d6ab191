/**
 * The page's Web Worker (issues 6 and 7): receives batches of per-group layout requests and
 * answers with dagre results, so the page's main thread never runs a layout; it also runs the
 * analysis for models opened in the page (shapes and repeated blocks of a dropped file,
 * auto-group on request, the comparison of two models).
 */
import { compareForView } from '../compare.js';
import { type LayoutRequest, type LayoutResult, layoutGroup } from '../layout-engine.js';
import type { ViewCompare, ViewGraph, ViewInsight } from '../model.js';
import { autoGroupForView, prepareForView } from '../prepare.js';

/** Message the page sends for layouts. */
export interface LayoutJob {
  id: number;
  requests: LayoutRequest[];
}

/** An analysis the page asks for. */
export type AnalysisRequest =
  | { task: 'prepare'; graph: ViewGraph }
  | { task: 'autogroup'; graph: ViewGraph }
  | { task: 'compare'; before: ViewGraph; after: ViewGraph; beforeName: string };

/** Message the page sends for an analysis. */
export type AnalysisJob = AnalysisRequest & { id: number };

/** What each analysis task answers. */
export interface AnalysisResults {
  prepare: ViewGraph;
  autogroup: { scopes: string[][]; insight: ViewInsight };
  compare: ViewCompare;
}

/** Message the worker answers with. */
export type LayoutReply =
  | { id: number; results: LayoutResult[] }
  | { id: number; result: AnalysisResults[keyof AnalysisResults] }
  | { id: number; error: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<LayoutJob | AnalysisJob>) => void) | null;
  postMessage(m: LayoutReply): void;
};

function analyse(job: AnalysisJob): AnalysisResults[keyof AnalysisResults] {
  switch (job.task) {
    case 'prepare':
      return prepareForView(job.graph);
    case 'autogroup':
      return autoGroupForView(job.graph);
    case 'compare':
      return compareForView(job.before, job.after, job.beforeName);
  }
}

scope.onmessage = (e) => {
  const job = e.data;
  try {
    if ('task' in job) scope.postMessage({ id: job.id, result: analyse(job) });
    else scope.postMessage({ id: job.id, results: job.requests.map(layoutGroup) });
  } catch (err) {
    scope.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
};
