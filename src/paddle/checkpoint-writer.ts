/**
 * Writes a checkpoint in any of the three layouts (spec §9.7/§9.8), byte for byte as Paddle
 * does: one record per file at `<dir>/<name>`, a combined `<dir>/__params__` with the
 * records in byte-wise name order, or a `<dir>/model.pdparams` pickle. Used to make test
 * fixtures and benchmark inputs. Every file is written atomically; data is never copied.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { CheckpointLayout } from './checkpoint.js';
import { encodeTensorRecord } from './lod-tensor.js';
import { encodePdparams } from './numpy-pickle-writer.js';
import { compareBytewise } from './program-desc.js';
import type { Tensor } from './tensor.js';

function byteLength(chunks: readonly Uint8Array[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

function checkName(name: string): void {
  const parts = name.split('/');
  if (name.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..') || name.includes('\\')) {
    throw new RangeError(
      `writeCheckpoint: variable name "${name}" cannot be a file path inside the checkpoint`,
    );
  }
}

/**
 * Writes `tensors` to `dir` in `layout` and returns the bytes and files written. `combined`
 * and `pdparams` gather the tensors first (references only) to sort or frame them.
 */
export async function writeCheckpoint(
  dir: string,
  tensors: Iterable<Tensor> | AsyncIterable<Tensor>,
  layout: CheckpointLayout,
): Promise<{ bytes: number; files: number }> {
  await mkdir(dir, { recursive: true });
  if (layout === 'per-file') {
    let bytes = 0;
    let files = 0;
    for await (const t of tensors) {
      checkName(t.name);
      const path = join(dir, ...t.name.split('/'));
      await mkdir(dirname(path), { recursive: true });
      const chunks = encodeTensorRecord(t);
      await writeFileAtomic(path, chunks, { fsync: false });
      bytes += byteLength(chunks);
      files++;
    }
    return { bytes, files };
  }
  const all: Tensor[] = [];
  const seen = new Set<string>();
  for await (const t of tensors) {
    if (seen.has(t.name)) throw new RangeError(`writeCheckpoint: variable "${t.name}" is given twice`);
    seen.add(t.name);
    all.push(t);
  }
  if (layout === 'combined') {
    all.sort((a, b) => compareBytewise(a.name, b.name));
    let bytes = 0;
    function* chunks(): Generator<Uint8Array> {
      for (const t of all) {
        for (const c of encodeTensorRecord(t)) {
          bytes += c.length;
          yield c;
        }
      }
    }
    await writeFileAtomic(join(dir, '__params__'), chunks(), { fsync: false });
    return { bytes, files: 1 };
  }
  const chunks = encodePdparams(all);
  await writeFileAtomic(join(dir, 'model.pdparams'), chunks, { fsync: false });
  return { bytes: byteLength(chunks), files: 1 };
}
