/**
 * One serialized LoDTensor variable (spec §9.7): the record Paddle's `save`/`save_combine`
 * ops write, one per file or back to back in a combined file (§9.8).
 *
 * ```
 * u32 version (0) | u64 lod_level | per level: u64 byte length, size_t offsets
 * u32 tensor version (0) | i32 L | TensorDesc protobuf (L bytes) | raw little-endian data
 * ```
 *
 * Pure TypeScript over `Uint8Array`; the Node readers in `checkpoint*.ts` feed it bytes.
 */
import { PdsegError } from '../errors.js';
import {
  dataByteLength,
  dataMatchesDType,
  dtypeCode,
  dtypeFromCode,
  type PaddleDType,
  typedView,
} from './dtype.js';
import { ProtoReader, ProtoWriter, Wire } from './protobuf.js';
import type { Tensor, TensorInfo } from './tensor.js';

/** Header of a record: everything before the data. */
export interface TensorHeader {
  /** Element type. */
  dtype: PaddleDType;
  /** Dimensions. */
  dims: number[];
  /** LoD offsets per level (empty for parameters). */
  lod: number[][];
  /** Bytes from the start of the record to the first data byte (20 + L for lod_level 0). */
  headerLength: number;
  /** Bytes of data that follow the header. */
  dataLength: number;
}

/** Returned by {@link parseTensorHeader} when `bytes` ends before the header does. */
export interface NeedMore {
  /** Total bytes (from the record start) needed to make progress. */
  need: number;
}

/** Largest LoD level count accepted (Paddle uses a handful at most; guards against garbage). */
const MAX_LOD_LEVELS = 64;
/** Largest TensorDesc accepted, in bytes (a real one is 4–30 bytes). */
const MAX_DESC_LENGTH = 1 << 16;

function fail(what: string, reason: string): never {
  throw new PdsegError(
    'WEIGHT_FORMAT',
    `${what}: ${reason}. It is not a Paddle LoDTensor record (spec §9.7); check that the file is a Paddle parameter file and was not truncated.`,
  );
}

/** Decodes a `VarType.TensorDesc` message (spec §9.7/§9.9). */
export function decodeTensorDesc(r: ProtoReader): { dataType: number; dims: number[] } {
  let dataType: number | undefined;
  const dims: number[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.VARINT) dataType = r.int32();
    else if (field === 2) r.repeated(wire, dims, (x) => x.int64Number());
    else r.skip(field, wire);
  }
  if (dataType === undefined) fail(r.what, 'TensorDesc has no data_type');
  return { dataType, dims };
}

/** Encodes a `VarType.TensorDesc` message exactly as Paddle does: `data_type`, then unpacked `dims`. */
export function encodeTensorDesc(w: ProtoWriter, dataType: number, dims: readonly (number | bigint)[]): void {
  w.intField(1, dataType);
  for (const d of dims) w.intField(2, d);
}

/**
 * Parses a record header from the start of `bytes`. Returns {@link NeedMore} when `bytes`
 * is too short to finish (read more and call again). `what` names the file/variable in errors.
 */
export function parseTensorHeader(bytes: Uint8Array, what: string): TensorHeader | NeedMore {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number): boolean => pos + n > bytes.length;
  if (need(12)) return { need: 12 };
  const version = dv.getUint32(0, true);
  if (version !== 0) fail(what, `LoDTensor version is ${version}, expected 0`);
  const levels = dv.getBigUint64(4, true);
  if (levels > BigInt(MAX_LOD_LEVELS)) fail(what, `lod_level ${levels} is implausible`);
  pos = 12;
  const lod: number[][] = [];
  for (let l = 0; l < Number(levels); l++) {
    if (need(8)) return { need: pos + 8 };
    const size = Number(dv.getBigUint64(pos, true));
    if (size % 8 !== 0 || size > 2 ** 40) fail(what, `LoD level ${l} has byte length ${size}`);
    pos += 8;
    if (need(size)) return { need: pos + size };
    const level: number[] = [];
    for (let i = 0; i < size; i += 8) level.push(Number(dv.getBigUint64(pos + i, true)));
    lod.push(level);
    pos += size;
  }
  if (need(8)) return { need: pos + 8 };
  const tensorVersion = dv.getUint32(pos, true);
  if (tensorVersion !== 0) fail(what, `tensor version is ${tensorVersion}, expected 0`);
  const descLength = dv.getInt32(pos + 4, true);
  if (descLength <= 0 || descLength > MAX_DESC_LENGTH)
    fail(what, `TensorDesc length ${descLength} is implausible`);
  pos += 8;
  if (need(descLength)) return { need: pos + descLength };
  const desc = decodeTensorDesc(new ProtoReader(bytes, pos, pos + descLength, `${what} (TensorDesc)`));
  pos += descLength;
  const dtype = dtypeFromCode(desc.dataType);
  if (dtype === undefined) fail(what, `data_type ${desc.dataType} is not a tensor element type`);
  for (const d of desc.dims) if (d < 0) fail(what, `dimension ${d} in [${desc.dims.join(',')}] is negative`);
  return { dtype, dims: desc.dims, lod, headerLength: pos, dataLength: dataByteLength(dtype, desc.dims) };
}

