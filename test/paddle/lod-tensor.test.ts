import { describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { PADDLE_DTYPES, type PaddleDType, type TensorData } from '../../src/paddle/dtype.js';
import {
  decodeTensorRecord,
  encodeTensorHeader,
  encodeTensorRecord,
  isHeader,
  parseTensorHeader,
} from '../../src/paddle/lod-tensor.js';
import type { Tensor } from '../../src/paddle/tensor.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Sample data of 6 elements per dtype, with the array kind the spec of the reader promises. */
const SAMPLES: Record<PaddleDType, { data: TensorData; kind: string; elemBytes: number }> = {
  bool: { data: new Uint8Array([1, 0, 0, 1, 1, 0]), kind: 'Uint8Array', elemBytes: 1 },
  int16: { data: new Int16Array([-32768, -1, 0, 1, 2, 32767]), kind: 'Int16Array', elemBytes: 2 },
  int32: { data: new Int32Array([-(2 ** 31), -1, 0, 7, 8, 2 ** 31 - 1]), kind: 'Int32Array', elemBytes: 4 },
  int64: {
    data: new BigInt64Array([-(2n ** 63n), -1n, 0n, 5n, 2n ** 40n, 2n ** 63n - 1n]),
    kind: 'BigInt64Array',
    elemBytes: 8,
  },
  float16: {
    data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0, 0x8000, 0x7e00]),
    kind: 'Uint16Array',
    elemBytes: 2,
  },
  float32: { data: new Float32Array([1.5, -2.25, 3.4e38, 1e-45, 0, -0]), kind: 'Float32Array', elemBytes: 4 },
  float64: {
    data: new Float64Array([Math.PI, -1e300, 5e-324, 0, 1, -1]),
    kind: 'Float64Array',
    elemBytes: 8,
  },
  uint8: { data: new Uint8Array([0, 1, 127, 128, 254, 255]), kind: 'Uint8Array', elemBytes: 1 },
  int8: { data: new Int8Array([-128, -1, 0, 1, 64, 127]), kind: 'Int8Array', elemBytes: 1 },
  bfloat16: { data: new Uint16Array([0x3f80, 0xc000, 0x7f7f, 0, 1, 2]), kind: 'Uint16Array', elemBytes: 2 },
  // complex: 3 elements × (re, im)
  complex64: { data: new Float32Array([1, -1, 2.5, 0, -3, 4]), kind: 'Float32Array', elemBytes: 8 },
  complex128: { data: new Float64Array([1, -1, 2.5, 0, -3, 4]), kind: 'Float64Array', elemBytes: 16 },
};

/** The spec §9.7 enum numbers, written out independently of dtype.ts. */
const ENUM: Record<PaddleDType, number> = {
  bool: 0,
  int16: 1,
  int32: 2,
  int64: 3,
  float16: 4,
  float32: 5,
  float64: 6,
  uint8: 20,
  int8: 21,
  bfloat16: 22,
  complex64: 23,
  complex128: 24,
};

