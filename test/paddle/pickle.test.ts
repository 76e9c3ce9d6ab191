import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { openCheckpoint } from '../../src/paddle/checkpoint.js';
import { writeCheckpoint } from '../../src/paddle/checkpoint-writer.js';
import { readPdparams } from '../../src/paddle/numpy-pickle.js';
import { FileSpan, type PickleHooks, PyTuple, unpickle } from '../../src/paddle/pickle.js';
import { FilePickleSource } from '../../src/paddle/pickle-file-source.js';
import { ROOT, SHARED, tempDir } from '../helpers.js';

const REF = join(ROOT, 'test', 'reference', 'paddle');
const facts = JSON.parse(readFileSync(join(REF, 'reference.json'), 'utf8'));
const BEST = join(SHARED, 'testdata', 'paddle', 'v2-pickle-paddlescience-mlp', 'best_model.pdparams');

const NUMPY_TO_PADDLE: Record<string, string> = {
  f4: 'float32',
  f8: 'float64',
  i8: 'int64',
  b1: 'bool',
  f2: 'float16',
  u1: 'uint8',
};

function close(actual: number, expected: number, atol = 1e-6, rtol = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(atol + rtol * Math.abs(expected));
}

function expectWeightFormat(fn: () => unknown, phrase: string): void {
  try {
    fn();
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(PdsegError);
    expect((e as PdsegError).code).toBe('WEIGHT_FORMAT');
    expect((e as PdsegError).message).toContain(phrase);
  }
}

describe('pdparams pickle reader', () => {
  for (const proto of [2, 5]) {
    it(`reads a protocol-${proto} pickle written by Python/numpy, every dtype and value`, async () => {
      const cp = await openCheckpoint(join(REF, `small.p${proto}.pdparams`));
      expect(cp.layout).toBe('pdparams');
      expect(cp.names()).toEqual(Object.keys(facts.small));
      expect(cp.has('StructuredToParameterName@@')).toBe(false);
      for (const [name, f] of Object.entries(facts.small) as [
        string,
        { dtype: string; shape: number[]; values: unknown[] },
      ][]) {
        const t = await cp.read(name);
        expect(t.dtype).toBe(NUMPY_TO_PADDLE[f.dtype]);
        expect(t.dims).toEqual(f.shape);
        const got = Array.from(t.data as ArrayLike<number | bigint>).map((v) =>
          typeof v === 'bigint' ? String(v) : v,
        );
        expect(got).toEqual(f.values);
      }
      await cp.close();
    });
  }

  it('leaves large payloads in the file when parsing piecewise, and reads them back by offset', async () => {
    for (const proto of [2, 5]) {
      const file = join(REF, `small.p${proto}.pdparams`);
      const fd = openSync(file, 'r');
      try {
        const { arrays } = readPdparams(new FilePickleSource(fd, fstatSync(fd).size, 1), file);
        const raw = readFileSync(file);
        const f = facts.small.conv1_weights;
        const a = arrays.get('conv1_weights')!;
        expect(a.dims).toEqual(f.shape);
        if (proto === 5) {
          // protocol 5 holds the bytes verbatim: a span into the file
          expect(a.data).toBeInstanceOf(FileSpan);
          const span = a.data as FileSpan;
          const values = new Float32Array(
            raw.buffer.slice(raw.byteOffset + span.offset, raw.byteOffset + span.offset + span.length),
          );
          expect(Array.from(values)).toEqual(f.values);
        } else {
          // protocol 2 spells them as latin-1 text: decoded bytes
          expect(a.data).toBeInstanceOf(Uint8Array);
        }
      } finally {
        closeSync(fd);
      }
    }
  });

  it('names the file when a pdparams file on disk is truncated', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const bytes = readFileSync(BEST);
      writeFileSync(join(dir, 'model.pdparams'), bytes.subarray(0, bytes.length - 100));
      await expect(openCheckpoint(dir)).rejects.toThrow(/model\.pdparams.*truncated/s);
    } finally {
      await cleanup();
    }
  });

  it('reads the protocol-4 best_model.pdparams of PaddleScience, skipping the non-array entry', async () => {
    const cp = await openCheckpoint(BEST);
    expect(cp.layout).toBe('pdparams');
    expect(cp.names()).toEqual(Object.keys(facts.best_model));
    expect(facts.best_model_non_arrays).toEqual(['StructuredToParameterName@@']);
    expect(cp.has('StructuredToParameterName@@')).toBe(false);
    for (const [name, f] of Object.entries(facts.best_model) as [
      string,
      { shape: number[]; first: number[]; sum: number },
    ][]) {
      expect(cp.info(name)).toEqual({ name, dims: f.shape, dtype: 'float32' });
      const t = await cp.read(name);
      const data = t.data as Float32Array;
      for (const [i, v] of f.first.entries()) close(data[i]!, v);
      let sum = 0;
      for (const v of data) sum += v;
      close(sum, f.sum, 1e-4, 1e-6);
    }
    await cp.close();
  });

  it('refuses a GLOBAL outside the allowlist and names it (os.system style)', () => {
    // protocol 2: GLOBAL 'os\nsystem\n', 'echo hi', TUPLE1, REDUCE, STOP
    const evil = new Uint8Array([
      0x80,
      2,
      ...new TextEncoder().encode('cos\nsystem\n'),
      0x8c,
      7,
      ...new TextEncoder().encode('echo hi'),
      0x85,
      0x52,
      0x2e,
    ]);
    expectWeightFormat(() => readPdparams(evil, 'evil.pdparams'), 'refuses the Python global "os.system"');
  });

  it('refuses a STACK_GLOBAL outside the allowlist, even inside a dict of arrays', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeCheckpoint(
        dir,
        [{ name: 'w', dims: [1], dtype: 'float32', data: new Float32Array([1]) }],
        'pdparams',
      );
      const good = new Uint8Array(readFileSync(join(dir, 'model.pdparams')));
      // append a second entry whose value is builtins.eval('1'), before STOP
      const enc = (s: string): number[] => [0x8c, s.length, ...new TextEncoder().encode(s)];
      const extra = [
        0x28,
        ...enc('x'),
        ...enc('builtins'),
        ...enc('eval'),
        0x93,
        ...enc('1'),
        0x85,
        0x52,
        0x75,
      ];
      const evil = new Uint8Array([...good.subarray(0, good.length - 1), ...extra, 0x2e]);
      expectWeightFormat(() => readPdparams(evil, 'model.pdparams'), '"builtins.eval"');
      expect(readPdparams(good, 'model.pdparams').arrays.size).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('reports a truncated pickle and a pickle that is not a dict', () => {
    const bytes = new Uint8Array(readFileSync(join(REF, 'small.p5.pdparams')));
    expectWeightFormat(() => readPdparams(bytes.subarray(0, 600), 'cut.pdparams'), 'truncated');
    expectWeightFormat(
      () => readPdparams(new Uint8Array([0x80, 4, 0x5d, 0x2e]), 'list.pdparams'),
      'does not hold a dict',
    );
  });
});

