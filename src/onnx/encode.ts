/**
 * ONNX protobuf encoder (DESIGN.md, "The exported ONNX model": IR 8, opset 17). Field
 * numbers are those of `onnx.proto`. Repeated scalars follow onnx.proto's proto2 rules:
 * `dims`, `ints` and `floats` are written unpacked, TensorProto's typed data fields packed.
 * Weight buffers (`rawData`) are referenced in the output chunks, never copied.
 */
import type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  LazyBytes,
  ModelProto,
  NodeProto,
  StringStringEntry,
  TensorProto,
  TypeProto,
  ValueInfoProto,
} from './types.js';
import { Writer } from './wire.js';

function entry(w: Writer, e: StringStringEntry): void {
  w.string(1, e.key);
  w.string(2, e.value);
}

function packedVarints(w: Writer, field: number, values: number[] | undefined): void {
  if (!values || values.length === 0) return;
  w.message(field, (p) => {
    for (const v of values) p.varint(v);
  });
}

function packedFixed(w: Writer, field: number, values: number[] | undefined, width: 4 | 8): void {
  if (!values || values.length === 0) return;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    if (width === 4) view.setFloat32(i * 4, v, true);
    else view.setFloat64(i * 8, v, true);
  });
  w.bytes(field, bytes);
}

/** Writes the fields of a TensorProto. */
export function writeTensor(w: Writer, t: TensorProto): void {
  for (const d of t.dims) w.uint(1, d);
  w.uint(2, t.dataType);
  packedFixed(w, 4, t.floatData, 4);
  packedVarints(w, 5, t.int32Data);
  for (const s of t.stringData ?? []) w.bytes(6, s);
  packedVarints(w, 7, t.int64Data);
  if (t.name) w.string(8, t.name);
  if (t.rawData) w.bytes(9, t.rawData);
  else if (t.rawDataSource) w.lazyBytes(9, t.rawDataSource);
  packedFixed(w, 10, t.doubleData, 8);
  packedVarints(w, 11, t.uint64Data);
  if (t.docString) w.string(12, t.docString);
  for (const e of t.externalData ?? []) w.message(13, (m) => entry(m, e));
  if (t.dataLocation) w.uint(14, t.dataLocation);
}

function writeShape(w: Writer, dims: { dimValue?: number; dimParam?: string }[]): void {
  for (const d of dims) {
    w.message(1, (m) => {
      if (d.dimValue !== undefined) m.uint(1, d.dimValue);
      else if (d.dimParam !== undefined) m.string(2, d.dimParam);
    });
  }
}

function writeType(w: Writer, t: TypeProto): void {
  if (t.tensorType) {
    const tt = t.tensorType;
    w.message(1, (m) => {
      m.uint(1, tt.elemType);
      if (tt.shape) m.message(2, (s) => writeShape(s, tt.shape!.dim));
    });
  }
  if (t.sequenceType) {
    const st = t.sequenceType;
    w.message(4, (m) => {
      if (st.elemType) m.message(1, (e) => writeType(e, st.elemType!));
    });
  }
  if (t.mapType) {
    const mt = t.mapType;
    w.message(5, (m) => {
      m.uint(1, mt.keyType);
      if (mt.valueType) m.message(2, (e) => writeType(e, mt.valueType!));
    });
  }
  if (t.denotation) w.string(6, t.denotation);
  if (t.sparseTensorType) {
    const st = t.sparseTensorType;
    w.message(8, (m) => {
      m.uint(1, st.elemType);
      if (st.shape) m.message(2, (s) => writeShape(s, st.shape!.dim));
    });
  }
  if (t.optionalType) {
    const ot = t.optionalType;
    w.message(9, (m) => {
      if (ot.elemType) m.message(1, (e) => writeType(e, ot.elemType!));
    });
  }
}

function writeValueInfo(w: Writer, v: ValueInfoProto): void {
  w.string(1, v.name);
  if (v.type) w.message(2, (m) => writeType(m, v.type!));
  if (v.docString) w.string(3, v.docString);
}

