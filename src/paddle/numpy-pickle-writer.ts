/**
 * Writes a `model.pdparams`-style pickle (protocol 4): a dict `{name: numpy.ndarray}` in
 * the form numpy's `ndarray.__reduce__` produces (`_reconstruct`, then `BUILD` with
 * `(1, shape, dtype, False, raw_bytes)`), which Python's `pickle.load` and pdseg's reader
 * both accept. Output is a list of chunks; array data chunks are views, not copies.
 */
import type { PaddleDType } from './dtype.js';
import { tensorDataBytes } from './lod-tensor.js';
import type { Tensor } from './tensor.js';

const PADDLE_TO_NUMPY: Readonly<Partial<Record<PaddleDType, string>>> = {
  bool: 'b1',
  int8: 'i1',
  int16: 'i2',
  int32: 'i4',
  int64: 'i8',
  uint8: 'u1',
  float16: 'f2',
  float32: 'f4',
  float64: 'f8',
  complex64: 'c8',
  complex128: 'c16',
};

const utf8 = new TextEncoder();

class Ops {
  private parts: number[] = [];
  readonly chunks: Uint8Array[] = [];

  op(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }

  private u32(n: number): this {
    return this.op(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  str(s: string): this {
    const b = utf8.encode(s);
    if (b.length < 256) this.op(0x8c, b.length);
    else this.op(0x58).u32(b.length);
    return this.op(...b);
  }

  global(module: string, name: string): this {
    return this.op(0x63, ...utf8.encode(`${module}\n${name}\n`));
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= -(2 ** 31) && n < 2 ** 31) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, n, true);
      return this.op(0x4a, ...b);
    }
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
    return this.op(0x8a, 8, ...b);
  }

  bytes(data: Uint8Array): this {
    if (data.length < 256) return this.op(0x43, data.length, ...data);
    if (data.length < 2 ** 32) this.op(0x42).u32(data.length);
    else {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(data.length), true);
      this.op(0x8e, ...b);
    }
    this.flush();
    this.chunks.push(data);
    return this;
  }

  flush(): void {
    if (this.parts.length > 0) this.chunks.push(Uint8Array.from(this.parts));
    this.parts = [];
  }
}

/** Encodes `tensors` as a protocol-4 pickle of an insertion-ordered dict name → ndarray. */
export function encodePdparams(tensors: readonly Tensor[]): Uint8Array[] {
  const o = new Ops();
  o.op(0x80, 4, 0x7d); // PROTO 4, EMPTY_DICT
  for (const t of tensors) {
    const np = PADDLE_TO_NUMPY[t.dtype];
    if (np === undefined)
      throw new RangeError(`tensor "${t.name}": numpy has no ${t.dtype} type for a pdparams file`);
    const data = tensorDataBytes(t);
    o.op(0x28); // MARK (one SETITEMS per entry keeps the op stream simple)
    o.str(t.name);
    o.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray');
    o.int(0).op(0x85).op(0x43, 1, 0x62).op(0x87, 0x52); // (0,), b'b', TUPLE3, REDUCE
    o.op(0x28).int(1); // MARK, version 1
    o.op(0x28);
    for (const d of t.dims) o.int(d);
    o.op(0x74); // shape tuple
    o.global('numpy', 'dtype').str(np).op(0x89, 0x88, 0x87, 0x52); // dtype(np, False, True)
    o.op(0x28)
      .int(3)
      .str(np.endsWith('1') ? '|' : '<')
      .op(0x4e, 0x4e, 0x4e)
      .int(-1)
      .int(-1)
      .int(0)
      .op(0x74, 0x62);
    o.op(0x89); // is_fortran False
    o.bytes(data);
    o.op(0x74, 0x62); // state tuple, BUILD
    o.op(0x75); // SETITEMS
  }
  o.op(0x2e); // STOP
  o.flush();
  return o.chunks;
}
