/**
 * Combined parameter file (`__params__`, `params`, `model.pdiparams`; spec §9.8): §9.7
 * records back to back with no names, in byte-wise sorted name order. Opening walks the
 * headers once (seeking past the data) to build an offset index and checks that the
 * records consume the file exactly; `read` then reads one record's data at its offset.
 */
import { open } from 'node:fs/promises';
import { PdsegError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { dataByteLength } from './dtype.js';
import { encodeTensorHeader } from './lod-tensor.js';
import { readDataAt, readHeaderAt } from './record-io.js';
import type { Tensor, TensorInfo } from './tensor.js';

/** A list of record names and where it came from (for error messages). */
export interface NameSource {
  /** E.g. `persistable variables of "__model__"` or `the network's parameter list`. */
  label: string;
  /** Names in record order (already byte-wise sorted). */
  names: string[];
  /**
   * The dims and dtype each record should have (a program's VarDescs), in `names` order.
   * With them every record's offset is known up front and the headers are read in
   * parallel; any surprise falls back to the record-by-record walk and its precise error.
   */
  expected?: readonly TensorInfo[];
}

interface IndexEntry {
  info: TensorInfo;
  dataOffset: number;
  dataLength: number;
  lod: number[][];
}

/**
 * Opens `file` as a combined parameter file, trying each name source in turn; the first
 * whose records consume the file exactly wins. Throws one `WEIGHT_FORMAT` error with the
 * reason of every source otherwise.
 */
export async function openCombined(file: string, sources: NameSource[]): Promise<Checkpoint> {
  if (sources.length === 0) {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${file}" holds unnamed records; pdseg needs their names: put the program (__model__ or .pdmodel) beside it or pass the expected parameter names.`,
    );
  }
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const reasons: string[] = [];
    for (const source of sources) {
      const result = await buildIndex(fh, size, file, source);
      if (typeof result === 'string') {
        reasons.push(`with the ${source.names.length} names from ${source.label}: ${result}`);
        continue;
      }
      return new CombinedCheckpoint(file, fh, source.names, result);
    }
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${file}" is not a combined parameter file (spec §9.8): ${reasons.join('; ')}`,
    );
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Header reads in flight when the offsets are known. */
const HEADERS_IN_FLIGHT = 8;

/** The index from the expected record shapes, or undefined when any record differs from them. */
async function predictedIndex(
  fh: import('node:fs/promises').FileHandle,
  size: number,
  file: string,
  names: readonly string[],
  expected: readonly TensorInfo[],
): Promise<Map<string, IndexEntry> | undefined> {
  const offsets: number[] = [];
  let offset = 0;
  for (const info of expected) {
    offsets.push(offset);
    offset += encodeTensorHeader(info).length + dataByteLength(info.dtype, info.dims);
  }
  if (offset !== size || new Set(names).size !== names.length) return undefined;
  const entries: Array<IndexEntry | undefined> = new Array(names.length);
  let next = 0;
  let ok = true;
  const worker = async () => {
    while (ok && next < names.length) {
      const i = next++;
      const want = expected[i]!;
      const header = await readHeaderAt(fh, offsets[i]!, size, `"${file}", variable "${names[i]}"`).catch(
        () => undefined,
      );
      const same =
        header !== undefined &&
        header.dtype === want.dtype &&
        header.lod.length === 0 &&
        header.dims.length === want.dims.length &&
        header.dims.every((d, k) => d === want.dims[k]);
      if (!same) {
        ok = false;
        return;
      }
      entries[i] = {
        info: { name: names[i]!, dims: header.dims, dtype: header.dtype },
        dataOffset: offsets[i]! + header.headerLength,
        dataLength: header.dataLength,
        lod: header.lod,
      };
    }
  };
  await Promise.all(Array.from({ length: HEADERS_IN_FLIGHT }, worker));
  if (!ok) return undefined;
  return new Map(entries.map((e) => [e!.info.name, e!]));
}

async function buildIndex(
  fh: import('node:fs/promises').FileHandle,
  size: number,
  file: string,
  source: NameSource,
): Promise<Map<string, IndexEntry> | string> {
  if (source.expected && source.expected.length === source.names.length) {
    const fast = await predictedIndex(fh, size, file, source.names, source.expected);
    if (fast) return fast;
  }
  const index = new Map<string, IndexEntry>();
  let offset = 0;
  for (let i = 0; i < source.names.length; i++) {
    const name = source.names[i] as string;
    const what = `"${file}", variable "${name}" (record ${i + 1} of ${source.names.length}, byte ${offset})`;
    let header: Awaited<ReturnType<typeof readHeaderAt>>;
    try {
      header = await readHeaderAt(fh, offset, size, what);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    if (header === undefined) {
      return `${what}: the file ends inside the record header (truncated, or fewer records than names)`;
    }
    const dataOffset = offset + header.headerLength;
    if (dataOffset + header.dataLength > size) {
      return `${what}: needs ${header.dataLength} data bytes for [${header.dims.join(',')}] ${header.dtype} but the file ends after ${size - dataOffset} (truncated)`;
    }
    if (index.has(name)) return `the name "${name}" is listed twice`;
    index.set(name, {
      info: { name, dims: header.dims, dtype: header.dtype },
      dataOffset,
      dataLength: header.dataLength,
      lod: header.lod,
    });
    offset = dataOffset + header.dataLength;
  }
  if (offset !== size) {
    return `the ${source.names.length} records end at byte ${offset} but the file has ${size} bytes (${size - offset} left over: more records than names)`;
  }
  return index;
}

class CombinedCheckpoint implements Checkpoint {
  readonly layout = 'combined' as const;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly fh: import('node:fs/promises').FileHandle,
    private readonly order: string[],
    private readonly index: Map<string, IndexEntry>,
  ) {}

  names(): string[] {
    return [...this.order];
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  info(name: string): TensorInfo | undefined {
    const e = this.index.get(name);
    return e ? { ...e.info, dims: [...e.info.dims] } : undefined;
  }

  async read(name: string): Promise<Tensor> {
    const e = this.index.get(name);
    if (!e) throw new PdsegError('WEIGHT_MISSING', `"${this.path}" has no variable "${name}".`);
    if (this.closed) throw new Error(`checkpoint "${this.path}" is closed`);
    const data = await readDataAt(
      this.fh,
      e.info,
      e.dataOffset,
      e.dataLength,
      `"${this.path}", variable "${name}"`,
    );
    const t: Tensor = { name, dims: [...e.info.dims], dtype: e.info.dtype, data };
    if (e.lod.length > 0) t.lod = e.lod;
    return t;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