function writeAttribute(w: Writer, a: AttributeProto): void {
  w.string(1, a.name);
  if (a.f !== undefined) w.float(2, a.f);
  if (a.i !== undefined) w.uint(3, a.i);
  if (a.s !== undefined) w.bytes(4, a.s);
  if (a.t) w.message(5, (m) => writeTensor(m, a.t!));
  if (a.g) w.message(6, (m) => writeGraph(m, a.g!));
  for (const f of a.floats ?? []) w.float(7, f);
  for (const i of a.ints ?? []) w.uint(8, i);
  for (const s of a.strings ?? []) w.bytes(9, s);
  for (const t of a.tensors ?? []) w.message(10, (m) => writeTensor(m, t));
  for (const g of a.graphs ?? []) w.message(11, (m) => writeGraph(m, g));
  if (a.docString) w.string(13, a.docString);
  w.uint(20, a.type);
  if (a.refAttrName) w.string(21, a.refAttrName);
}

function writeNode(w: Writer, n: NodeProto): void {
  for (const i of n.input) w.string(1, i);
  for (const o of n.output) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attribute) w.message(5, (m) => writeAttribute(m, a));
  if (n.docString) w.string(6, n.docString);
  if (n.domain) w.string(7, n.domain);
  for (const e of n.metadataProps ?? []) w.message(9, (m) => entry(m, e));
}

function writeGraph(w: Writer, g: GraphProto): void {
  for (const n of g.node) w.message(1, (m) => writeNode(m, n));
  if (g.name) w.string(2, g.name);
  for (const t of g.initializer) w.message(5, (m) => writeTensor(m, t));
  if (g.docString) w.string(10, g.docString);
  for (const v of g.input) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.output) w.message(12, (m) => writeValueInfo(m, v));
  for (const v of g.valueInfo) w.message(13, (m) => writeValueInfo(m, v));
}

function writeFunction(w: Writer, f: FunctionProto): void {
  w.string(1, f.name);
  for (const i of f.input) w.string(4, i);
  for (const o of f.output) w.string(5, o);
  for (const a of f.attribute) w.string(6, a);
  for (const n of f.node) w.message(7, (m) => writeNode(m, n));
  if (f.docString) w.string(8, f.docString);
  for (const o of f.opsetImport) w.message(9, (m) => writeOpset(m, o));
  if (f.domain) w.string(10, f.domain);
}

function writeOpset(w: Writer, o: { domain: string; version: number }): void {
  // Written even when empty, as onnx's helper.make_opsetid does.
  w.string(1, o.domain);
  w.uint(2, o.version);
}

/**
 * Encodes a model as a list of chunks; large `rawData` buffers appear as-is (not copied).
 * Write the chunks one after another to a file to keep memory at one copy of the weights.
 */
export function encodeModelChunks(model: ModelProto): Uint8Array[] {
  return writeModel(model).finishChunks();
}

/** Encodes a model into one byte array. */
export function encodeModel(model: ModelProto): Uint8Array {
  return writeModel(model).finish();
}

/**
 * Encodes a model as a stream of chunks, loading `rawDataSource` fields as the stream
 * reaches them, with up to `readAhead` loads started early so reading overlaps writing.
 * Memory stays at a few tensors instead of the whole model.
 */
export async function* encodeModelStream(
  model: ModelProto,
  options: { readAhead?: number } = {},
): AsyncGenerator<Uint8Array> {
  const parts = writeModel(model).finishParts();
  const readAhead = Math.max(1, options.readAhead ?? 4);
  const lazy = parts.filter((p): p is LazyBytes => !(p instanceof Uint8Array));
  const loads: Promise<Uint8Array>[] = [];
  let started = 0;
  const startNext = () => {
    while (started < lazy.length && loads.length < readAhead) {
      const source = lazy[started++]!;
      const load = source.load().then((bytes) => {
        if (bytes.byteLength !== source.byteLength) {
          throw new RangeError(
            `lazy raw_data gave ${bytes.byteLength} bytes, ${source.byteLength} were declared`,
          );
        }
        return bytes;
      });
      // Awaited in order below; this only keeps an early failure from being reported as unhandled.
      load.catch(() => {});
      loads.push(load);
    }
  };
  startNext();
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      yield part;
      continue;
    }
    const bytes = await loads.shift()!;
    startNext();
    yield bytes;
  }
}

function writeModel(model: ModelProto): Writer {
  const w = new Writer();
  w.uint(1, model.irVersion);
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  if (model.domain) w.string(4, model.domain);
  if (model.modelVersion) w.uint(5, model.modelVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (m) => writeGraph(m, model.graph));
  for (const o of model.opsetImport) w.message(8, (m) => writeOpset(m, o));
  for (const e of model.metadataProps) w.message(14, (m) => entry(m, e));
  for (const f of model.functions ?? []) w.message(25, (m) => writeFunction(m, f));
  return w;
}