describe('pickle machine', () => {
  /** JSON facts (make_reference.py's to_json) → the value model unpickle() promises. */
  function fromFacts(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(fromFacts);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('dict' in o)
      return new Map((o.dict as [unknown, unknown][]).map(([k, x]) => [fromFacts(k), fromFacts(x)]));
    if ('tuple' in o) return new PyTuple((o.tuple as unknown[]).map(fromFacts));
    if ('bytes' in o) return new Uint8Array(o.bytes as number[]);
    if ('float' in o) return Number(o.float);
    const big = BigInt(o.int as string);
    return Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }

  const hooks: PickleHooks = {
    allowGlobal: (m, n) => `${m}.${n}` === 'collections.OrderedDict' || `${m}.${n}` === '_codecs.encode',
    call: (fn, args) =>
      fn.name === 'OrderedDict'
        ? new Map()
        : new Uint8Array([...(args[0] as string)].map((c) => c.charCodeAt(0))),
    build: (obj) => obj,
  };

  for (const proto of [2, 4]) {
    it(`reproduces Python's values from a protocol-${proto} pickle (floats, big ints, memo, nesting)`, () => {
      const bytes = new Uint8Array(readFileSync(join(REF, `misc.p${proto}.pickle`)));
      const value = unpickle(bytes, hooks, `misc.p${proto}.pickle`);
      expect(value).toEqual(fromFacts(facts.misc));
      const words = (value as Map<string, unknown>).get('words');
      expect((value as Map<string, unknown>).get('again')).toBe(words); // one object, via the memo
    });
  }

  it('runs NEWOBJ on an allowed class and rejects REDUCE on a non-global', () => {
    const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
    // GLOBAL collections.OrderedDict, EMPTY_TUPLE, NEWOBJ, STOP
    const ok = new Uint8Array([0x80, 2, 0x63, ...enc('collections\nOrderedDict\n'), 0x29, 0x81, 0x2e]);
    expect(unpickle(ok, hooks, 'x')).toEqual(new Map());
    // 'abc', EMPTY_TUPLE, REDUCE
    const bad = new Uint8Array([0x80, 4, 0x8c, 3, ...enc('abc'), 0x29, 0x52, 0x2e]);
    expectWeightFormat(() => unpickle(bad, hooks, 'x'), 'not an allowed global');
  });
});
