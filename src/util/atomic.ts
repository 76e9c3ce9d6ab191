/**
 * Atomic file writes (STYLE.md §11): data goes to a temporary file in the destination's
 * folder, is flushed, and is then renamed over the destination, so a reader never sees a
 * half-written file and a crash leaves at most a `.tmp-*` file behind, never a damaged output.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Buffers per vectored write (POSIX IOV_MAX is 1024 on Linux). */
const MAX_IOV = 1024;
/** Bytes gathered before a vectored write is issued. */
const BATCH_BYTES = 8 * 1024 * 1024;

/** Writes every buffer of `chunks`, in order, retrying short vectored writes. */
async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending);
    let skip = bytesWritten;
    let i = 0;
    while (i < pending.length && skip >= pending[i]!.byteLength) {
      skip -= pending[i]!.byteLength;
      i++;
    }
    pending = pending.slice(i);
    if (skip > 0 && pending.length > 0) pending[0] = pending[0]!.subarray(skip);
  }
}

/** Name of a temporary sibling of `path`, unique per call. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `data` to `path` atomically. With `fsync` (default true) the file is flushed to
 * disk before the rename, so the rename publishes complete content even across a crash.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: { fsync?: boolean } = {},
): Promise<void> {
  const tmp = tempSibling(path);
  const fh = await open(tmp, 'wx');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      await fh.writeFile(data);
    } else {
      // Chunks are gathered into vectored writes: an encoded model is thousands of small
      // chunks around a few large weight buffers, and one write call per chunk costs more
      // than writing the bytes (see bench/export.mjs).
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await writeAll(fh, batch);
        batch = [];
        batchBytes = 0;
      };
      for await (const chunk of data as AsyncIterable<Uint8Array>) {
        batch.push(chunk);
        batchBytes += chunk.byteLength;
        if (batch.length >= MAX_IOV || batchBytes >= BATCH_BYTES) await flush();
      }
      await flush();
    }
    if (options.fsync ?? true) await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}
