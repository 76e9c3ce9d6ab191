import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { ProtoReader, ProtoWriter, Wire } from '../../src/paddle/protobuf.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('protobuf wire writer', () => {
  it('writes a negative proto2 int32 as a 10-byte sign-extended varint (not zigzag)', () => {
    const w = new ProtoWriter().intField(6, -1);
    // key 0x30 (field 6, varint), then 2^64-1 as 10 bytes
    expect(hex(w.finish())).toBe('30ffffffffffffffffff01');
  });

  it('writes small and multi-byte varints', () => {
    expect(hex(new ProtoWriter().uvarint(0).uvarint(127).uvarint(128).uvarint(300).finish())).toBe(
      '007f8001ac02',
    );
    expect(hex(new ProtoWriter().svarint(2n ** 62n).finish())).toBe('808080808080808040');
    expect(hex(new ProtoWriter().svarint(-(2n ** 63n)).finish())).toBe('80808080808080808001');
  });

  it('writes fixed32 floats and fixed64 doubles little-endian', () => {
    expect(hex(new ProtoWriter().floatField(4, 1).finish())).toBe('250000803f');
    expect(hex(new ProtoWriter().doubleField(19, -2).finish())).toBe('990100000000000000c0');
  });

  it('writes strings length-delimited in UTF-8', () => {
    expect(hex(new ProtoWriter().stringField(1, 'é/').finish())).toBe('0a03c3a92f');
  });
});

describe('protobuf wire reader', () => {
  it('reads 10-byte negative varints as int32 and int64', () => {
    const r = new ProtoReader(bytes('ffffffffffffffffff01 feffffffffffffffff01 80808080808080808001'));
    expect(r.int32()).toBe(-1);
    expect(r.int64()).toBe(-2);
    expect(r.int64()).toBe(-(2n ** 63n));
    expect(r.done).toBe(true);
  });

  it('returns int64 beyond 2^53 as a bigint and within as a number', () => {
    const r = new ProtoReader(bytes('8080808080808080 40 8080808080808010 ffffffffffffff0f'));
    expect(r.int64()).toBe(2n ** 62n);
    expect(r.int64()).toBe(2n ** 53n);
    expect(r.int64()).toBe(2 ** 53 - 1);
  });

  it('reads repeated scalars both unpacked and packed', () => {
    // field 2 unpacked: 10 40 10 03 ; then field 2 packed: 12 03 05 06 07
    const r = new ProtoReader(bytes('1040 1003 1203050607'));
    const out: number[] = [];
    while (!r.done) {
      const { field, wire } = r.key();
      expect(field).toBe(2);
      r.repeated(wire, out, (x) => x.int64Number());
    }
    expect(out).toEqual([64, 3, 5, 6, 7]);
  });

  it('reads fixed32 and fixed64', () => {
    const r = new ProtoReader(bytes('0000803f 000000000000f0bf'));
    expect(r.float()).toBe(1);
    expect(r.double()).toBe(-1);
  });

  it('keeps skipped fields verbatim so they can be re-emitted', () => {
    const src = bytes('08ffffffffffffffffff01 1203616263 1d0000803f 21000000000000f03f');
    const r = new ProtoReader(src);
    const w = new ProtoWriter();
    while (!r.done) {
      const { field, wire } = r.key();
      w.unknown(r.skip(field, wire));
    }
    expect(hex(w.finish())).toBe(hex(src));
  });

  it('reports a truncated varint and an overlong length as WEIGHT_FORMAT errors', () => {
    expect(() => new ProtoReader(bytes('ff'), 0, 1, 'TensorDesc of "x"').varint()).toThrow(PdsegError);
    try {
      new ProtoReader(bytes('0a05ab'), 0, 3, 'TensorDesc of "x"').message('m');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PdsegError);
      expect((e as PdsegError).code).toBe('WEIGHT_FORMAT');
      expect((e as PdsegError).message).toContain('TensorDesc of "x"');
    }
    expect(Wire.LEN).toBe(2);
  });
});
