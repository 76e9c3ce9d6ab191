/**
 * eval.py's final lines (spec §7.3) and pdseg's per-class table. Numbers are printed as
 * Python does: `{:.4f}` (round half to even on the exact binary value) and numpy arrays with
 * `precision=4, floatmode='fixed', linewidth=160`.
 */
import type { EvalResult } from './evaluate.js';

/** Python's `'{:.Nf}'.format(x)`: exact-value rounding, ties to even; `nan`/`inf` spelled as Python. */
export function pyFixed(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  // JS rounds exact ties away from zero; Python rounds them to even. Detect an exact tie.
  const exact = Math.abs(x).toPrecision(60);
  const dot = exact.indexOf('.');
  if (dot >= 0 && !exact.includes('e')) {
    const tail = exact.slice(dot + 1 + digits);
    if (/^50*$/.test(tail)) {
      const lastKept = Number(exact[dot + digits] ?? exact[dot - 1]);
      if (lastKept % 2 === 0) {
        // round toward zero (keep the even digit)
        const truncated = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
        return (x < 0 ? '-' : '') + (digits === 0 ? truncated.split('.')[0] : truncated);
      }
    }
  }
  return s;
}

/** `str(np.array(values))` with precision 4, fixed, linewidth 160. */
export function numpyArray(values: readonly number[], linewidth = 160): string {
  const items = values.map((v) => pyFixed(v, 4));
  const lines: string[] = [];
  let line = '[';
  items.forEach((item, i) => {
    const sep = i === 0 ? '' : ' ';
    const closing = i === items.length - 1 ? 1 : 0;
    if (line.length + sep.length + item.length + closing > linewidth && line.trim() !== '[') {
      lines.push(line);
      line = ` ${item}`;
    } else {
      line += sep + item;
    }
  });
  lines.push(`${line}]`);
  return lines.join('\n');
}

/** PaddleSeg's four final lines. */
export function paddleLines(r: EvalResult): string {
  return [
    `[EVAL]#image=${r.images} acc=${pyFixed(r.accuracy)} IoU=${pyFixed(r.miou)}`,
    `[EVAL]Category IoU: ${numpyArray(r.categoryIou)}`,
    `[EVAL]Category Acc: ${numpyArray(r.categoryAcc)}`,
    `[EVAL]Kappa:${pyFixed(r.kappa)}`,
  ].join('\n');
}

/** The per-class table: id, name (when known), IoU, precision ("Acc"), label and predicted pixels. */
export function classTable(r: EvalResult, names?: readonly string[]): string {
  const rows: string[][] = [['class', 'name', 'IoU', 'Acc (precision)', 'label px', 'pred px']];
  for (let c = 0; c < r.numClasses; c++) {
    const row = r.confusionMatrix[c] ?? [];
    const labelPx = row.reduce((a, b) => a + b, 0);
    const predPx = r.confusionMatrix.reduce((a, rr) => a + (rr[c] ?? 0), 0);
    rows.push([
      String(c),
      names?.[c] ?? '',
      pyFixed(r.categoryIou[c] as number),
      pyFixed(r.categoryAcc[c] as number),
      String(labelPx),
      String(predPx),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}
