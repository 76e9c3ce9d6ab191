/**
 * ONNX protobuf decoder: reads any ModelProto (any IR version and opset) into the plain
 * interfaces of `types.ts`. Unknown fields are skipped, as protobuf requires. Byte fields
 * (`rawData`, string attributes) are views into the input, never copies. Browser-safe.
 */
import { PdsegError } from '../errors.js';
import {
  type AttributeProto,
  type Dimension,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type OperatorSetId,
  type StringStringEntry,
  TENSOR_DATA_TYPE_NAMES,
  TensorDataType,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from './types.js';
import { type Field, Reader, readDoubles, readFloats, readInt64s, text } from './wire.js';

function fields(bytes: Uint8Array, what: string, visit: (f: Field, r: Reader) => void): void {
  const r = new Reader(bytes, what);
  while (r.more) visit(r.next(), r);
}

function int64(f: Field, r: Reader): number {
  return Reader.toInt64(f, r.buf);
}

function decodeEntry(bytes: Uint8Array): StringStringEntry {
  const e: StringStringEntry = { key: '', value: '' };
  fields(bytes, 'StringStringEntryProto', (f) => {
    if (f.field === 1) e.key = text(f);
    else if (f.field === 2) e.value = text(f);
  });
  return e;
}

function decodeOpset(bytes: Uint8Array): OperatorSetId {
  const o: OperatorSetId = { domain: '', version: 0 };
  fields(bytes, 'OperatorSetIdProto', (f, r) => {
    if (f.field === 1) o.domain = text(f);
    else if (f.field === 2) o.version = int64(f, r);
  });
  return o;
}

/** Decodes a TensorProto message body. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  const t: TensorProto = { name: '', dims: [], dataType: 0 };
  const floatData: number[] = [];
  const int32Data: number[] = [];
  const int64Data: number[] = [];
  const doubleData: number[] = [];
  const uint64Data: number[] = [];
  const stringData: Uint8Array[] = [];
  const externalData: StringStringEntry[] = [];
  fields(bytes, 'TensorProto', (f, r) => {
    switch (f.field) {
      case 1:
        readInt64s(f, r.buf, t.dims);
        break;
      case 2:
        t.dataType = f.value;
        break;
      case 4:
        readFloats(f, floatData);
        break;
      case 5:
        readInt64s(f, r.buf, int32Data);
        break;
      case 6:
        stringData.push(f.bytes ?? new Uint8Array());
        break;
      case 7:
        readInt64s(f, r.buf, int64Data);
        break;
      case 8:
        t.name = text(f);
        break;
      case 9:
        t.rawData = f.bytes;
        break;
      case 10:
        readDoubles(f, doubleData);
        break;
      case 11:
        readInt64s(f, r.buf, uint64Data);
        break;
      case 12:
        t.docString = text(f);
        break;
      case 13:
        externalData.push(decodeEntry(f.bytes!));
        break;
      case 14:
        t.dataLocation = f.value;
        break;
    }
  });
  if (floatData.length) t.floatData = floatData;
  if (int32Data.length) t.int32Data = int32Data;
  if (int64Data.length) t.int64Data = int64Data;
  if (doubleData.length) t.doubleData = doubleData;
  if (uint64Data.length) t.uint64Data = uint64Data;
  if (stringData.length) t.stringData = stringData;
  if (externalData.length) t.externalData = externalData;
  return t;
}

function decodeShape(bytes: Uint8Array): { dim: Dimension[] } {
  const dim: Dimension[] = [];
  fields(bytes, 'TensorShapeProto', (f) => {
    if (f.field !== 1 || !f.bytes) return;
    const d: Dimension = {};
    fields(f.bytes, 'TensorShapeProto.Dimension', (g, r) => {
      if (g.field === 1) d.dimValue = int64(g, r);
      else if (g.field === 2) d.dimParam = text(g);
    });
    dim.push(d);
  });
  return { dim };
}

function decodeTensorType(bytes: Uint8Array): { elemType: number; shape?: { dim: Dimension[] } } {
  const tt: { elemType: number; shape?: { dim: Dimension[] } } = { elemType: 0 };
  fields(bytes, 'TypeProto.Tensor', (f) => {
    if (f.field === 1) tt.elemType = f.value;
    else if (f.field === 2 && f.bytes) tt.shape = decodeShape(f.bytes);
  });
  return tt;
}

function decodeElemWrapper(bytes: Uint8Array, what: string): { elemType?: TypeProto } {
  const w: { elemType?: TypeProto } = {};
  fields(bytes, what, (f) => {
    if (f.field === 1 && f.bytes) w.elemType = decodeType(f.bytes);
  });
  return w;
}

function decodeType(bytes: Uint8Array): TypeProto {
  const t: TypeProto = {};
  fields(bytes, 'TypeProto', (f) => {
    if (!f.bytes && f.field !== 6) return;
    switch (f.field) {
      case 1:
        t.tensorType = decodeTensorType(f.bytes!);
        break;
      case 4:
        t.sequenceType = decodeElemWrapper(f.bytes!, 'TypeProto.Sequence');
        break;
      case 5: {
        const m: { keyType: number; valueType?: TypeProto } = { keyType: 0 };
        fields(f.bytes!, 'TypeProto.Map', (g) => {
          if (g.field === 1) m.keyType = g.value;
          else if (g.field === 2 && g.bytes) m.valueType = decodeType(g.bytes);
        });
        t.mapType = m;
        break;
      }
      case 6:
        t.denotation = text(f);
        break;
      case 8:
        t.sparseTensorType = decodeTensorType(f.bytes!);
        break;
      case 9:
        t.optionalType = decodeElemWrapper(f.bytes!, 'TypeProto.Optional');
        break;
    }
  });
  return t;
}

function decodeValueInfo(bytes: Uint8Array): ValueInfoProto {
  const v: ValueInfoProto = { name: '' };
  fields(bytes, 'ValueInfoProto', (f) => {
    if (f.field === 1) v.name = text(f);
    else if (f.field === 2 && f.bytes) v.type = decodeType(f.bytes);
    else if (f.field === 3) v.docString = text(f);
  });
  return v;
}

function decodeAttribute(bytes: Uint8Array): AttributeProto {
  const a: AttributeProto = { name: '', type: 0 };
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: Uint8Array[] = [];
  const tensors: TensorProto[] = [];
  const graphs: GraphProto[] = [];
  let sawFloats = false;
  let sawInts = false;
  fields(bytes, 'AttributeProto', (f, r) => {
    switch (f.field) {
      case 1:
        a.name = text(f);
        break;
      case 2:
        a.f = f.value;
        break;
      case 3:
        a.i = int64(f, r);
        break;
      case 4:
        a.s = f.bytes;
        break;
      case 5:
        a.t = decodeTensor(f.bytes!);
        break;
      case 6:
        a.g = decodeGraph(f.bytes!);
        break;
      case 7:
        sawFloats = true;
        readFloats(f, floats);
        break;
      case 8:
        sawInts = true;
        readInt64s(f, r.buf, ints);
        break;
      case 9:
        strings.push(f.bytes ?? new Uint8Array());
        break;
      case 10:
        tensors.push(decodeTensor(f.bytes!));
        break;
      case 11:
        graphs.push(decodeGraph(f.bytes!));
        break;
      case 13:
        a.docString = text(f);
        break;
      case 20:
        a.type = f.value;
        break;
      case 21:
        a.refAttrName = text(f);
        break;
    }
  });
  if (sawFloats) a.floats = floats;
  if (sawInts) a.ints = ints;
  if (strings.length) a.strings = strings;
  if (tensors.length) a.tensors = tensors;
  if (graphs.length) a.graphs = graphs;
  // IR < 3 files may omit `type`; infer it from the field that is set.
  if (a.type === 0) a.type = inferAttributeType(a);
  return a;
}

function inferAttributeType(a: AttributeProto): number {
  if (a.f !== undefined) return 1;
  if (a.i !== undefined) return 2;
  if (a.s !== undefined) return 3;
  if (a.t) return 4;
  if (a.g) return 5;
  if (a.floats) return 6;
  if (a.ints) return 7;
  if (a.strings) return 8;
  if (a.tensors) return 9;
  if (a.graphs) return 10;
  return 0;
}

function decodeNode(bytes: Uint8Array): NodeProto {
  const n: NodeProto = {
    input: [],
    output: [],
    name: '',
    opType: '',
    domain: '',
    attribute: [],
    docString: '',
  };
  fields(bytes, 'NodeProto', (f) => {
    switch (f.field) {
      case 1:
        n.input.push(text(f));
        break;
      case 2:
        n.output.push(text(f));
        break;
      case 3:
        n.name = text(f);
        break;
      case 4:
        n.opType = text(f);
        break;
      case 5:
        n.attribute.push(decodeAttribute(f.bytes!));
        break;
      case 6:
        n.docString = text(f);
        break;
      case 7:
        n.domain = text(f);
        break;
      case 9:
        n.metadataProps = [...(n.metadataProps ?? []), decodeEntry(f.bytes!)];
        break;
    }
  });
  return n;
}

/** Decodes a GraphProto message body. */
export function decodeGraph(bytes: Uint8Array): GraphProto {
  const g: GraphProto = {
    name: '',
    node: [],
    initializer: [],
    input: [],
    output: [],
    valueInfo: [],
    docString: '',
  };
  fields(bytes, 'GraphProto', (f) => {
    switch (f.field) {
      case 1:
        g.node.push(decodeNode(f.bytes!));
        break;
      case 2:
        g.name = text(f);
        break;
      case 5:
        g.initializer.push(decodeTensor(f.bytes!));
        break;
      case 10:
        g.docString = text(f);
        break;
      case 11:
        g.input.push(decodeValueInfo(f.bytes!));
        break;
      case 12:
        g.output.push(decodeValueInfo(f.bytes!));
        break;
      case 13:
        g.valueInfo.push(decodeValueInfo(f.bytes!));
        break;
    }
  });
  return g;
}

function decodeFunction(bytes: Uint8Array): FunctionProto {
  const fn: FunctionProto = {
    name: '',
    domain: '',
    input: [],
    output: [],
    attribute: [],
    node: [],
    opsetImport: [],
    docString: '',
  };
  fields(bytes, 'FunctionProto', (f) => {
    switch (f.field) {
      case 1:
        fn.name = text(f);
        break;
      case 4:
        fn.input.push(text(f));
        break;
      case 5:
        fn.output.push(text(f));
        break;
      case 6:
        fn.attribute.push(text(f));
        break;
      case 7:
        fn.node.push(decodeNode(f.bytes!));
        break;
      case 8:
        fn.docString = text(f);
        break;
      case 9:
        fn.opsetImport.push(decodeOpset(f.bytes!));
        break;
      case 10:
        fn.domain = text(f);
        break;
    }
  });
  return fn;
}

/**
 * Decodes an ONNX model. Throws `PdsegError('ONNX_DECODE')` for bytes that are not a
 * ModelProto (truncated, another format) with the offset where decoding failed.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const m: ModelProto = {
    irVersion: 0,
    opsetImport: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    graph: { name: '', node: [], initializer: [], input: [], output: [], valueInfo: [], docString: '' },
    metadataProps: [],
    functions: [],
  };
  let sawGraph = false;
  fields(bytes, 'ONNX ModelProto', (f, r) => {
    if (f.wireType !== 2 && [2, 3, 4, 6, 7, 8, 14, 25].includes(f.field)) {
      r.fail(`field ${f.field} has wire type ${f.wireType}, expected length-delimited`);
    }
    switch (f.field) {
      case 1:
        m.irVersion = int64(f, r);
        break;
      case 2:
        m.producerName = text(f);
        break;
      case 3:
        m.producerVersion = text(f);
        break;
      case 4:
        m.domain = text(f);
        break;
      case 5:
        m.modelVersion = int64(f, r);
        break;
      case 6:
        m.docString = text(f);
        break;
      case 7:
        m.graph = decodeGraph(f.bytes!);
        sawGraph = true;
        break;
      case 8:
        m.opsetImport.push(decodeOpset(f.bytes!));
        break;
      case 14:
        m.metadataProps.push(decodeEntry(f.bytes!));
        break;
      case 25:
        m.functions.push(decodeFunction(f.bytes!));
        break;
    }
  });
  if (!sawGraph || m.irVersion <= 0) {
    throw new PdsegError(
      'ONNX_DECODE',
      `not an ONNX model: ${sawGraph ? 'ir_version is missing' : 'no graph field'} (${bytes.length} bytes read)`,
    );
  }
  return m;
}

function typedView<T>(
  t: TensorProto,
  Ctor: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
  count: number,
): T {
  const raw = t.rawData!;
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  if (raw.byteLength !== bytes) {
    throw new PdsegError(
      'ONNX_DECODE',
      `tensor '${t.name}' has ${raw.byteLength} bytes of raw_data, expected ${bytes} for dims [${t.dims.join(', ')}]`,
    );
  }
  // Copy when unaligned: typed arrays need element-aligned offsets.
  if (raw.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) {
    return new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, count);
  }
  // `new Uint8Array(typedArray)` copies; `slice()` would not on a Node Buffer.
  const copy = new Uint8Array(raw);
  return new Ctor(copy.buffer as ArrayBuffer, 0, count);
}

/** Number of elements of a tensor (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/**
 * The values of a float, double or integer tensor as numbers in a Float64Array-compatible
 * form: float32 tensors come back as a Float32Array (a view when aligned), others as arrays.
 */
export function tensorValues(t: TensorProto): Float32Array | Float64Array | Int32Array | number[] {
  const count = elementCount(t.dims);
  if (t.rawData) {
    switch (t.dataType) {
      case TensorDataType.FLOAT:
        return typedView(t, Float32Array, count);
      case TensorDataType.DOUBLE:
        return typedView(t, Float64Array, count);
      case TensorDataType.INT32:
        return typedView(t, Int32Array, count);
      case TensorDataType.INT64:
        return Array.from(typedView(t, BigInt64Array, count), Number);
      case TensorDataType.UINT8:
      case TensorDataType.BOOL:
        return Array.from(t.rawData.subarray(0, count));
      case TensorDataType.INT8:
        return Array.from(new Int8Array(t.rawData.buffer, t.rawData.byteOffset, count));
      default:
        throw new PdsegError(
          'ONNX_DECODE',
          `tensor '${t.name}' of type ${TENSOR_DATA_TYPE_NAMES[t.dataType] ?? t.dataType} cannot be read as numbers`,
        );
    }
  }
  if (t.dataType === TensorDataType.FLOAT) return Float32Array.from(t.floatData ?? []);
  if (t.dataType === TensorDataType.DOUBLE) return Float64Array.from(t.doubleData ?? []);
  if (t.dataType === TensorDataType.INT64) return t.int64Data ?? [];
  if (t.dataType === TensorDataType.UINT64) return t.uint64Data ?? [];
  return t.int32Data ?? [];
}
