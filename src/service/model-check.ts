/**
 * Decides whether an upload is a model the viewer can open (issue 8: only models are
 * accepted, anything else gets 415 with the reason), using the viewer's own adapters, and
 * counts its nodes. This is the one place the service knows about model formats.
 *
 * Memory: an ONNX upload is judged from its skeleton (the file without initializer data,
 * see `model-skeleton.ts`), so a 100 MB model is never read whole. Other files (Paddle
 * programs hold no weights) are read whole only up to {@link WHOLE_FILE_LIMIT}.
 */
import { readFile, stat } from 'node:fs/promises';
import { isPdsegError, messageOf, PdsegError } from '../errors.js';
import { openModel } from '../viewer/adapters/index.js';
import { onnxSkeleton } from './model-skeleton.js';

/** What the service records about an accepted model. */
export interface ModelFacts {
  /** `onnx` or `paddle`. */
  format: string;
  /** Number of operator nodes the viewer shows. */
  nodeCount: number;
}

/** Largest non-ONNX file read whole to judge it: Paddle programs without weights are far smaller. */
export const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;

/**
 * Judges model bytes. Throws `PdsegError('MODEL_FORMAT')` with the viewer's reason per format.
 */
export function checkModel(bytes: Uint8Array, fileName?: string): ModelFacts {
  try {
    const { format, graph } = openModel(bytes, fileName ?? 'upload');
    return { format, nodeCount: graph.nodes.length };
  } catch (e) {
    if (isPdsegError(e, 'MODEL_FORMAT')) throw e;
    throw new PdsegError('MODEL_FORMAT', `'${fileName ?? 'upload'}' cannot be opened: ${messageOf(e)}`, {
      cause: e,
    });
  }
}

/** Judges the model file at `path` (an upload in the store's temporary folder). */
export async function checkModelFile(path: string, fileName?: string): Promise<ModelFacts> {
  const skeleton = await onnxSkeleton(path);
  let skeletonError: unknown;
  if (skeleton) {
    try {
      const facts = checkModel(skeleton, fileName);
      if (facts.format === 'onnx') return facts;
    } catch (e) {
      skeletonError = e;
    }
  }
  const { size } = await stat(path);
  if (size > WHOLE_FILE_LIMIT) {
    if (skeletonError) throw skeletonError;
    throw new PdsegError(
      'MODEL_FORMAT',
      `'${fileName ?? 'upload'}' (${size} bytes) is not an ONNX model (no graph found), and Paddle programs ` +
        `(__model__, .pdmodel) hold no weights and are smaller than ${WHOLE_FILE_LIMIT} bytes`,
    );
  }
  return checkModel(new Uint8Array(await readFile(path)), fileName);
}
