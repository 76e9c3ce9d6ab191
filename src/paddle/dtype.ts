/**
 * Paddle tensor data types: the `VarType.Type` enum numbers (spec §9.7; BF16/COMPLEX from
 * Paddle 2.x), their element sizes and the TypedArray each one is read into.
 *
 * Layouts: FP16 and BF16 are kept as raw 16-bit patterns in a `Uint16Array`; BOOL is one
 * byte per element in a `Uint8Array`; COMPLEX64/128 are interleaved (re, im) pairs in a
 * `Float32Array`/`Float64Array` with two entries per element.
 */
import { PdsegError } from '../errors.js';

/** Data types a Paddle tensor can hold (spec §9.7 enum, plus the 2.x additions). */
export type PaddleDType =
  | 'bool'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'uint8'
  | 'int8'
  | 'bfloat16'
  | 'complex64'
  | 'complex128';

/** The TypedArray kinds a tensor's data may be. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array;

interface DTypeInfo {
  /** `VarType.Type` enum number. */
  readonly code: number;
  /** Bytes per element. */
  readonly size: number;
  /** Array entries per element (2 for complex). */
  readonly lanes: number;
  /** Builds the data view over `buffer`. */
  readonly make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;
}

const DTYPES: Readonly<Record<PaddleDType, DTypeInfo>> = {
  bool: { code: 0, size: 1, lanes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  int16: { code: 1, size: 2, lanes: 1, make: (b, o, n) => new Int16Array(b, o, n) },
  int32: { code: 2, size: 4, lanes: 1, make: (b, o, n) => new Int32Array(b, o, n) },
  int64: { code: 3, size: 8, lanes: 1, make: (b, o, n) => new BigInt64Array(b, o, n) },
  float16: { code: 4, size: 2, lanes: 1, make: (b, o, n) => new Uint16Array(b, o, n) },
  float32: { code: 5, size: 4, lanes: 1, make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { code: 6, size: 8, lanes: 1, make: (b, o, n) => new Float64Array(b, o, n) },
  uint8: { code: 20, size: 1, lanes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { code: 21, size: 1, lanes: 1, make: (b, o, n) => new Int8Array(b, o, n) },
  bfloat16: { code: 22, size: 2, lanes: 1, make: (b, o, n) => new Uint16Array(b, o, n) },
  complex64: { code: 23, size: 8, lanes: 2, make: (b, o, n) => new Float32Array(b, o, n) },
  complex128: { code: 24, size: 16, lanes: 2, make: (b, o, n) => new Float64Array(b, o, n) },
};

/** Every data type, in enum order. */
export const PADDLE_DTYPES: readonly PaddleDType[] = Object.keys(DTYPES) as PaddleDType[];

const BY_CODE: ReadonlyMap<number, PaddleDType> = new Map(PADDLE_DTYPES.map((d) => [DTYPES[d].code, d]));

/** `VarType.Type` enum number of a data type (FP32 → 5). */
export function dtypeCode(dtype: PaddleDType): number {
  return DTYPES[dtype].code;
}

/** The data type of a `VarType.Type` enum number, or `undefined` when it is not a tensor element type. */
export function dtypeFromCode(code: number): PaddleDType | undefined {
  return BY_CODE.get(code);
}

/** Bytes per element of a data type. */
export function dtypeSize(dtype: PaddleDType): number {
  return DTYPES[dtype].size;
}

/** Number of elements of a shape (product of dims; 1 for a scalar `[]`). Throws on a negative dim. */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new RangeError(`numel: dimension ${d} of [${dims.join(',')}] is not a size`);
    n *= d;
  }
  return n;
}

/** Byte length of the data of a tensor. */
export function dataByteLength(dtype: PaddleDType, dims: readonly number[]): number {
  return numel(dims) * DTYPES[dtype].size;
}

/**
 * A TypedArray of `dtype` viewing `byteLength` bytes of `buffer` at `byteOffset` (no copy).
 * When the offset is not aligned for the element type, the bytes are copied into a fresh,
 * aligned buffer instead (JavaScript requires aligned views). Data is little-endian, as
 * Paddle writes it on every supported platform (spec §9.7).
 */
export function typedView(
  dtype: PaddleDType,
  buffer: ArrayBuffer,
  byteOffset: number,
  byteLength: number,
): TensorData {
  const info = DTYPES[dtype];
  const elemBytes = info.size / info.lanes;
  if (byteLength % info.size !== 0) {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `data of ${byteLength} bytes is not a whole number of ${dtype} elements`,
    );
  }
  if (byteOffset % elemBytes !== 0) {
    const copy = new Uint8Array(byteLength);
    copy.set(new Uint8Array(buffer, byteOffset, byteLength));
    return info.make(copy.buffer, 0, byteLength / elemBytes);
  }
  return info.make(buffer, byteOffset, byteLength / elemBytes);
}

/** True when `data` is the TypedArray kind {@link typedView} returns for `dtype`. */
export function dataMatchesDType(dtype: PaddleDType, data: TensorData): boolean {
  const probe = DTYPES[dtype].make(new ArrayBuffer(16), 0, 0);
  return Object.getPrototypeOf(probe) === Object.getPrototypeOf(data);
}
