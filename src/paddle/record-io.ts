/**
 * File access for §9.7 records: read a record header at a file position with a few small
 * reads (never the data), and read a record's data straight into a fresh, aligned buffer.
 */
import type { FileHandle } from 'node:fs/promises';
import { PdsegError } from '../errors.js';
import { type TensorData, typedView } from './dtype.js';
import { isHeader, parseTensorHeader, type TensorHeader } from './lod-tensor.js';
import type { TensorInfo } from './tensor.js';

/** First read size for a header; a parameter header is 20 + L ≈ 30–40 bytes. */
const FIRST_READ = 256;

/**
 * Reads and parses the record header at `position` of an open file of `fileSize` bytes.
 * Returns `undefined` when the file ends inside the header. `what` names file and variable.
 */
export async function readHeaderAt(
  fh: FileHandle,
  position: number,
  fileSize: number,
  what: string,
): Promise<TensorHeader | undefined> {
  let want = Math.min(FIRST_READ, fileSize - position);
  for (;;) {
    if (want <= 0) return undefined;
    const buf = new Uint8Array(want);
    const { bytesRead } = await fh.read(buf, 0, want, position);
    const h = parseTensorHeader(buf.subarray(0, bytesRead), what);
    if (isHeader(h)) return h;
    if (h.need <= bytesRead || position + h.need > fileSize) return undefined;
    want = h.need;
  }
}

/** Reads `info`'s data (`length` bytes at `position`) into a new aligned buffer. */
export async function readDataAt(
  fh: FileHandle,
  info: TensorInfo,
  position: number,
  length: number,
  what: string,
): Promise<TensorData> {
  const buffer = new ArrayBuffer(length);
  const bytes = new Uint8Array(buffer);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new PdsegError(
        'WEIGHT_FORMAT',
        `${what}: the file ends after ${done} of the ${length} data bytes of [${info.dims.join(',')}] ${info.dtype} (truncated); download or save the checkpoint again.`,
      );
    }
    done += bytesRead;
  }
  return typedView(info.dtype, buffer, 0, length);
}
