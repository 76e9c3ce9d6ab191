/**
 * Atomic file writes (STYLE.md §11): data goes to a temporary file in the destination's
 * folder, is flushed, and is then renamed over the destination, so a reader never sees a
 * half-written file and a crash leaves at most a `.tmp-*` file behind, never a damaged output.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
      for await (const chunk of data as AsyncIterable<Uint8Array>) await fh.write(chunk);
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