describe('serialized LoDTensor record (spec §9.7)', () => {
  it('writes the spec examples of TensorDesc and a 20 + L byte header', () => {
    const cases: [number[], string][] = [
      [[64, 3, 3, 3], '08051040100310031003'],
      [[512, 4096, 3, 3], '0805108004108020100310 03'.replace(/ /g, '')],
      [[2], '08051002'],
    ];
    for (const [dims, desc] of cases) {
      const h = encodeTensorHeader({ name: 'w', dims, dtype: 'float32' });
      const L = desc.length / 2;
      expect(h.length).toBe(20 + L);
      // version 0, lod_level 0 (u64), tensor version 0, L (i32), desc
      const lBytes = hex(new Uint8Array(new Int32Array([L]).buffer));
      expect(hex(h)).toBe(`00000000${'00'.repeat(8)}00000000${lBytes}${desc}`);
    }
  });

  it('round-trips every data type of the enum into the matching TypedArray', () => {
    for (const dtype of PADDLE_DTYPES) {
      const s = SAMPLES[dtype];
      const elements = (s.data.byteLength / s.elemBytes) | 0;
      const dims = elements === 6 ? [2, 3] : [elements];
      const t: Tensor = { name: `v_${dtype}`, dims, dtype, data: s.data };
      const bytes = concat(encodeTensorRecord(t));
      // the enum number is in the TensorDesc: key 0x08 then the varint
      expect(bytes[20]).toBe(0x08);
      expect(bytes[21]).toBe(ENUM[dtype]);
      const L = new DataView(bytes.buffer).getInt32(16, true);
      expect(bytes.length).toBe(20 + L + elements * s.elemBytes);
      // decode at an odd offset, so unaligned data must still come out right
      const shifted = concat([new Uint8Array(3), bytes]);
      const { tensor, end } = decodeTensorRecord(shifted, 3, t.name);
      expect(end).toBe(shifted.length);
      expect(tensor.dtype).toBe(dtype);
      expect(tensor.dims).toEqual(dims);
      expect(tensor.data.constructor.name).toBe(s.kind);
      expect(Array.from(tensor.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(s.data as ArrayLike<number | bigint>),
      );
    }
  });

  it('round-trips LoD levels', () => {
    const t: Tensor = {
      name: 'seq',
      dims: [5, 1],
      dtype: 'int64',
      data: new BigInt64Array([1n, 2n, 3n, 4n, 5n]),
      lod: [
        [0, 2, 5],
        [0, 1, 2, 3, 4, 5],
      ],
    };
    const bytes = concat(encodeTensorRecord(t));
    const dv = new DataView(bytes.buffer);
    expect(dv.getBigUint64(4, true)).toBe(2n); // lod_level
    expect(dv.getBigUint64(12, true)).toBe(24n); // first level: 3 offsets × 8 bytes
    const { tensor } = decodeTensorRecord(bytes, 0, 'seq');
    expect(tensor.lod).toEqual(t.lod);
    expect(Array.from(tensor.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('asks for more bytes when the header is cut short', () => {
    const h = encodeTensorHeader({ name: 'w', dims: [64, 3, 3, 3], dtype: 'float32' });
    const r = parseTensorHeader(h.subarray(0, 22), 'w');
    expect(isHeader(r)).toBe(false);
    expect(r).toEqual({ need: 30 });
  });

  it('rejects a wrong version, an unknown data type and a truncated record, naming the variable', () => {
    const good = concat(
      encodeTensorRecord({ name: 'w', dims: [2], dtype: 'float32', data: new Float32Array([1, 2]) }),
    );
    const badVersion = good.slice();
    badVersion[0] = 1;
    const badType = good.slice();
    badType[21] = 7; // LOD_TENSOR is not an element type
    const cases: [Uint8Array, string][] = [
      [badVersion, 'LoDTensor version is 1'],
      [badType, 'data_type 7 is not a tensor element type'],
      [good.subarray(0, good.length - 1), 'truncated'],
    ];
    for (const [bytes, phrase] of cases) {
      try {
        decodeTensorRecord(bytes, 0, 'conv1_weights');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PdsegError);
        expect((e as PdsegError).code).toBe('WEIGHT_FORMAT');
        expect((e as PdsegError).message).toContain(phrase);
        expect((e as PdsegError).message).toContain('conv1_weights');
      }
    }
  });

  it('refuses to write data that does not match dtype or shape', () => {
    expect(() =>
      encodeTensorRecord({ name: 'w', dims: [3], dtype: 'float32', data: new Float32Array(2) }),
    ).toThrow(/needs 12/);
    expect(() =>
      encodeTensorRecord({ name: 'w', dims: [2], dtype: 'float32', data: new Float64Array(2) }),
    ).toThrow(/does not hold float32/);
  });
});
