/**
 * Atomic file writes (STYLE.md §11): data goes to a temporary file in the destination's
 * folder, is flushed, and is then renamed over the destination, so a reader never sees a
 * half-written file and a crash leaves at most a `.tmp-*` file behind, never a damaged output.
 * Such leftovers of processes that are gone (killed mid-write) are removed by the next write
 * of the same file. Filesystem errors become `IO` errors that name the path and what to do.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { PdsegError } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EROFS: 'the filesystem is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'a folder on the path does not exist',
  EISDIR: 'it is a folder',
  EEXIST: 'a file is in the way',
};

/** An `IO` error for a failed write to `path` (`what` says what was being written). */
export function writeError(e: unknown, path: string, what: string): PdsegError {
  if (e instanceof PdsegError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? (e instanceof Error ? e.message : String(e));
  return new PdsegError(
    'IO',
    `cannot write ${what} "${path}": ${reason}${code ? ` (${code})` : ''}; choose a writable folder`,
    { cause: e },
  );
}

/** Pseudo-filesystems nothing should be written to (writes there fail oddly or hang). */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Creates `dir` (and its parents) for outputs named by config key `key`; refuses folders on
 * /proc, /sys or /dev and names the path and the reason when it cannot be created.
 */
export async function ensureOutputDir(dir: string, key: string): Promise<void> {
  const abs = resolve(dir);
  const real = await realpath(abs).catch(() => abs);
  if (SPECIAL_ROOTS.some((r) => real === r || real.startsWith(`${r}${sep}`))) {
    throw new PdsegError(
      'IO',
      `${key} "${dir}" is on ${real.split(sep).slice(0, 2).join(sep)}, a kernel pseudo-filesystem; write the output to a normal folder`,
    );
  }
  await mkdir(abs, { recursive: true }).catch((e: unknown) => {
    throw writeError(e, dir, `the ${key} folder`);
  });
}

/**
 * Removes `.<name>.tmp-<pid>-*` siblings of `path` (files or folders) left by processes that
 * no longer exist (killed mid-write or mid-extraction).
 */
export async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.tmp-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    await rm(join(dirname(path), n), { force: true, recursive: true }).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
  await removeStaleTemps(path);
  const tmp = tempSibling(path);
  const fh = await open(tmp, 'wx').catch((e: unknown) => {
    throw writeError(e, path, 'the file');
  });
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
    // A filesystem error (no space, read-only…) names the file; others pass as they are.
    throw typeof (e as NodeJS.ErrnoException).code === 'string' ? writeError(e, path, 'the file') : e;
  }
}
