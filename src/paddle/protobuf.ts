/**
 * Minimal protobuf (proto2) wire reader and writer for Paddle's own messages: `TensorDesc`
 * inside a serialized variable (spec §9.7) and `ProgramDesc` in `__model__` (spec §9.9).
 *
 * Facts of the wire format used here: varints are little-endian base-128; proto2 `int32` and
 * `int64` are NOT zigzag-encoded, so a negative value is sign-extended to 64 bits and always
 * takes 10 bytes (e.g. `ksize [-1, -1]`); `float` is fixed32, `double` fixed64; strings,
 * bytes and sub-messages are length-delimited; a repeated scalar may arrive packed (one
 * length-delimited run) or unpacked (one key per element) and a reader must accept both.
 *
 * Pure TypeScript over `Uint8Array` (no Node imports) so the browser viewer can use it too.
 */
import { PdsegError } from '../errors.js';

/** Wire types of the protobuf encoding. */
export const Wire = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
/** A wire type number. */
export type WireType = (typeof Wire)[keyof typeof Wire];

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

/** A field the decoder did not interpret, kept verbatim so a re-encode is byte-identical. */
export interface UnknownField {
  /** Field number. */
  field: number;
  /** Wire type. */
  wire: number;
  /** The field's payload exactly as read (varint bytes, fixed bytes, or the length-delimited body). */
  bytes: Uint8Array;
}

/**
 * Sequential reader of one protobuf message. `what` names the message in error messages
 * (e.g. `'TensorDesc of "conv1_weights"'`).
 */
export class ProtoReader {
  /** Current byte offset in `buf`. */
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    readonly what = 'protobuf message',
  ) {
    this.pos = start;
  }

  /** True when the whole message has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(reason: string): never {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `${this.what}: ${reason} at byte ${this.pos}; the file is damaged or not a Paddle file.`,
    );
  }

  /** Reads a key; returns field number and wire type. */
  key(): { field: number; wire: number } {
    const k = this.varint();
    const field = Math.floor(k / 8);
    if (field === 0) this.fail('field number 0');
    return { field, wire: k % 8 };
  }

  /** Reads an unsigned varint that fits in 53 bits (keys, lengths, enums, bools, non-negative ints). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (i < 8) result += (b & 0x7f) * mul;
      else if ((b & 0x7f) !== 0) this.fail('varint larger than 2^53');
      mul *= 128;
      if ((b & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) this.fail('varint larger than 2^53');
        return result;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Reads a varint as a 64-bit two's-complement value (`int64`). */
  int64Big(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return BigInt.asIntN(64, result);
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Reads an `int64`; a number when it is a safe integer, otherwise a bigint. */
  int64(): number | bigint {
    const v = this.int64Big();
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** Reads an `int64` that must be a safe integer (dims, sizes). */
  int64Number(): number {
    const v = this.int64();
    if (typeof v === 'bigint') this.fail(`int64 value ${v} does not fit a JavaScript number`);
    return v as number;
  }

  /** Reads a proto2 `int32` (negatives arrive sign-extended as 10-byte varints). */
  int32(): number {
    return Number(BigInt.asIntN(32, this.int64Big()));
  }

  /** Reads a `bool`. */
  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Reads a fixed32 `float`. */
  float(): number {
    const dv = this.view(4);
    return dv.getFloat32(0, true);
  }

  /** Reads a fixed64 `double`. */
  double(): number {
    const dv = this.view(8);
    return dv.getFloat64(0, true);
  }

  private view(n: number): DataView {
    if (this.pos + n > this.end) this.fail(`truncated fixed${n * 8}`);
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return dv;
  }

  /** Reads a length-delimited payload as a view (no copy). */
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.end) this.fail(`length ${n} runs past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads a UTF-8 string. */
  string(): string {
    return utf8Decoder.decode(this.bytes());
  }

  /** Reads a length-delimited sub-message and returns a reader over it. */
  message(what: string): ProtoReader {
    const n = this.varint();
    if (this.pos + n > this.end) this.fail(`length ${n} of ${what} runs past the end`);
    const r = new ProtoReader(this.buf, this.pos, this.pos + n, what);
    this.pos += n;
    return r;
  }

  /**
   * Reads one element (unpacked) or a packed run of a repeated scalar and appends to `out`.
   * `read` reads one element from a reader.
   */
  repeated<T>(wire: number, out: T[], read: (r: ProtoReader) => T): void {
    if (wire === Wire.LEN) {
      const sub = this.message(this.what);
      while (!sub.done) out.push(read(sub));
    } else {
      out.push(read(this));
    }
  }

  /** Skips a field of the given wire type and returns it verbatim. */
  skip(field: number, wire: number): UnknownField {
    const start = this.pos;
    switch (wire) {
      case Wire.VARINT:
        this.int64Big();
        break;
      case Wire.I64:
        this.view(8);
        break;
      case Wire.I32:
        this.view(4);
        break;
      case Wire.LEN: {
        const body = this.bytes();
        return { field, wire, bytes: body };
      }
      default:
        this.fail(`unsupported wire type ${wire} (field ${field})`);
    }
    return { field, wire, bytes: this.buf.subarray(start, this.pos) };
  }

  /** Checks that a value read as wire type `wire` was declared with wire type `expected`. */
  expect(field: number, wire: number, expected: number): void {
    if (wire !== expected) this.fail(`field ${field} has wire type ${wire}, expected ${expected}`);
  }
}

/** Growable byte buffer that writes protobuf fields. */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private pos = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes raw bytes. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Writes an unsigned varint (non-negative number up to 2^53). */
  uvarint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`uvarint: ${v} is not a non-negative safe integer`);
    this.reserve(10);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Writes a signed 64-bit varint (two's complement: negatives take 10 bytes, as proto2 int32/int64). */
  svarint(v: number | bigint): this {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`svarint: ${v} is not a safe integer`);
      if (v >= 0) return this.uvarint(v);
      v = BigInt(v);
    }
    let u = BigInt.asUintN(64, v);
    this.reserve(10);
    while (u >= 128n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }

  /** Writes a key. */
  key(field: number, wire: number): this {
    return this.uvarint(field * 8 + wire);
  }

  /** Writes an int32/int64/enum field. */
  intField(field: number, v: number | bigint): this {
    return this.key(field, Wire.VARINT).svarint(v);
  }

  /** Writes a bool field. */
  boolField(field: number, v: boolean): this {
    return this.key(field, Wire.VARINT).uvarint(v ? 1 : 0);
  }

  /** Writes a float (fixed32) field. */
  floatField(field: number, v: number): this {
    this.key(field, Wire.I32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  /** Writes a double (fixed64) field. */
  doubleField(field: number, v: number): this {
    this.key(field, Wire.I64);
    this.reserve(8);
    new DataView(this.buf.buffer).setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** Writes a length-delimited bytes field. */
  bytesField(field: number, v: Uint8Array): this {
    return this.key(field, Wire.LEN).uvarint(v.length).raw(v);
  }

  /** Writes a string field (UTF-8). */
  stringField(field: number, v: string): this {
    return this.bytesField(field, utf8Encoder.encode(v));
  }

  /** Writes a sub-message built by `build`. */
  messageField(field: number, build: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    build(sub);
    return this.bytesField(field, sub.finish());
  }

  /** Re-emits a field kept by {@link ProtoReader.skip}. */
  unknown(f: UnknownField): this {
    this.key(f.field, f.wire);
    if (f.wire === Wire.LEN) this.uvarint(f.bytes.length);
    return this.raw(f.bytes);
  }

  /** The bytes written (a view of the internal buffer, valid until the next write). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
