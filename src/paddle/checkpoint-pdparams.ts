/**
 * `model.pdparams` checkpoints (spec §9.8): the file is read once and parsed by the
 * restricted pickle reader; arrays stay views into that one buffer, and `read` hands out
 * a typed view (a copy only when the pickle left the data unaligned for its type).
 */
import { readFile } from 'node:fs/promises';
import { PdsegError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { typedView } from './dtype.js';
import { type PickledArray, readPdparams } from './numpy-pickle.js';
import type { Tensor, TensorInfo } from './tensor.js';

/** Opens a pdparams pickle. Throws `WEIGHT_FORMAT` when it is not a pickle of numpy arrays. */
export async function openPdparams(file: string): Promise<Checkpoint> {
  const bytes = await readFile(file);
  if (bytes.length < 2 || bytes[0] !== 0x80) {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${file}" is not a Python pickle of protocol 2 or later (it does not start with 0x80).`,
    );
  }
  const { arrays, skipped } = readPdparams(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    file,
  );
  if (arrays.size === 0) {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${file}" holds no numpy arrays (keys: ${skipped.slice(0, 5).join(', ') || 'none'}).`,
    );
  }
  return new PdparamsCheckpoint(file, arrays, skipped);
}

class PdparamsCheckpoint implements Checkpoint {
  readonly layout = 'pdparams' as const;

  constructor(
    readonly path: string,
    private readonly arrays: Map<string, PickledArray>,
    /** Keys whose values were not arrays. */
    readonly skipped: string[],
  ) {}

  names(): string[] {
    return [...this.arrays.keys()];
  }

  has(name: string): boolean {
    return this.arrays.has(name);
  }

  info(name: string): TensorInfo | undefined {
    const a = this.arrays.get(name);
    return a ? { name, dims: [...a.dims], dtype: a.dtype } : undefined;
  }

  async read(name: string): Promise<Tensor> {
    const a = this.arrays.get(name);
    if (!a) throw new PdsegError('WEIGHT_MISSING', `"${this.path}" has no array "${name}".`);
    const data = typedView(a.dtype, a.bytes.buffer as ArrayBuffer, a.bytes.byteOffset, a.bytes.byteLength);
    return { name, dims: [...a.dims], dtype: a.dtype, data };
  }

  async close(): Promise<void> {
    this.arrays.clear();
  }
}
