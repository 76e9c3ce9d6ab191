/**
 * Reading an input file that may be anything a user's folder holds: only regular files are
 * read (a FIFO named `fifo.png` would block forever, a symlink to `/dev/zero` never ends),
 * opened non-blocking so even opening a FIFO cannot stall, and only up to a size limit.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file was not read, for the caller's error. */
export class UnreadableFile extends Error {}

function kind(s: import('node:fs').Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  if (s.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** The bytes of the regular file at `path` (symlinks followed), at most `maxBytes` of them. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const s = await fh.stat();
    if (!s.isFile())
      throw new UnreadableFile(`it is ${kind(s)}, not a regular file; only image files are read`);
    if (s.size > maxBytes) {
      throw new UnreadableFile(`it is ${s.size} bytes, more than the ${maxBytes} an input file may have`);
    }
    const out = new Uint8Array(s.size);
    let done = 0;
    while (done < s.size) {
      const { bytesRead } = await fh.read(out, done, s.size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === s.size ? out : out.subarray(0, done);
  } finally {
    await fh.close();
  }
}
