/** eval's printed lines: Python `{:.4f}` rounding and numpy fixed-precision arrays. */
import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/evaluate.js';
import { classTable, numpyArray, paddleLines, pyFixed } from '../../src/eval/report.js';

describe('pyFixed', () => {
  it('rounds exact binary ties to even as Python does', () => {
    expect(pyFixed(0.03125)).toBe('0.0312'); // exact tie: Python keeps the even digit
    expect(pyFixed(0.09375)).toBe('0.0938');
    expect(pyFixed(0.5)).toBe('0.5000');
    expect(pyFixed(2 / 3)).toBe('0.6667');
    expect(pyFixed(Number.NaN)).toBe('nan');
  });
});

describe('PaddleSeg lines', () => {
  const r: EvalResult = {
    images: 76,
    numClasses: 2,
    categoryIou: [0.99, 0.5],
    categoryAcc: [1, 0.25],
    miou: 0.745,
    accuracy: 0.98765,
    kappa: 2 / 3,
    pixels: 100,
    confusionMatrix: [
      [90, 0],
      [3, 1],
    ],
    seconds: 1,
  };
  it('prints the four final lines of eval.py', () => {
    expect(paddleLines(r).split('\n')).toEqual([
      '[EVAL]#image=76 acc=0.9877 IoU=0.7450',
      '[EVAL]Category IoU: [0.9900 0.5000]',
      '[EVAL]Category Acc: [1.0000 0.2500]',
      '[EVAL]Kappa:0.6667',
    ]);
  });
  it('wraps long arrays at 160 columns', () => {
    const text = numpyArray(new Array(30).fill(0.5));
    expect(text.split('\n').every((l) => l.length <= 160)).toBe(true);
    expect(text.split('\n').length).toBe(2);
  });
  it('tabulates classes with names and pixel counts', () => {
    const lines = classTable(r, ['background', 'optic disc']).split('\n');
    expect(lines[0]).toContain('Acc (precision)');
    expect(lines[2]).toMatch(/^\s*1\s+optic disc\s+0\.5000\s+0\.2500\s+4\s+1$/);
  });
});
