/**
 * One file per variable (spec §9.8, `save_params`/`save_persistables` without a file
 * name; the PaddleSeg model zoo layout): `<dir>/<name>`, names with `/` in sub-folders.
 * Opening reads only each file's header; `read` reads that one file's data on demand.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PdsegError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { compareBytewise } from './program-desc.js';
import { readDataAt, readHeaderAt } from './record-io.js';
import type { Tensor, TensorInfo } from './tensor.js';

interface Entry {
  info: TensorInfo;
  file: string;
  dataOffset: number;
  dataLength: number;
  lod: number[][];
  /** Set when the header parsed but the file size does not fit it (truncated or padded). */
  broken?: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    // a symbolic link counts when it points at a regular file
    if (
      e.isFile() ||
      (e.isSymbolicLink() &&
        (await stat(path).then(
          (s) => s.isFile(),
          () => false,
        )))
    )
      files.push(path);
  }
  return files.sort();
}

/** Header reads kept in flight while a per-file checkpoint is opened. */
const HEADER_READS_IN_FLIGHT = 8;

/** The entry of one variable file, or undefined when the file is not a tensor record. */
async function readEntry(dir: string, file: string): Promise<Entry | undefined> {
  const name = relative(dir, file).split(sep).join('/');
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let header: Awaited<ReturnType<typeof readHeaderAt>>;
    try {
      header = await readHeaderAt(fh, 0, size, `"${file}"`);
    } catch {
      return undefined; // not a tensor record: not listed (README, __model__, …)
    }
    if (header === undefined) return undefined;
    const entry: Entry = {
      info: { name, dims: header.dims, dtype: header.dtype },
      file,
      dataOffset: header.headerLength,
      dataLength: header.dataLength,
      lod: header.lod,
    };
    const expected = header.headerLength + header.dataLength;
    if (expected !== size) {
      entry.broken =
        size < expected
          ? `"${file}", variable "${name}": the file has ${size} bytes but its header announces [${header.dims.join(',')}] ${header.dtype}, ${expected} bytes (truncated); download or save the checkpoint again`
          : `"${file}", variable "${name}": ${size - expected} bytes follow the record (a combined file, or a damaged one)`;
    }
    return entry;
  } finally {
    await fh.close();
  }
}

/**
 * Opens `dir` as a per-file checkpoint. Files that are not §9.7 records (README, download
 * markers, `__model__`) are not listed. Throws `WEIGHT_FORMAT` when no file is a complete record.
 */
export async function openPerFile(dir: string): Promise<Checkpoint> {
  const files = await listFiles(dir);
  // Headers are read with a few files in flight: the zoo's layout is hundreds of small
  // open/read/close round trips, which dominate opening when done one after another.
  const found: Array<Entry | undefined> = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      found[i] = await readEntry(dir, files[i]!);
    }
  };
  await Promise.all(Array.from({ length: HEADER_READS_IN_FLIGHT }, worker));
  const entries = new Map<string, Entry>();
  const brokenNotes: string[] = [];
  for (const entry of found) {
    if (!entry) continue;
    entries.set(entry.info.name, entry);
    if (entry.broken) brokenNotes.push(entry.broken);
  }
  const complete = [...entries.values()].filter((e) => !e.broken).length;
  if (complete === 0) {
    const detail = brokenNotes.length > 0 ? ` (${brokenNotes.join('; ')})` : '';
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `no file under "${dir}" is a complete Paddle variable file (spec §9.7)${detail}`,
    );
  }
  return new PerFileCheckpoint(dir, entries);
}

class PerFileCheckpoint implements Checkpoint {
  readonly layout = 'per-file' as const;

  constructor(
    readonly path: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  names(): string[] {
    return [...this.entries.keys()].sort(compareBytewise);
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
    if (!e) throw new PdsegError('WEIGHT_MISSING', `"${this.path}" has no variable file "${name}".`);
    if (e.broken) throw new PdsegError('WEIGHT_FORMAT', `${e.broken}.`);
    const fh = await open(e.file, 'r');
    try {
      const data = await readDataAt(
        fh,
        e.info,
        e.dataOffset,
        e.dataLength,
        `"${e.file}", variable "${name}"`,
      );
      const t: Tensor = { name, dims: [...e.info.dims], dtype: e.info.dtype, data };
      if (e.lod.length > 0) t.lod = e.lod;
      return t;
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {}
}
