/**
 * Protocol-buffers wire format, the subset ONNX needs: varints (int64 negatives as 10-byte
 * two's complement), fixed32 floats, fixed64 doubles and length-delimited fields. Pure
 * TypeScript over Uint8Array, so the browser viewer uses the same code as the CLI.
 */
import { PdsegError } from '../errors.js';
import type { LazyBytes } from './types.js';

/** Wire types of the protobuf encoding. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

const TWO_32 = 2 ** 32;

/**
 * Appends protobuf fields to a list of chunks. Byte fields at or above
 * {@link Writer.referenceThreshold} are kept by reference, never copied, so a model with
 * hundreds of MB of weights is written with one copy of its weights in memory.
 */
export class Writer {
  /** Byte fields this large or larger are referenced rather than copied. */
  static readonly referenceThreshold = 64 * 1024;
  private readonly chunks: Array<Uint8Array | LazyBytes> = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private flushedLength = 0;

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedLength + this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.flushedLength += this.pos;
    this.pos = 0;
  }

  /** Writes an unsigned or signed integer as a varint (negatives take 10 bytes, as int64). */
  varint(value: number | bigint): void {
    this.reserve(10);
    if (typeof value === 'number' && value >= 0 && value < TWO_32) {
      let v = value >>> 0;
      while (v > 0x7f) {
        this.buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.pos++] = v;
      return;
    }
    if (typeof value === 'number' && !Number.isInteger(value)) {
      throw new RangeError(`varint value must be an integer, got ${value}`);
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** Writes a field tag. */
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Writes a varint field. */
  uint(field: number, value: number | bigint): void {
    this.tag(field, WireType.VARINT);
    this.varint(value);
  }

  /** Writes a float (fixed32) field. */
  float(field: number, value: number): void {
    this.tag(field, WireType.I32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  /** Writes raw bytes with no tag; large arrays are referenced, not copied. */
  raw(bytes: Uint8Array): void {
    if (bytes.length >= Writer.referenceThreshold) {
      this.flush();
      this.chunks.push(bytes);
      this.flushedLength += bytes.length;
      return;
    }
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Writes a length-delimited bytes field. */
  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, WireType.LEN);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** Writes a string field (UTF-8). */
  string(field: number, text: string): void {
    this.bytes(field, new TextEncoder().encode(text));
  }

  /** Writes a length-delimited bytes field whose content is loaded when the output is written. */
  lazyBytes(field: number, source: LazyBytes): void {
    this.tag(field, WireType.LEN);
    this.varint(source.byteLength);
    this.flush();
    this.chunks.push(source);
    this.flushedLength += source.byteLength;
  }

  /** Writes a nested message built by `build` into a child writer. */
  message(field: number, build: (w: Writer) => void): void {
    const child = new Writer();
    build(child);
    this.tag(field, WireType.LEN);
    this.varint(child.length);
    this.flush();
    for (const c of child.finishParts()) {
      this.chunks.push(c);
      this.flushedLength += c.byteLength;
    }
  }

  /** The written output: byte chunks (large ones by reference) and lazy byte fields. */
  finishParts(): Array<Uint8Array | LazyBytes> {
    this.flush();
    return this.chunks;
  }

  /** The written bytes as chunks (large byte fields by reference); no lazy fields allowed. */
  finishChunks(): Uint8Array[] {
    const parts = this.finishParts();
    if (parts.some((p) => !(p instanceof Uint8Array))) {
      throw new TypeError('the output has lazily loaded byte fields: write it with encodeModelStream');
    }
    return parts as Uint8Array[];
  }

  /** The written bytes as one array. */
  finish(): Uint8Array {
    const chunks = this.finishChunks();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.flushedLength);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** One decoded field: its number, wire type, and where its value lies. */
export interface Field {
  field: number;
  wireType: number;
  /** Varint or fixed value (numbers; int64 above 2^53 lose precision). */
  value: number;
  /** For LEN fields: the payload as a view into the input. */
  bytes?: Uint8Array;
  /** For I32/I64 fields: the offset of the payload in the reader's buffer. */
  offset: number;
}

/** Reads protobuf fields from a byte array. Errors are `ONNX_DECODE` with the offset. */
export class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    private readonly what = 'protobuf message',
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True while bytes remain. */
  get more(): boolean {
    return this.pos < this.buf.length;
  }

  /** Throws a decode error at the current offset. */
  fail(reason: string): never {
    throw new PdsegError(
      'ONNX_DECODE',
      `cannot decode ${this.what}: ${reason} at byte ${this.pos} of ${this.buf.length}; the file is truncated or not this format`,
    );
  }

  /** Reads a varint as a number (unsigned; use {@link toInt64} for signed int64 fields). */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('varint runs past the end');
      const b = this.buf[this.pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return shift < 28 ? result >>> 0 : result;
      shift += 7;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Reads one field header and value. */
  next(): Field {
    const offset0 = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 0) {
      this.pos = offset0;
      this.fail('field number 0');
    }
    switch (wireType) {
      case WireType.VARINT:
        return { field, wireType, value: this.varint(), offset: this.pos };
      case WireType.I64: {
        this.need(8);
        const offset = this.pos;
        this.pos += 8;
        return { field, wireType, value: this.view.getFloat64(offset, true), offset };
      }
      case WireType.LEN: {
        const len = this.varint();
        this.need(len);
        const bytes = this.buf.subarray(this.pos, this.pos + len);
        const offset = this.pos;
        this.pos += len;
        return { field, wireType, value: len, bytes, offset };
      }
      case WireType.I32: {
        this.need(4);
        const offset = this.pos;
        this.pos += 4;
        return { field, wireType, value: this.view.getFloat32(offset, true), offset };
      }
      default:
        return this.fail(`unsupported wire type ${wireType} for field ${field}`);
    }
  }

  /** The signed int64 value of a varint field (two's complement of 64 bits). */
  static toInt64(f: Field, buf: Uint8Array): number {
    // Values at or above 2^63 are negative; recompute those exactly with BigInt.
    if (f.value < 2 ** 63) return f.value;
    let v = 0n;
    let shift = 0n;
    let p = f.offset - 1;
    while (p > 0 && buf[p - 1]! >= 0x80) p--;
    for (let i = p; i < f.offset; i++) {
      v |= BigInt(buf[i]! & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, v));
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail(`field of ${n} bytes runs past the end`);
  }
}

/** Decodes a packed or single varint field into `out` (signed int64 semantics). */
export function readInt64s(f: Field, buf: Uint8Array, out: number[]): void {
  if (f.wireType === WireType.VARINT) {
    out.push(Reader.toInt64(f, buf));
    return;
  }
  if (f.wireType !== WireType.LEN || !f.bytes) return;
  const r = new Reader(f.bytes, 'packed integers');
  while (r.more) {
    const start = r.pos;
    const v = r.varint();
    if (v >= 2 ** 63) {
      let big = 0n;
      let shift = 0n;
      for (let i = start; i < r.pos; i++) {
        big |= BigInt(f.bytes[i]! & 0x7f) << shift;
        shift += 7n;
      }
      out.push(Number(BigInt.asIntN(64, big)));
    } else out.push(v);
  }
}

/** Decodes a packed or single fixed32 float field into `out`. */
export function readFloats(f: Field, out: number[]): void {
  if (f.wireType === WireType.I32) {
    out.push(f.value);
    return;
  }
  if (f.wireType !== WireType.LEN || !f.bytes) return;
  const v = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  for (let i = 0; i + 4 <= f.bytes.length; i += 4) out.push(v.getFloat32(i, true));
}

/** Decodes a packed or single fixed64 double field into `out`. */
export function readDoubles(f: Field, out: number[]): void {
  if (f.wireType === WireType.I64) {
    out.push(f.value);
    return;
  }
  if (f.wireType !== WireType.LEN || !f.bytes) return;
  const v = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  for (let i = 0; i + 8 <= f.bytes.length; i += 8) out.push(v.getFloat64(i, true));
}

/** UTF-8 text of a LEN field. */
export function text(f: Field): string {
  return f.bytes ? new TextDecoder().decode(f.bytes) : '';
}
