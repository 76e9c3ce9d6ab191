/**
 * runAhead keeps the next batch queued in the session while the current one computes, and
 * hands results back in order. The runner here is a fake whose runs finish only when the
 * test says so, so "submitted before the previous result was handled" is observed directly.
 * prefetchBatches keeps a bounded number of preparations under way and batches them in order.
 */
import { describe, expect, it } from 'vitest';
import {
  type Batch,
  type BatchResult,
  type LabelRunner,
  prefetchBatches,
  runAhead,
  stackBatch,
} from '../../src/predict/run-ahead.js';
import type { OutputTensor, RunOptions } from '../../src/predict/session.js';

/** A runner whose runs are resolved by hand; records the order of calls. */
class ManualRunner implements LabelRunner {
  readonly calls: {
    tag: number;
    options?: RunOptions;
    resolve: (o: OutputTensor) => void;
    reject: (e: unknown) => void;
  }[] = [];
  readonly log: string[] = [];
  run(data: Float32Array, _dims: readonly number[], options?: RunOptions): Promise<OutputTensor> {
    const tag = data[0] as number;
    this.log.push(`run ${tag}`);
    return new Promise((resolve, reject) => this.calls.push({ tag, options, resolve, reject }));
  }
  finish(tag: number): void {
    const c = this.calls.find((x) => x.tag === tag);
    c?.resolve({ dims: [1], data: Uint8Array.of(tag) });
  }
}

async function* batchesOf(tags: number[]): AsyncGenerator<Batch<number>> {
  for (const t of tags) yield { items: [t], data: Float32Array.of(t), dims: [1, 1, 1, 1] };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runAhead', () => {
  it('submits the next batch before the current result is handled, and returns results in order', async () => {
    const runner = new ManualRunner();
    const results: BatchResult<number>[] = [];
    const consumer = (async () => {
      for await (const r of runAhead(batchesOf([1, 2, 3]), runner, 2)) {
        runner.log.push(`handled ${r.batch.items[0]}`);
        results.push(r);
      }
    })();
    await tick();
    // Two runs are queued before any result exists.
    expect(runner.log).toEqual(['run 1', 'run 2']);
    // Finishing the second first does not reorder the results.
    runner.finish(2);
    await tick();
    expect(runner.log).toEqual(['run 1', 'run 2']);
    runner.finish(1);
    await tick();
    // Once result 1 has been handled, run 3 is queued before result 2 is handed out.
    expect(runner.log.slice(2)).toEqual(['handled 1', 'run 3', 'handled 2']);
    runner.finish(3);
    await consumer;
    expect(results.map((r) => (r.ok ? Array.from(r.out.data as Uint8Array) : 'error'))).toEqual([
      [1],
      [2],
      [3],
    ]);
    // The pipelines give their input buffers to the session.
    expect(runner.calls.every((c) => c.options?.transfer === true)).toBe(true);
  });

  it('never has more than depth runs outstanding', async () => {
    const runner = new ManualRunner();
    const consumer = (async () => {
      for await (const _ of runAhead(batchesOf([1, 2, 3, 4, 5]), runner, 3)) {
        // results are consumed as they come
      }
    })();
    for (let tag = 1; tag <= 5; tag++) {
      await tick();
      const outstanding = runner.calls.length - (tag - 1);
      expect(outstanding).toBeLessThanOrEqual(3);
      runner.finish(tag);
    }
    await consumer;
    expect(runner.calls.map((c) => c.tag)).toEqual([1, 2, 3, 4, 5]);
  });

  it("reports a failed run as that batch's error and goes on with the next", async () => {
    const runner = new ManualRunner();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const r of runAhead(batchesOf([1, 2]), runner)) {
        seen.push(
          r.ok ? `ok ${r.batch.items[0]}` : `error ${r.batch.items[0]}: ${(r.error as Error).message}`,
        );
      }
    })();
    await tick();
    runner.calls[0]?.reject(new Error('boom'));
    runner.finish(2);
    await consumer;
    expect(seen).toEqual(['error 1: boom', 'ok 2']);
  });
});

describe('stackBatch', () => {
  it('returns a single tensor itself and concatenates several in order', () => {
    const a = Float32Array.of(1, 2);
    expect(stackBatch([a], 2, 1, 1)).toBe(a);
    expect(Array.from(stackBatch([a, Float32Array.of(3, 4)], 2, 1, 1))).toEqual([1, 2, 3, 4]);
  });
});

describe('prefetchBatches', () => {
  /** prepare() of numbers: a one-value tensor; odd sources listed in `bad` fail. */
  const preparer = (bad: number[], log: string[]) => async (n: number) => {
    log.push(`prepare ${n}`);
    await tick();
    if (bad.includes(n)) throw new Error(`bad ${n}`);
    return { item: n, tensor: Float32Array.of(n) };
  };

  it('groups prepared items in input order, skipping failures reported in order', async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const batches: Batch<number>[] = [];
    for await (const b of prefetchBatches([1, 2, 3, 4, 5], preparer([2, 4], log), {
      batchSize: 2,
      prefetch: 2,
      chw: [1, 1, 1],
      onError: (n, e) => errors.push(`${n}: ${(e as Error).message}`),
    }))
      batches.push(b);
    expect(batches.map((b) => b.items)).toEqual([[1, 3], [5]]);
    expect(batches.map((b) => Array.from(b.data))).toEqual([[1, 3], [5]]);
    expect(batches.map((b) => b.dims)).toEqual([
      [2, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    expect(errors).toEqual(['2: bad 2', '4: bad 4']);
  });

  it('never has more than prefetch preparations under way', async () => {
    const log: string[] = [];
    const gen = prefetchBatches([1, 2, 3, 4, 5], preparer([], log), {
      batchSize: 1,
      prefetch: 2,
      chw: [1, 1, 1],
    });
    await gen.next();
    // Item 1 was taken and its slot refilled: 1, 2 and 3 started, not 4.
    expect(log).toEqual(['prepare 1', 'prepare 2', 'prepare 3']);
    await gen.return(undefined);
  });

  it('without onError, the first failure ends the iteration with its error', async () => {
    const got: number[][] = [];
    const run = async () => {
      for await (const b of prefetchBatches([1, 2, 3], preparer([2], []), {
        batchSize: 1,
        prefetch: 2,
        chw: [1, 1, 1],
      }))
        got.push(b.items);
    };
    await expect(run()).rejects.toThrow('bad 2');
    expect(got).toEqual([[1]]);
  });
});
