/**
 * Takes a response body's chunks as soon as they arrive (flowing mode) and queues them for
 * an async sink that is attached later. Reasons: a connection that drops destroys the body
 * stream and with it any bytes still buffered inside (a resume would fetch them again) and
 * any 'error'/'close' event emitted before a listener exists (the download would then wait
 * forever); and undici 7 crashes when the server closes the connection while the body
 * stream is full (see `fetch.ts`).
 */
import type { Readable } from 'node:stream';

/** Queue size (bytes) above which the stream is paused until the sink catches up. */
const HIGH_WATER = 64 * 1024 * 1024;

/** A body being collected; `run` writes everything, in order, to a sink. */
export interface BodyPump {
  /**
   * Feeds every chunk to `sink`. Resolves when the body ended and every chunk was written.
   * When the body fails, the chunks received before the failure are still written, then
   * the body's error is thrown. When the sink fails, its error is thrown. Call once.
   */
  run(sink: (chunk: Uint8Array) => Promise<void>): Promise<void>;
}

function isNodeReadable(body: AsyncIterable<Uint8Array>): body is AsyncIterable<Uint8Array> & Readable {
  const b = body as Partial<Readable>;
  return typeof b.on === 'function' && typeof b.pause === 'function' && typeof b.resume === 'function';
}

/**
 * Starts collecting `body` now; call this as soon as the response arrives. An abort of
 * `signal` (the idle timeout) fails the pump even if the stream never reports anything.
 */
export function startPump(body: AsyncIterable<Uint8Array>, signal?: AbortSignal): BodyPump {
  if (!isNodeReadable(body)) {
    return {
      async run(sink) {
        for await (const chunk of body) await sink(chunk);
      },
    };
  }
  const stream = body;
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;
  let ended = false;
  let streamError: unknown;
  let sinkError: unknown;
  let sink: ((chunk: Uint8Array) => Promise<void>) | undefined;
  let finish: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  const settle = () => {
    if (!finish || writing || (queue.length > 0 && sinkError === undefined)) return;
    const done = finish;
    if (sinkError !== undefined) done.reject(sinkError);
    else if (streamError !== undefined) done.reject(streamError);
    else if (ended) done.resolve();
    else return;
    finish = undefined;
  };

  const drain = async () => {
    if (writing || !sink) return;
    writing = true;
    try {
      while (queue.length > 0 && sinkError === undefined) {
        const chunk = queue.shift() as Uint8Array;
        queued -= chunk.byteLength;
        if (stream.isPaused() && queued < HIGH_WATER / 2) stream.resume();
        await sink(chunk);
      }
    } catch (e) {
      sinkError = e;
      queue.length = 0;
      stream.destroy();
    } finally {
      writing = false;
    }
    settle();
  };

  if (stream.destroyed && !stream.readableEnded) {
    streamError = stream.errored ?? new Error('the connection closed before the response ended');
  }
  signal?.addEventListener(
    'abort',
    () => {
      streamError ??= signal.reason ?? new Error('aborted');
      settle();
    },
    { once: true },
  );
  stream.on('data', (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.byteLength;
    if (queued > HIGH_WATER) stream.pause();
    void drain();
  });
  stream.on('end', () => {
    ended = true;
    settle();
  });
  stream.on('error', (e) => {
    streamError ??= e;
    settle();
  });
  stream.on('close', () => {
    if (!ended && streamError === undefined && sinkError === undefined) {
      streamError = new Error('the connection closed before the response ended');
    }
    settle();
  });

  return {
    run(s) {
      sink = s;
      return new Promise<void>((resolve, reject) => {
        finish = { resolve, reject };
        void drain();
        settle();
      });
    },
  };
}
