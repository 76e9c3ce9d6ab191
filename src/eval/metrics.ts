/**
 * PaddleSeg's evaluation metrics from a confusion matrix (spec §7.4, `pdseg/metrics.py`):
 * per-class IoU and mIoU over ALL classes, overall accuracy, the per-class "Acc" (which is
 * precision: correct / predicted count), and Kappa with PaddleSeg's /10000 scaling.
 */
import type { ConfusionMatrix } from './confusion-matrix.js';

/** Everything eval reports. */
export interface SegMetrics {
  /** Per-class IoU `M[c][c] / (r_c + p_c − M[c][c])`, 0 when the denominator is 0. */
  categoryIou: number[];
  /** Mean of {@link categoryIou} over all K classes (absent classes count as 0). */
  miou: number;
  /** Overall pixel accuracy `ΣM[c][c] / T` (0 when T = 0). */
  accuracy: number;
  /** Per-class "Acc" as PaddleSeg names it: PRECISION `M[c][c] / p_c` (0 when p_c = 0). */
  categoryAcc: number[];
  /** Cohen's kappa, computed as PaddleSeg does (NaN when T = 0 or pe = 1, as there). */
  kappa: number;
  /** Pixels counted (T). */
  pixels: number;
}

/** Computes {@link SegMetrics} from a confusion matrix. */
export function computeMetrics(cm: ConfusionMatrix): SegMetrics {
  const k = cm.numClasses;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  let total = 0;
  let diag = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = cm.at(i, j);
      rows[i] = (rows[i] as number) + v;
      cols[j] = (cols[j] as number) + v;
      total += v;
    }
    diag += cm.at(i, i);
  }
  const categoryIou: number[] = [];
  const categoryAcc: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm.at(c, c);
    const union = (rows[c] as number) + (cols[c] as number) - tp;
    categoryIou.push(union === 0 ? 0 : tp / union);
    categoryAcc.push(cols[c] === 0 ? 0 : tp / (cols[c] as number));
  }
  const miou = categoryIou.reduce((a, b) => a + b, 0) / k;
  const accuracy = total === 0 ? 0 : diag / total;
  // spec §7.4: Kappa with every count divided by 10000 (float64), no guards.
  const t = total / 10000;
  let pe = 0;
  for (let c = 0; c < k; c++) pe += ((rows[c] as number) / 10000) * ((cols[c] as number) / 10000);
  pe /= t * t;
  const po = diag / 10000 / t;
  const kappa = (po - pe) / (1 - pe);
  return { categoryIou, miou, accuracy, categoryAcc, kappa, pixels: total };
}
