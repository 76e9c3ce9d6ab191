/**
 * Reads a `model.pdparams` (spec §9.8): a pickled dict `{name: numpy.ndarray}` written by
 * `fluid.save` (protocol 2) or `paddle.save` (protocol 4, or 5 with in-band buffers), via the
 * restricted {@link unpickle}. Only these globals are accepted: `numpy.core.multiarray.
 * _reconstruct` / `.scalar`, `numpy.ndarray`, `numpy.dtype`, `numpy.core.numeric._frombuffer`
 * (and their `numpy._core` spellings from numpy 2), `_codecs.encode` (protocol-2 byte
 * strings), `bytes()` without arguments (protocol 2's empty byte string) and
 * `collections.OrderedDict`. Dict values that are not arrays (such as Paddle
 * 2.x's `StructuredToParameterName@@` name map) are skipped.
 */
import { PdsegError } from '../errors.js';
import type { PaddleDType } from './dtype.js';
import { dataByteLength } from './dtype.js';
import { FileSpan, type PickleHooks, type PickleSource, type PyGlobal, PyTuple, unpickle } from './pickle.js';

/** One array of a pdparams file: little-endian, C-order data. */
export interface PickledArray {
  /** Element type. */
  dtype: PaddleDType;
  /** Shape. */
  dims: number[];
  /**
   * The raw data: bytes (a view into in-memory input, or decoded from protocol 2's latin-1
   * text), or where they lie in the file when the source left them there.
   */
  data: Uint8Array | FileSpan;
}

/** Result of {@link readPdparams}. */
export interface PdparamsContent {
  /** Arrays by name, in the dict's order. */
  arrays: Map<string, PickledArray>;
  /** Keys whose values are not arrays (ignored). */
  skipped: string[];
}

const ALLOWED: ReadonlySet<string> = new Set([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ndarray',
  'numpy.dtype',
  '_codecs.encode',
  'collections.OrderedDict',
  // protocol 2 writes an empty byte string (a zero-size array's data) as bytes()
  '__builtin__.bytes',
  'builtins.bytes',
]);

const NUMPY_TO_PADDLE: Readonly<Record<string, PaddleDType>> = {
  b1: 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  c8: 'complex64',
  c16: 'complex128',
};

/** `numpy.dtype(str)` under construction. */
class NpDType {
  byteorder = '=';
  constructor(readonly str: string) {}
}

/** `ndarray` under construction (`_reconstruct` then `BUILD`). */
class NpArray {
  result?: PickledArray;
}

/** A numpy scalar: recognised, not an array. */
class NpScalar {}

function shapeOf(v: unknown, fail: (r: string) => never): number[] {
  if (!(v instanceof PyTuple)) fail('an array shape is not a tuple');
  return (v as PyTuple).items.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      fail(`array dimension ${String(d)} is not a size`);
    return d as number;
  });
}

function finishArray(
  dtype: unknown,
  dims: number[],
  fortran: boolean,
  raw: unknown,
  fail: (r: string) => never,
): PickledArray {
  if (!(dtype instanceof NpDType)) fail('an array has no numpy dtype');
  const dt = dtype as NpDType;
  const paddle = NUMPY_TO_PADDLE[dt.str];
  if (paddle === undefined) fail(`numpy dtype "${dt.str}" has no Paddle equivalent`);
  if (dt.byteorder === '>' && !dt.str.endsWith('1'))
    fail(`big-endian numpy array ("${dt.str}") is not supported`);
  if (fortran && dims.filter((d) => d > 1).length > 1) fail('Fortran-ordered numpy array is not supported');
  let data: Uint8Array | FileSpan;
  if (raw instanceof Uint8Array || raw instanceof FileSpan) data = raw;
  else if (typeof raw === 'string') data = latin1Bytes(raw);
  else return fail('array data is neither bytes nor a byte string (object arrays are not supported)');
  const expected = dataByteLength(paddle as PaddleDType, dims);
  if (data.length !== expected) {
    fail(`array of shape [${dims.join(',')}] ${dt.str} has ${data.length} data bytes, expected ${expected}`);
  }
  return { dtype: paddle as PaddleDType, dims, data };
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Parses a pdparams file (its bytes, or a piecewise source). `source` names the file in errors. */
export function readPdparams(input: Uint8Array | PickleSource, source: string): PdparamsContent {
  const fail = (reason: string): never => {
    throw new PdsegError('WEIGHT_FORMAT', `"${source}": ${reason}.`);
  };
  const hooks: PickleHooks = {
    allowGlobal: (module, name) => ALLOWED.has(`${module}.${name}`),
    call(fn: PyGlobal, args: unknown[]): unknown {
      switch (fn.name) {
        case '_reconstruct':
          return new NpArray();
        case 'dtype':
          if (typeof args[0] !== 'string') fail('numpy.dtype called without a type string');
          return new NpDType(args[0] as string);
        case 'scalar':
          return new NpScalar();
        case 'OrderedDict':
          return new Map();
        case 'bytes':
          if (args.length !== 0) fail('bytes() is only accepted without arguments');
          return new Uint8Array(0);
        case 'encode': {
          const [text, encoding] = args;
          if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
            fail('_codecs.encode is only accepted as encode(str, "latin1")');
          }
          return latin1Bytes(text as string);
        }
        case '_frombuffer': {
          const [buf, dtype, shape, order] = args;
          const a = new NpArray();
          a.result = finishArray(dtype, shapeOf(shape, fail), order === 'F', buf, fail);
          return a;
        }
        default:
          return fail(`the global "${fn.qualified}" cannot be called`);
      }
    },
    build(obj: unknown, state: unknown): unknown {
      if (!(state instanceof PyTuple) && !(state instanceof Map)) fail('BUILD state is not a tuple');
      if (obj instanceof NpDType && state instanceof PyTuple) {
        const order = state.items[1];
        if (typeof order === 'string') obj.byteorder = order;
        return obj;
      }
      if (obj instanceof NpArray && state instanceof PyTuple) {
        const items = state.items.length === 5 ? state.items.slice(1) : state.items;
        if (items.length !== 4) fail(`ndarray state has ${state.items.length} items`);
        obj.result = finishArray(items[1], shapeOf(items[0], fail), items[2] === true, items[3], fail);
        return obj;
      }
      if (obj instanceof Map && state instanceof Map) {
        for (const [k, v] of state) obj.set(k, v);
        return obj;
      }
      if (obj instanceof NpScalar) return obj;
      return fail('BUILD on an object pdseg does not know');
    },
  };
  const root = unpickle(input, hooks, source);
  if (!(root instanceof Map)) fail('the pickle does not hold a dict of arrays');
  const arrays = new Map<string, PickledArray>();
  const skipped: string[] = [];
  for (const [k, v] of root as Map<unknown, unknown>) {
    const key = String(k);
    if (v instanceof NpArray && v.result) arrays.set(key, v.result);
    else skipped.push(key);
  }
  return { arrays, skipped };
}
