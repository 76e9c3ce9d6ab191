/**
 * Decides whether uploaded bytes are a model the viewer can open (issue 8: only models are
 * accepted, anything else gets 415 with the reason). This is the one place the service
 * knows about model formats.
 */
import { isPdsegError, messageOf, PdsegError } from '../errors.js';
import { decodeModel } from '../onnx/decode.js';

/** What the service records about an accepted model. */
export interface ModelFacts {
  /** `onnx` or `paddle`. */
  format: string;
  /** Number of operator nodes in the main graph. */
  nodeCount: number;
}

/**
 * Inspects `bytes` (with the uploader's `fileName` as a hint). Throws `PdsegError('MODEL_FORMAT')`
 * whose message gives the reason when the bytes are not an ONNX model.
 */
export async function checkModel(bytes: Uint8Array, fileName?: string): Promise<ModelFacts> {
  try {
    const model = decodeModel(bytes);
    return { format: 'onnx', nodeCount: model.graph.node.length };
  } catch (e) {
    const reason = isPdsegError(e) ? e.message : messageOf(e);
    throw new PdsegError(
      'MODEL_FORMAT',
      `${fileName ? `'${fileName}'` : 'the upload'} is not a model the viewer can open: ${reason}`,
      { cause: e },
    );
  }
}
