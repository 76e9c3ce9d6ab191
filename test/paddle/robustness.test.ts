import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { decodeTensorRecord } from '../../src/paddle/lod-tensor.js';
import { readPdparams } from '../../src/paddle/numpy-pickle.js';
import { decodeProgramDesc } from '../../src/paddle/program-desc.js';
import { ROOT, SHARED } from '../helpers.js';

const SIMPLE = join(SHARED, 'testdata', 'paddle', 'v2-paddlelite-simple_model');

/** Runs `fn` and returns the error code, 'ok' on success, or the foreign error's text. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof PdsegError ? e.code : `foreign ${String(e)}`;
  }
}

function corruptions(bytes: Uint8Array, count: number, within = bytes.length): Uint8Array[] {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const c = bytes.slice();
    for (let j = 0; j < 3; j++) c[rnd(within)] = rnd(256);
    out.push(c);
  }
  return out;
}

describe('damaged files fail with the format error, never a crash', () => {
  it('ProgramDesc: every truncation and 1000 seeded corruptions', () => {
    const bytes = new Uint8Array(readFileSync(join(SIMPLE, 'model.pdmodel')));
    const seen = new Set<string>();
    for (let i = 0; i < bytes.length; i += 7)
      seen.add(outcome(() => decodeProgramDesc(bytes.subarray(0, i))));
    for (const c of corruptions(bytes, 1000)) seen.add(outcome(() => decodeProgramDesc(c)));
    expect([...seen].filter((s) => s !== 'ok' && s !== 'MODEL_FORMAT')).toEqual([]);
    expect(seen.has('MODEL_FORMAT')).toBe(true);
  });

  it('pdparams: every truncation and 1000 seeded corruptions of Python-written pickles', () => {
    const seen = new Set<string>();
    for (const proto of [2, 5]) {
      const bytes = new Uint8Array(
        readFileSync(join(ROOT, 'test', 'reference', 'paddle', `small.p${proto}.pdparams`)),
      );
      for (let i = 0; i < bytes.length; i++) seen.add(outcome(() => readPdparams(bytes.subarray(0, i), 'x')));
      for (const c of corruptions(bytes, 500)) seen.add(outcome(() => readPdparams(c, 'x')));
    }
    expect([...seen].filter((s) => s !== 'ok' && s !== 'WEIGHT_FORMAT')).toEqual([]);
  });

  it('LoDTensor record: 1000 seeded corruptions of the first header', () => {
    const bytes = new Uint8Array(readFileSync(join(SIMPLE, 'model.pdiparams')));
    const seen = new Set<string>();
    for (const c of corruptions(bytes, 1000, 40))
      seen.add(outcome(() => decodeTensorRecord(c, 0, 'conv1_bn_mean')));
    expect([...seen].filter((s) => s !== 'ok' && s !== 'WEIGHT_FORMAT')).toEqual([]);
  });
});
