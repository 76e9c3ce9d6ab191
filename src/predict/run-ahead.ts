/**
 * Feeds batches to a session so that the next batch is already queued in the session's
 * worker while the current one computes (issue 5's pipeline): onnxruntime starts the next
 * run the moment it posts a result, instead of waiting for the main thread to receive that
 * result and answer with the next input. Results come back in submission order.
 */
import type { OutputTensor, RunOptions } from './session.js';

/** What the pipelines need from a session: one batch in, the `[N,1,H,W]` label map out. */
export interface LabelRunner {
  run(data: Float32Array, dims: readonly number[], options?: RunOptions): Promise<OutputTensor>;
}

/** One batch of items and its NCHW input. */
export interface Batch<T> {
  items: T[];
  /** Given up to the runner (transferred to its worker): not readable after submission. */
  data: Float32Array;
  dims: number[];
}

/** The outcome of one batch: its output, or the error the runner reported. */
export type BatchResult<T> =
  | { ok: true; batch: Batch<T>; out: OutputTensor }
  | { ok: false; batch: Batch<T>; error: unknown };

/**
 * Submits batches from `batches` keeping up to `depth` of them queued or running, and yields
 * their results in order. Pulling the next result is what lets the next batch be prepared,
 * so memory stays bounded by `depth` inputs plus whatever `batches` prefetches.
 */
export async function* runAhead<T>(
  batches: AsyncIterable<Batch<T>>,
  runner: LabelRunner,
  depth = 2,
): AsyncGenerator<BatchResult<T>> {
  const source = batches[Symbol.asyncIterator]();
  const inflight: { batch: Batch<T>; out: Promise<OutputTensor> }[] = [];
  let ended = false;
  for (;;) {
    while (!ended && inflight.length < Math.max(1, depth)) {
      const next = await source.next();
      if (next.done) {
        ended = true;
        break;
      }
      const out = runner.run(next.value.data, next.value.dims, { transfer: true });
      out.catch(() => {}); // observed below, in order
      inflight.push({ batch: next.value, out });
    }
    const head = inflight.shift();
    if (!head) return;
    let result: BatchResult<T>;
    try {
      result = { ok: true, batch: head.batch, out: await head.out };
    } catch (error) {
      result = { ok: false, batch: head.batch, error };
    }
    yield result;
  }
}

/** Options of {@link prefetchBatches}. */
export interface PrefetchOptions<S> {
  batchSize: number;
  /** Most preparations under way at once. */
  prefetch: number;
  /** Channels, height and width of one input. */
  chw: readonly [number, number, number];
  /**
   * Receives a source whose preparation failed, in input order, and the batch goes on
   * without it. Without it, the first failure ends the iteration with its error.
   */
  onError?: (source: S, error: unknown) => void;
}

/**
 * Prepares `sources` in order with at most `prefetch` preparations under way (decoding the
 * next images while the session computes), and groups the prepared items into batches of
 * up to `batchSize` NCHW inputs.
 */
export async function* prefetchBatches<S, T>(
  sources: readonly S[],
  prepare: (source: S) => Promise<{ item: T; tensor: Float32Array }>,
  o: PrefetchOptions<S>,
): AsyncGenerator<Batch<T>> {
  const queue: { source: S; prepared: Promise<{ item: T; tensor: Float32Array }> }[] = [];
  let next = 0;
  const refill = () => {
    while (queue.length < o.prefetch && next < sources.length) {
      const source = sources[next++] as S;
      const prepared = prepare(source);
      prepared.catch(() => {}); // observed when awaited below
      queue.push({ source, prepared });
    }
  };
  const [c, h, w] = o.chw;
  refill();
  while (queue.length > 0) {
    const items: T[] = [];
    const tensors: Float32Array[] = [];
    while (items.length < o.batchSize && queue.length > 0) {
      const { source, prepared } = queue.shift() as (typeof queue)[number];
      refill();
      try {
        const r = await prepared;
        items.push(r.item);
        tensors.push(r.tensor);
      } catch (e) {
        if (!o.onError) throw e;
        o.onError(source, e);
      }
    }
    if (items.length > 0) yield { items, data: stackBatch(tensors, c, h, w), dims: [items.length, c, h, w] };
  }
}

/** Concatenates per-image CHW tensors into one NCHW batch (the single tensor itself for one). */
export function stackBatch(tensors: readonly Float32Array[], c: number, h: number, w: number): Float32Array {
  if (tensors.length === 1) return tensors[0] as Float32Array;
  const plane = c * h * w;
  const data = new Float32Array(plane * tensors.length);
  for (let i = 0; i < tensors.length; i++) data.set(tensors[i] as Float32Array, i * plane);
  return data;
}
