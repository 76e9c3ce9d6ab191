/**
 * `model.pdparams` checkpoints (spec §9.8). Opening runs the restricted pickle reader over
 * the file piecewise: array data that lies verbatim in the file (protocol 3+ bytes) is not
 * read but remembered as (offset, length), so `read` reads one array from disk into a fresh
 * aligned buffer, exactly as the combined layout does, and the weights are never held twice.
 * Arrays the pickle encodes as text (protocol 2's latin-1 strings) are decoded once and kept.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { PdsegError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { typedView } from './dtype.js';
import { readPdparams } from './numpy-pickle.js';
import { FileSpan } from './pickle.js';
import { FilePickleSource } from './pickle-file-source.js';
import { readDataAt } from './record-io.js';
import type { Tensor, TensorInfo } from './tensor.js';

interface Entry {
  info: TensorInfo;
  /** Where the data lies in the file, when verbatim. */
  offset?: number;
  length: number;
  /** The decoded data, when it is not verbatim in the file. */
  bytes?: Uint8Array;
}

/** Opens a pdparams pickle. Throws `WEIGHT_FORMAT` when it is not a pickle of numpy arrays. */
export async function openPdparams(file: string): Promise<Checkpoint> {
  const fh = await open(file, 'r');
  try {
    const { entries, skipped } = await index(fh, file);
    if (entries.size === 0) {
      throw new PdsegError(
        'WEIGHT_FORMAT',
        `"${file}" holds no numpy arrays (keys: ${skipped.slice(0, 5).join(', ') || 'none'}).`,
      );
    }
    return new PdparamsCheckpoint(file, entries, fh);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function index(
  fh: FileHandle,
  file: string,
): Promise<{ entries: Map<string, Entry>; skipped: string[] }> {
  const size = (await fh.stat()).size;
  const first = new Uint8Array(1);
  await fh.read(first, 0, 1, 0);
  if (size < 2 || first[0] !== 0x80) {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${file}" is not a Python pickle of protocol 2 or later (it does not start with 0x80).`,
    );
  }
  const { arrays, skipped } = readPdparams(new FilePickleSource(fh.fd, size), file);
  const entries = new Map<string, Entry>();
  for (const [name, a] of arrays) {
    const info = { name, dims: a.dims, dtype: a.dtype };
    if (a.data instanceof FileSpan) entries.set(name, { info, offset: a.data.offset, length: a.data.length });
    else entries.set(name, { info, length: a.data.length, bytes: a.data });
  }
  return { entries, skipped };
}

class PdparamsCheckpoint implements Checkpoint {
  readonly layout = 'pdparams' as const;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly entries: Map<string, Entry>,
    private readonly fh: FileHandle,
  ) {}

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  info(name: string): TensorInfo | undefined {
    const e = this.entries.get(name);
    return e ? { ...e.info, dims: [...e.info.dims] } : undefined;
  }

  async read(name: string): Promise<Tensor> {
    const e = this.entries.get(name);
    if (!e) throw new PdsegError('WEIGHT_MISSING', `"${this.path}" has no array "${name}".`);
    if (this.closed) throw new Error(`checkpoint "${this.path}" is closed`);
    const { dims, dtype } = e.info;
    const data =
      e.offset === undefined
        ? typedView(
            dtype,
            (e.bytes as Uint8Array).buffer as ArrayBuffer,
            (e.bytes as Uint8Array).byteOffset,
            e.length,
          )
        : await readDataAt(this.fh, e.info, e.offset, e.length, `"${this.path}", array "${name}"`);
    return { name, dims: [...dims], dtype, data };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
