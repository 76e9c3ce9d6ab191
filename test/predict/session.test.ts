import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPdsegError } from '../../src/errors.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { AttributeType, TensorDataType } from '../../src/onnx/types.js';
import { SegSession } from '../../src/predict/session.js';
import { floatInfo, modelOf } from '../fixtures/onnx-model.js';

/** One 3×3 convolution c→c with pad 1 on [1, c, s, s]; weights are all 1/(9c). */
function convModel(c: number, s: number): Uint8Array {
  const w = new Float32Array(c * c * 9).fill(1 / (9 * c));
  return encodeModel(
    modelOf({
      name: 'conv',
      node: [
        {
          name: 'conv',
          opType: 'Conv',
          domain: '',
          input: ['x', 'w'],
          output: ['y'],
          attribute: [
            { name: 'kernel_shape', type: AttributeType.INTS, ints: [3, 3] },
            { name: 'pads', type: AttributeType.INTS, ints: [1, 1, 1, 1] },
          ],
          docString: '',
        },
      ],
      initializer: [
        { name: 'w', dims: [c, c, 3, 3], dataType: TensorDataType.FLOAT, rawData: new Uint8Array(w.buffer) },
      ],
      input: [floatInfo('x', [1, c, s, s])],
      output: [floatInfo('y', [1, c, s, s])],
      valueInfo: [],
      docString: '',
    }),
  );
}

describe('SegSession (onnxruntime in a worker thread)', () => {
  it('computes the model and returns its output', async () => {
    const session = await SegSession.create(convModel(2, 4), { threads: 1 });
    try {
      const out = await session.run(new Float32Array(2 * 16).fill(1), [1, 2, 4, 4]);
      expect(out.dims).toEqual([1, 2, 4, 4]);
      // Interior pixels see 9 neighbours × 2 channels of 1, weighted 1/18: exactly 1; corners 4/9.
      const y = out.data as Float32Array;
      expect(y[5]).toBeCloseTo(1, 6);
      expect(y[0]).toBeCloseTo(4 / 9, 6);
    } finally {
      await session.release();
    }
  });

  it('leaves the main thread free while the network runs', async () => {
    // onnxruntime-node computes synchronously on the calling thread; on the main thread no
    // timer could fire between the start and the end of one run.
    const session = await SegSession.create(convModel(256, 96), { threads: 1 });
    try {
      const input = new Float32Array(256 * 96 * 96).fill(0.5);
      await session.run(input, [1, 256, 96, 96]);
      const ticks: number[] = [];
      const timer = setInterval(() => ticks.push(performance.now()), 2);
      const start = performance.now();
      await session.run(input, [1, 256, 96, 96]);
      const end = performance.now();
      clearInterval(timer);
      const during = ticks.filter((t) => t > start + 10 && t < end - 2);
      expect(end - start).toBeGreaterThan(30);
      expect(during.length).toBeGreaterThanOrEqual(3);
    } finally {
      await session.release();
    }
  });

  it('computes runs posted back to back in order, each with its own input', async () => {
    const session = await SegSession.create(convModel(1, 2), { threads: 1 });
    try {
      // Weights 1/9: the corner of a 2×2 map sees all four inputs.
      const runs = [1, 2, 3].map((v) => session.run(new Float32Array(4).fill(9 * v), [1, 1, 2, 2]));
      const outs = await Promise.all(runs);
      expect(outs.map((o) => Array.from(o.data as Float32Array))).toEqual([
        [4, 4, 4, 4],
        [8, 8, 8, 8],
        [12, 12, 12, 12],
      ]);
    } finally {
      await session.release();
    }
  });

  it('moves the input to the worker with transfer, and copies it otherwise', async () => {
    const session = await SegSession.create(convModel(1, 2), { threads: 1 });
    try {
      const kept = new Float32Array(4).fill(9);
      await session.run(kept, [1, 1, 2, 2]);
      expect(kept.length).toBe(4);
      const given = new Float32Array(4).fill(9);
      const out = await session.run(given, [1, 1, 2, 2], { transfer: true });
      expect(given.buffer.byteLength).toBe(0);
      expect(Array.from(out.data as Float32Array)).toEqual([4, 4, 4, 4]);
    } finally {
      await session.release();
    }
  });

  it('takes the model bytes over with transfer, and leaves them to the caller otherwise', async () => {
    const kept = convModel(1, 2);
    await (await SegSession.create(kept, { threads: 1 })).release();
    expect(kept.byteLength).toBeGreaterThan(0);
    const given = convModel(1, 2).slice();
    const session = await SegSession.create(given, { threads: 1, transfer: true });
    expect(given.byteLength).toBe(0);
    const out = await session.run(new Float32Array(4).fill(9), [1, 1, 2, 2]);
    expect(Array.from(out.data as Float32Array)).toEqual([4, 4, 4, 4]);
    await session.release();
  });

  it("writes onnxruntime's profile with profilePrefix, complete at release", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pdseg-profile-'));
    try {
      const session = await SegSession.create(convModel(1, 2), { threads: 1, profilePrefix: join(dir, 'p') });
      await session.run(new Float32Array(4), [1, 1, 2, 2]);
      await session.release();
      const files = await readdir(dir);
      expect(files.length).toBe(1);
      const events = JSON.parse(await readFile(join(dir, files[0] as string), 'utf8')) as {
        cat: string;
        name: string;
        args?: { op_name?: string };
      }[];
      expect(events.some((e) => e.cat === 'Node' && e.args?.op_name === 'Conv')).toBe(true);
      expect(events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects bytes that are not a model with MODEL_FORMAT naming the source', async () => {
    const e = await SegSession.create(new TextEncoder().encode('not a model'), { source: 'x.onnx' }).catch(
      (err: unknown) => err,
    );
    expect(isPdsegError(e, 'MODEL_FORMAT')).toBe(true);
    expect((e as Error).message).toContain('"x.onnx"');
  });

  it('rejects a run after release with WORK_FAILED', async () => {
    const session = await SegSession.create(convModel(1, 2), { threads: 1 });
    await session.release();
    const e = await session.run(new Float32Array(4), [1, 1, 2, 2]).catch((err: unknown) => err);
    expect(isPdsegError(e, 'WORK_FAILED')).toBe(true);
  });
});
