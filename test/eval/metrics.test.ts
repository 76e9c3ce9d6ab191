/** Confusion matrix and PaddleSeg metrics against hand-computed matrices (spec §7.4). */
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { ConfusionMatrix } from '../../src/eval/confusion-matrix.js';
import { computeMetrics } from '../../src/eval/metrics.js';

const close = (a: number, b: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 + 1e-12 * Math.abs(b));

describe('ConfusionMatrix + computeMetrics', () => {
  it('counts rows = label, columns = prediction, skipping IGNORE_INDEX pixels', () => {
    const cm = new ConfusionMatrix(3);
    // pairs (label, pred): (0,0) (0,1) (1,1) (1,1) (2,0) (1,2); the 255 pixel is ignored
    cm.update([0, 0, 1, 1, 2, 255, 1], [0, 1, 1, 1, 0, 2, 2], 255);
    expect(Array.from(cm.counts)).toEqual([1, 1, 0, 0, 2, 1, 1, 0, 0]);
    const m = computeMetrics(cm);
    // row sums r = [2,3,1], column sums p = [2,3,1], T = 6, diagonal 3
    close(m.categoryIou[0] as number, 1 / 3);
    close(m.categoryIou[1] as number, 2 / 4);
    close(m.categoryIou[2] as number, 0);
    close(m.miou, (1 / 3 + 0.5 + 0) / 3);
    close(m.accuracy, 3 / 6);
    close(m.categoryAcc[0] as number, 1 / 2);
    close(m.categoryAcc[1] as number, 2 / 3);
    close(m.categoryAcc[2] as number, 0);
    // pe = (2·2 + 3·3 + 1·1)/36, po = 3/6 → kappa = (18/36 − 14/36)/(22/36) = 4/22
    close(m.kappa, 4 / 22);
    expect(m.pixels).toBe(6);
  });

  it('averages IoU over all K classes, absent ones counting 0', () => {
    const cm = new ConfusionMatrix(4);
    cm.update([0, 0, 1], [0, 1, 1], 255);
    const m = computeMetrics(cm);
    expect(m.categoryIou.map((v) => Number(v.toFixed(12)))).toEqual([0.5, 0.5, 0, 0]);
    close(m.miou, 0.25);
    close(m.accuracy, 2 / 3);
    expect(m.categoryAcc.map((v) => Number(v.toFixed(12)))).toEqual([1, 0.5, 0, 0]);
    // pe = (2·1 + 1·2)/9 = 4/9, po = 2/3 → kappa = (2/9)/(5/9) = 0.4
    close(m.kappa, 0.4);
  });

  it('handles an all-one-class image (kappa NaN as in numpy: pe = 1)', () => {
    const cm = new ConfusionMatrix(2);
    cm.update([1, 1, 1, 1], [1, 1, 1, 1], 255);
    const m = computeMetrics(cm);
    expect(m.categoryIou).toEqual([0, 1]);
    expect(m.miou).toBe(0.5);
    expect(m.accuracy).toBe(1);
    expect(m.categoryAcc).toEqual([0, 1]);
    expect(Number.isNaN(m.kappa)).toBe(true);
  });

  it('streams: two updates equal one update of the concatenation', () => {
    const a = new ConfusionMatrix(3);
    a.update([0, 1], [1, 1], 255);
    a.update([2, 2, 255], [2, 0, 1], 255);
    const b = new ConfusionMatrix(3);
    b.update([0, 1, 2, 2, 255], [1, 1, 2, 0, 1], 255);
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  });

  it('treats an all-ignored image as zero pixels (accuracy 0)', () => {
    const cm = new ConfusionMatrix(2);
    cm.update([255, 255], [0, 1], 255);
    const m = computeMetrics(cm);
    expect(m.pixels).toBe(0);
    expect(m.accuracy).toBe(0);
    expect(m.miou).toBe(0);
  });

  it('names the file and value of a label ≥ NUM_CLASSES', () => {
    const cm = new ConfusionMatrix(2);
    let err: unknown;
    try {
      cm.update([0, 7], [0, 1], 255, 'Annotations/H0001.png');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('LABEL_VALUE');
    expect((err as PdsegError).message).toContain('"Annotations/H0001.png" contains the value 7');
  });
});

describe('byte fast path', () => {
  it('counts exactly as the generic path on random maps with ignored pixels', () => {
    const n = 5000;
    const label = new Uint8Array(n);
    const pred = new Uint8Array(n);
    let s = 3;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      label[i] = s % 10 === 0 ? 255 : (s >>> 8) % 5;
      pred[i] = (s >>> 16) % 5;
    }
    const fast = new ConfusionMatrix(5);
    fast.update(label, pred, 255);
    const generic = new ConfusionMatrix(5);
    generic.update(Array.from(label), Array.from(pred), 255);
    expect(Array.from(fast.counts)).toEqual(Array.from(generic.counts));
    expect(Array.from(fast.counts).reduce((a, b) => a + b, 0)).toBe(label.filter((v) => v !== 255).length);
  });
});