/** True when a {@link parseTensorHeader} result is a finished header. */
export function isHeader(h: TensorHeader | NeedMore): h is TensorHeader {
  return (h as TensorHeader).dtype !== undefined;
}

/** Encodes the header of a record for `info` (and optional LoD), as Paddle's `SerializeToStream` does. */
export function encodeTensorHeader(info: TensorInfo, lod: readonly (readonly number[])[] = []): Uint8Array {
  const desc = new ProtoWriter();
  encodeTensorDesc(desc, dtypeCode(info.dtype), info.dims);
  const descBytes = desc.finish();
  let size = 12 + 8 + descBytes.length;
  for (const level of lod) size += 8 + level.length * 8;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0, true);
  dv.setBigUint64(4, BigInt(lod.length), true);
  let pos = 12;
  for (const level of lod) {
    dv.setBigUint64(pos, BigInt(level.length * 8), true);
    pos += 8;
    for (const v of level) {
      dv.setBigUint64(pos, BigInt(v), true);
      pos += 8;
    }
  }
  dv.setUint32(pos, 0, true);
  dv.setInt32(pos + 4, descBytes.length, true);
  out.set(descBytes, pos + 8);
  return out;
}

/** The data bytes of a tensor (a view, no copy), after checking they match its dtype and dims. */
export function tensorDataBytes(t: Tensor): Uint8Array {
  if (!dataMatchesDType(t.dtype, t.data)) {
    throw new RangeError(
      `tensor "${t.name}": data is a ${t.data.constructor.name}, which does not hold ${t.dtype}`,
    );
  }
  const expected = dataByteLength(t.dtype, t.dims);
  if (t.data.byteLength !== expected) {
    throw new RangeError(
      `tensor "${t.name}": data has ${t.data.byteLength} bytes, shape [${t.dims.join(',')}] of ${t.dtype} needs ${expected}`,
    );
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Encodes one whole record as two chunks: header and data (the data chunk is a view of `t.data`). */
export function encodeTensorRecord(t: Tensor): [Uint8Array, Uint8Array] {
  return [encodeTensorHeader(t, t.lod ?? []), tensorDataBytes(t)];
}

/**
 * Decodes one record starting at `offset` of `bytes`. The data is a view into `bytes` when
 * aligned (a copy otherwise). Returns the tensor and the offset just past it.
 */
export function decodeTensorRecord(
  bytes: Uint8Array,
  offset: number,
  name: string,
): { tensor: Tensor; end: number } {
  const h = parseTensorHeader(bytes.subarray(offset), `variable "${name}"`);
  if (!isHeader(h))
    fail(`variable "${name}"`, `the data ends inside the header (${bytes.length - offset} bytes left)`);
  const start = offset + h.headerLength;
  const end = start + h.dataLength;
  if (end > bytes.length) {
    fail(
      `variable "${name}"`,
      `needs ${h.dataLength} data bytes but only ${bytes.length - start} remain (truncated)`,
    );
  }
  const data = typedView(h.dtype, bytes.buffer as ArrayBuffer, bytes.byteOffset + start, h.dataLength);
  const tensor: Tensor = { name, dims: h.dims, dtype: h.dtype, data };
  if (h.lod.length > 0) tensor.lod = h.lod;
  return { tensor, end };
}
