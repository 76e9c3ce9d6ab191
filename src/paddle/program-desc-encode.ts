/**
 * Encoder of Paddle's `ProgramDesc` (spec §9.9), the inverse of `decodeProgramDesc`: fields
 * in field-number order and repeated scalars unpacked, as Paddle's C++ protobuf writes them,
 * so a decoded Paddle file re-encodes byte for byte. Used to write `__model__` fixtures.
 */
import {
  ATTR_TYPES,
  type AttrTypeName,
  type BlockDesc,
  type LoDTensorDescProto,
  type OpAttr,
  type OpDesc,
  type OpVar,
  type ProgramDesc,
  REPEATED,
  type TensorDescProto,
  VALUE_FIELD,
  type VarDesc,
  type VarType,
} from './program-desc-types.js';
import { ProtoWriter } from './protobuf.js';

function encodeTensorDescProto(w: ProtoWriter, t: TensorDescProto): void {
  w.intField(1, t.dataType);
  for (const d of t.dims) w.intField(2, d);
}

function encodeLoDTensorDesc(w: ProtoWriter, t: LoDTensorDescProto): void {
  w.messageField(1, (s) => encodeTensorDescProto(s, t.tensor));
  if (t.lodLevel !== undefined) w.intField(2, t.lodLevel);
}

function encodeVarType(w: ProtoWriter, t: VarType): void {
  w.intField(1, t.type);
  if (t.selectedRows) w.messageField(2, (s) => encodeTensorDescProto(s, t.selectedRows as TensorDescProto));
  if (t.lodTensor) w.messageField(3, (s) => encodeLoDTensorDesc(s, t.lodTensor as LoDTensorDescProto));
  if (t.tensorArray) w.messageField(4, (s) => encodeLoDTensorDesc(s, t.tensorArray as LoDTensorDescProto));
  const reader = t.reader;
  if (reader)
    w.messageField(5, (s) => {
      for (const l of reader.lodTensor) s.messageField(1, (x) => encodeLoDTensorDesc(x, l));
    });
  const tuple = t.tuple;
  if (tuple)
    w.messageField(7, (s) => {
      for (const e of tuple.elementType) s.intField(1, e);
    });
  for (const u of t.unknown ?? []) w.unknown(u);
}

function writeAttrElement(w: ProtoWriter, field: number, type: AttrTypeName, v: unknown): void {
  switch (type) {
    case 'FLOAT':
    case 'FLOATS':
      w.floatField(field, v as number);
      return;
    case 'FLOAT64':
    case 'FLOAT64S':
      w.doubleField(field, v as number);
      return;
    case 'BOOLEAN':
    case 'BOOLEANS':
      w.boolField(field, v as boolean);
      return;
    case 'STRING':
    case 'STRINGS':
    case 'VAR':
    case 'VARS':
      w.stringField(field, v as string);
      return;
    case 'SCALAR':
    case 'SCALARS':
      w.bytesField(field, v as Uint8Array);
      return;
    default:
      w.intField(field, v as number | bigint);
  }
}

function encodeAttr(w: ProtoWriter, a: OpAttr): void {
  w.stringField(1, a.name);
  const typeNum = ATTR_TYPES.indexOf(a.type);
  if (typeNum < 0) throw new RangeError(`attribute "${a.name}": unknown type ${String(a.type)}`);
  w.intField(2, typeNum);
  const field = VALUE_FIELD[a.type];
  if (REPEATED.has(a.type)) {
    for (const v of a.value as unknown[]) writeAttrElement(w, field, a.type, v);
  } else {
    writeAttrElement(w, field, a.type, a.value);
  }
  for (const u of a.unknown ?? []) w.unknown(u);
}

function encodeOpVar(w: ProtoWriter, v: OpVar): void {
  w.stringField(1, v.parameter);
  for (const a of v.arguments) w.stringField(2, a);
}

function encodeOp(w: ProtoWriter, op: OpDesc): void {
  for (const v of op.inputs) w.messageField(1, (s) => encodeOpVar(s, v));
  for (const v of op.outputs) w.messageField(2, (s) => encodeOpVar(s, v));
  w.stringField(3, op.type);
  for (const a of op.attrs) w.messageField(4, (s) => encodeAttr(s, a));
  if (op.isTarget !== undefined) w.boolField(5, op.isTarget);
  for (const u of op.unknown ?? []) w.unknown(u);
}

function encodeVar(w: ProtoWriter, v: VarDesc): void {
  w.stringField(1, v.name);
  w.messageField(2, (s) => encodeVarType(s, v.type));
  if (v.persistable !== undefined) w.boolField(3, v.persistable);
  if (v.needCheckFeed !== undefined) w.boolField(4, v.needCheckFeed);
  for (const u of v.unknown ?? []) w.unknown(u);
}

function encodeBlock(w: ProtoWriter, b: BlockDesc): void {
  w.intField(1, b.idx);
  w.intField(2, b.parentIdx);
  for (const v of b.vars) w.messageField(3, (s) => encodeVar(s, v));
  for (const op of b.ops) w.messageField(4, (s) => encodeOp(s, op));
  if (b.forwardBlockIdx !== undefined) w.intField(5, b.forwardBlockIdx);
  for (const u of b.unknown ?? []) w.unknown(u);
}

/** Encodes a `ProgramDesc` as Paddle writes it (fields in number order, repeated fields unpacked). */
export function encodeProgramDesc(desc: ProgramDesc): Uint8Array {
  const w = new ProtoWriter();
  for (const b of desc.blocks) w.messageField(1, (s) => encodeBlock(s, b));
  const ocm = desc.opCompatibleMap;
  if (ocm) {
    w.messageField(3, (s) => {
      for (const p of ocm.pair) {
        s.messageField(1, (x) => {
          x.stringField(1, p.opName);
          x.messageField(2, (c) =>
            c.stringField(1, p.compatibleInfo.version).intField(2, p.compatibleInfo.type),
          );
        });
      }
      if (ocm.defaultRequiredVersion !== undefined) s.stringField(2, ocm.defaultRequiredVersion);
    });
  }
  const version = desc.version;
  if (version !== undefined) w.messageField(4, (s) => s.intField(1, version));
  const ovm = desc.opVersionMap;
  if (ovm) {
    w.messageField(5, (s) => {
      for (const p of ovm)
        s.messageField(1, (x) => x.stringField(1, p.opName).messageField(2, (v) => v.intField(1, p.version)));
    });
  }
  for (const u of desc.unknown ?? []) w.unknown(u);
  return w.finish().slice();
}
