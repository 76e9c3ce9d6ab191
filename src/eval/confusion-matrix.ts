/**
 * PaddleSeg's streaming confusion matrix (spec §7.4, `pdseg/metrics.py` `ConfusionMatrix`):
 * `K×K` counts, rows = ground-truth label, columns = prediction; pixels whose label equals
 * IGNORE_INDEX are skipped. Counts are kept in a Float64Array (exact up to 2^53 pixels).
 */
import { PdsegError } from '../errors.js';

/** A K×K confusion matrix, row-major: `counts[label * K + pred]`. */
export class ConfusionMatrix {
  /** Number of classes K. */
  readonly numClasses: number;
  /** Row-major counts, rows = ground truth, columns = prediction. */
  readonly counts: Float64Array;

  constructor(numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
      throw new RangeError(`numClasses must be an integer in 1…256, got ${numClasses}`);
    }
    this.numClasses = numClasses;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one image (or batch) of `label` and `pred` values, same length. Labels equal to
   * `ignoreIndex` are skipped; any other label ≥ K is an error naming `source` and the value
   * (PaddleSeg would fail with an index error). Predictions must be < K.
   */
  update(label: ArrayLike<number>, pred: ArrayLike<number>, ignoreIndex: number, source = 'label'): void {
    const k = this.numClasses;
    if (label.length !== pred.length) {
      throw new RangeError(`label has ${label.length} values but prediction has ${pred.length}`);
    }
    if (label instanceof Uint8Array && pred instanceof Uint8Array) {
      this.updateBytes(label, pred, ignoreIndex, source);
      return;
    }
    // Count into a local Uint32Array per call (fast integer increments), then fold in.
    const local = new Uint32Array(k * k);
    for (let i = 0; i < label.length; i++) {
      const l = label[i] as number;
      if (l === ignoreIndex) continue;
      if (l >= k || l < 0) {
        throw new PdsegError(
          'LABEL_VALUE',
          `label "${source}" contains the value ${l}, but DATASET.NUM_CLASSES is ${k} and DATASET.IGNORE_INDEX is ${ignoreIndex}; fix the label or set NUM_CLASSES/IGNORE_INDEX`,
        );
      }
      const p = pred[i] as number;
      if (p >= k || p < 0) throw new RangeError(`prediction value ${p} is outside 0…${k - 1}`);
      local[l * k + p] = (local[l * k + p] as number) + 1;
    }
    for (let i = 0; i < local.length; i++) this.counts[i] = (this.counts[i] as number) + (local[i] as number);
  }

  /**
   * Fast path for byte maps: a branch-free 256×256 histogram of (label, pred) pairs, then
   * one pass over it that applies IGNORE_INDEX and the range checks.
   */
  private updateBytes(label: Uint8Array, pred: Uint8Array, ignoreIndex: number, source: string): void {
    const k = this.numClasses;
    const hist = new Uint32Array(65536);
    const n = label.length;
    for (let i = 0; i < n; i++) hist[((label[i] as number) << 8) | (pred[i] as number)]++;
    for (let l = 0; l < 256; l++) {
      if (l === ignoreIndex) continue;
      const row = l << 8;
      for (let p = 0; p < 256; p++) {
        const c = hist[row | p] as number;
        if (c === 0) continue;
        if (l >= k) {
          throw new PdsegError(
            'LABEL_VALUE',
            `label "${source}" contains the value ${l}, but DATASET.NUM_CLASSES is ${k} and DATASET.IGNORE_INDEX is ${ignoreIndex}; fix the label or set NUM_CLASSES/IGNORE_INDEX`,
          );
        }
        if (p >= k) throw new RangeError(`prediction value ${p} is outside 0…${k - 1}`);
        this.counts[l * k + p] = (this.counts[l * k + p] as number) + c;
      }
    }
  }

  /** Count at (label, pred). */
  at(label: number, pred: number): number {
    return this.counts[label * this.numClasses + pred] as number;
  }
}
