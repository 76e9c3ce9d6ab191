/**
 * Copies a response body to an async sink without ever leaving bytes in the body stream:
 * chunks are taken as soon as they arrive (flowing mode) and queued for the sink. Two
 * reasons: a connection that drops destroys the stream and with it any bytes still
 * buffered inside, which a resume would then fetch again; and undici 7 crashes when the
 * server closes the connection while the stream is full (see `fetch.ts`).
 */
import type { Readable } from 'node:stream';

/** Queue size (bytes) above which the stream is paused until the sink catches up. */
const HIGH_WATER = 64 * 1024 * 1024;

function isNodeReadable(body: AsyncIterable<Uint8Array>): body is AsyncIterable<Uint8Array> & Readable {
  const b = body as Partial<Readable>;
  return typeof b.on === 'function' && typeof b.pause === 'function' && typeof b.resume === 'function';
}

/**
 * Feeds every chunk of `body` to `sink`, in order. Resolves when the body ended and every
 * chunk was written. When the body fails, the chunks received before the failure are still
 * written, then the body's error is thrown. When the sink fails, its error is thrown.
 */
export async function pumpBody(
  body: AsyncIterable<Uint8Array>,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  if (!isNodeReadable(body)) {
    for await (const chunk of body) await sink(chunk);
    return;
  }
  const stream = body;
  await new Promise<void>((resolve, reject) => {
    const queue: Uint8Array[] = [];
    let queued = 0;
    let writing = false;
    let ended = false;
    let streamError: unknown;
    let sinkError: unknown;
    let settled = false;

    const settle = () => {
      if (settled || writing || (queue.length > 0 && sinkError === undefined)) return;
      if (sinkError !== undefined) {
        settled = true;
        reject(sinkError);
      } else if (streamError !== undefined) {
        settled = true;
        reject(streamError);
      } else if (ended) {
        settled = true;
        resolve();
      }
    };

    const drain = async () => {
      if (writing) return;
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
  });
}
