/**
 * The layout Web Worker (issue 6): receives batches of per-group layout requests and answers
 * with dagre results, so the page's main thread never runs a layout.
 */
import { type LayoutRequest, type LayoutResult, layoutGroup } from '../layout-engine.js';

/** Message the page sends. */
export interface LayoutJob {
  id: number;
  requests: LayoutRequest[];
}

/** Message the worker answers with. */
export type LayoutReply = { id: number; results: LayoutResult[] } | { id: number; error: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<LayoutJob>) => void) | null;
  postMessage(m: LayoutReply): void;
};

scope.onmessage = (e) => {
  const { id, requests } = e.data;
  try {
    scope.postMessage({ id, results: requests.map(layoutGroup) });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
