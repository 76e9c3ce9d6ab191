/**
 * Decoder and encoder of Paddle's `ProgramDesc` protobuf (`__model__`, `.pdmodel`), spec
 * §9.9, plus the §9.8 rule that names the records of a combined parameter file.
 *
 * Encoding writes fields in field-number order, as Paddle's C++ protobuf does, so
 * `encodeProgramDesc(decodeProgramDesc(bytes))` reproduces a Paddle file byte for byte.
 * Pure TypeScript over `Uint8Array` (used by the browser viewer too).
 */
import { PdsegError } from '../errors.js';
import {
  ATTR_TYPES,
  type AttrTypeName,
  type BlockDesc,
  type LoDTensorDescProto,
  type OpAttr,
  type OpCompatibleMap,
  type OpDesc,
  type OpVar,
  type ProgramDesc,
  REPEATED,
  type TensorDescProto,
  VALUE_FIELD,
  type VarDesc,
  type VarType,
  VarTypeId,
} from './program-desc-types.js';
import { ProtoReader, type UnknownField, Wire } from './protobuf.js';

export { encodeProgramDesc } from './program-desc-encode.js';
export * from './program-desc-types.js';

function keep(list: UnknownField[] | undefined, f: UnknownField): UnknownField[] {
  const out = list ?? [];
  out.push(f);
  return out;
}

function decodeTensorDescProto(r: ProtoReader): TensorDescProto {
  const out: TensorDescProto = { dataType: -1, dims: [] };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) out.dataType = r.int32();
    else if (field === 2) r.repeated(wire, out.dims, (x) => x.int64Number());
    else r.skip(field, wire);
  }
  return out;
}

function decodeLoDTensorDesc(r: ProtoReader): LoDTensorDescProto {
  const out: LoDTensorDescProto = { tensor: { dataType: -1, dims: [] } };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) out.tensor = decodeTensorDescProto(r.message('TensorDesc'));
    else if (field === 2) out.lodLevel = r.int32();
    else r.skip(field, wire);
  }
  return out;
}

function decodeVarType(r: ProtoReader): VarType {
  const out: VarType = { type: -1 };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.VARINT) out.type = r.int32();
    else if (field === 2 && wire === Wire.LEN)
      out.selectedRows = decodeTensorDescProto(r.message('selected_rows'));
    else if (field === 3 && wire === Wire.LEN) out.lodTensor = decodeLoDTensorDesc(r.message('lod_tensor'));
    else if (field === 4 && wire === Wire.LEN)
      out.tensorArray = decodeLoDTensorDesc(r.message('tensor_array'));
    else if (field === 5 && wire === Wire.LEN) {
      const sub = r.message('reader');
      const lodTensor: LoDTensorDescProto[] = [];
      while (!sub.done) {
        const k = sub.key();
        if (k.field === 1) lodTensor.push(decodeLoDTensorDesc(sub.message('reader.lod_tensor')));
        else sub.skip(k.field, k.wire);
      }
      out.reader = { lodTensor };
    } else if (field === 7 && wire === Wire.LEN) {
      const sub = r.message('tuple');
      const elementType: number[] = [];
      while (!sub.done) {
        const k = sub.key();
        if (k.field === 1) sub.repeated(k.wire, elementType, (x) => x.int32());
        else sub.skip(k.field, k.wire);
      }
      out.tuple = { elementType };
    } else out.unknown = keep(out.unknown, r.skip(field, wire));
  }
  return out;
}

function decodeVarDesc(r: ProtoReader): VarDesc {
  const out: VarDesc = { name: '', type: { type: -1 } };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.LEN) out.name = r.string();
    else if (field === 2 && wire === Wire.LEN)
      out.type = decodeVarType(r.message(`VarType of "${out.name}"`));
    else if (field === 3 && wire === Wire.VARINT) out.persistable = r.bool();
    else if (field === 4 && wire === Wire.VARINT) out.needCheckFeed = r.bool();
    else out.unknown = keep(out.unknown, r.skip(field, wire));
  }
  return out;
}

function decodeOpVar(r: ProtoReader): OpVar {
  const out: OpVar = { parameter: '', arguments: [] };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) out.parameter = r.string();
    else if (field === 2) out.arguments.push(r.string());
    else r.skip(field, wire);
  }
  return out;
}

function readAttrElement(type: AttrTypeName, r: ProtoReader): unknown {
  switch (type) {
    case 'INT':
    case 'INTS':
    case 'BLOCK':
    case 'BLOCKS':
      return r.int32();
    case 'FLOAT':
    case 'FLOATS':
      return r.float();
    case 'FLOAT64':
    case 'FLOAT64S':
      return r.double();
    case 'BOOLEAN':
    case 'BOOLEANS':
      return r.bool();
    case 'LONG':
    case 'LONGS':
      return r.int64();
    case 'STRING':
    case 'STRINGS':
    case 'VAR':
    case 'VARS':
      return r.string();
    default:
      return r.bytes();
  }
}

function decodeAttr(r: ProtoReader, opType: string): OpAttr {
  // The type (field 2) may in principle follow its value, so collect fields first.
  let name = '';
  let typeNum = -1;
  const fields: { field: number; wire: number; start: number }[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.LEN) name = r.string();
    else if (field === 2 && wire === Wire.VARINT) typeNum = r.int32();
    else {
      fields.push({ field, wire, start: r.pos });
      r.skip(field, wire);
    }
  }
  const type = ATTR_TYPES[typeNum];
  if (type === undefined) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `op "${opType}" attribute "${name}" has unknown AttrType ${typeNum}; the ProgramDesc is from an unsupported Paddle version.`,
    );
  }
  const repeated = REPEATED.has(type);
  const values: unknown[] = [];
  let unknown: UnknownField[] | undefined;
  for (const f of fields) {
    const sub = new ProtoReader(r.buf, f.start, r.end, `attribute "${name}" of op "${opType}"`);
    if (f.field === VALUE_FIELD[type]) {
      if (repeated && (type === 'STRINGS' || type === 'VARS' || type === 'SCALARS'))
        values.push(readAttrElement(type, sub));
      else if (repeated) sub.repeated(f.wire, values, (x) => readAttrElement(type, x));
      else values.push(readAttrElement(type, sub));
    } else {
      unknown = keep(unknown, sub.skip(f.field, f.wire));
    }
  }
  let value: unknown;
  if (repeated) value = values;
  else if (values.length > 0) value = values[values.length - 1];
  else value = defaultAttrValue(type);
  const attr = { name, type, value } as OpAttr;
  if (unknown) attr.unknown = unknown;
  return attr;
}

function defaultAttrValue(type: AttrTypeName): unknown {
  if (type === 'STRING' || type === 'VAR') return '';
  if (type === 'BOOLEAN') return false;
  if (type === 'SCALAR') return new Uint8Array(0);
  return 0;
}

function decodeOpDesc(r: ProtoReader): OpDesc {
  const out: OpDesc = { type: '', inputs: [], outputs: [], attrs: [] };
  const attrs: ProtoReader[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.LEN) out.inputs.push(decodeOpVar(r.message('OpDesc.inputs')));
    else if (field === 2 && wire === Wire.LEN) out.outputs.push(decodeOpVar(r.message('OpDesc.outputs')));
    else if (field === 3 && wire === Wire.LEN) out.type = r.string();
    else if (field === 4 && wire === Wire.LEN) attrs.push(r.message('OpDesc.attrs'));
    else if (field === 5 && wire === Wire.VARINT) out.isTarget = r.bool();
    else out.unknown = keep(out.unknown, r.skip(field, wire));
  }
  out.attrs = attrs.map((a) => decodeAttr(a, out.type));
  return out;
}

function decodeBlock(r: ProtoReader): BlockDesc {
  const out: BlockDesc = { idx: 0, parentIdx: 0, vars: [], ops: [] };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.VARINT) out.idx = r.int32();
    else if (field === 2 && wire === Wire.VARINT) out.parentIdx = r.int32();
    else if (field === 3 && wire === Wire.LEN) out.vars.push(decodeVarDesc(r.message('VarDesc')));
    else if (field === 4 && wire === Wire.LEN) out.ops.push(decodeOpDesc(r.message('OpDesc')));
    else if (field === 5 && wire === Wire.VARINT) out.forwardBlockIdx = r.int32();
    else out.unknown = keep(out.unknown, r.skip(field, wire));
  }
  return out;
}

function decodeOpCompatibleMap(r: ProtoReader): OpCompatibleMap {
  const out: OpCompatibleMap = { pair: [] };
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1 && wire === Wire.LEN) {
      const p = r.message('OpCompatiblePair');
      const pair = { opName: '', compatibleInfo: { version: '', type: 0 } };
      while (!p.done) {
        const k = p.key();
        if (k.field === 1) pair.opName = p.string();
        else if (k.field === 2) {
          const c = p.message('CompatibleInfo');
          while (!c.done) {
            const ck = c.key();
            if (ck.field === 1) pair.compatibleInfo.version = c.string();
            else if (ck.field === 2) pair.compatibleInfo.type = c.int32();
            else c.skip(ck.field, ck.wire);
          }
        } else p.skip(k.field, k.wire);
      }
      out.pair.push(pair);
    } else if (field === 2 && wire === Wire.LEN) out.defaultRequiredVersion = r.string();
    else r.skip(field, wire);
  }
  return out;
}

function decodeOpVersionMap(r: ProtoReader): { opName: string; version: number }[] {
  const out: { opName: string; version: number }[] = [];
  while (!r.done) {
    const { field, wire } = r.key();
    if (field !== 1 || wire !== Wire.LEN) {
      r.skip(field, wire);
      continue;
    }
    const p = r.message('OpVersionPair');
    const pair = { opName: '', version: 0 };
    while (!p.done) {
      const k = p.key();
      if (k.field === 1) pair.opName = p.string();
      else if (k.field === 2) {
        const v = p.message('OpVersion');
        while (!v.done) {
          const vk = v.key();
          if (vk.field === 1) pair.version = v.int32();
          else v.skip(vk.field, vk.wire);
        }
      } else p.skip(k.field, k.wire);
    }
    out.push(pair);
  }
  return out;
}

/**
 * Decodes a `ProgramDesc` (spec §9.9). `source` names the file in error messages. Throws a
 * `MODEL_FORMAT` {@link PdsegError} when the bytes are not a ProgramDesc.
 */
export function decodeProgramDesc(bytes: Uint8Array, source = '__model__'): ProgramDesc {
  const out: ProgramDesc = { blocks: [] };
  try {
    const r = new ProtoReader(bytes, 0, bytes.length, `ProgramDesc "${source}"`);
    while (!r.done) {
      const { field, wire } = r.key();
      if (field === 1 && wire === Wire.LEN) out.blocks.push(decodeBlock(r.message('BlockDesc')));
      else if (field === 3 && wire === Wire.LEN)
        out.opCompatibleMap = decodeOpCompatibleMap(r.message('OpCompatibleMap'));
      else if (field === 4 && wire === Wire.LEN) {
        const v = r.message('Version');
        while (!v.done) {
          const k = v.key();
          if (k.field === 1 && k.wire === Wire.VARINT) out.version = v.int64();
          else v.skip(k.field, k.wire);
        }
      } else if (field === 5 && wire === Wire.LEN)
        out.opVersionMap = decodeOpVersionMap(r.message('OpVersionMap'));
      else out.unknown = keep(out.unknown, r.skip(field, wire));
    }
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new PdsegError('MODEL_FORMAT', `"${source}" is not a Paddle ProgramDesc: ${reason}`, { cause: e });
  }
  if (out.blocks.length === 0) {
    throw new PdsegError('MODEL_FORMAT', `"${source}" is not a Paddle ProgramDesc: it has no blocks.`);
  }
  return out;
}

/** Byte-wise comparison of two strings' UTF-8 encodings (C++ `std::string` / Python `sorted` order). */
export function compareBytewise(a: string, b: string): number {
  const ea = utf8.encode(a);
  const eb = utf8.encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const d = (ea[i] as number) - (eb[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return ea.length === eb.length ? 0 : ea.length < eb.length ? -1 : 1;
}

const utf8 = new TextEncoder();

const NOT_SAVED: ReadonlySet<number> = new Set([
  VarTypeId.FEED_MINIBATCH,
  VarTypeId.FETCH_LIST,
  VarTypeId.READER,
  VarTypeId.RAW,
]);

/**
 * Names of the variables a combined parameter file of this program holds, in record order
 * (spec §9.8): every `persistable` VarDesc of block 0 except FEED_MINIBATCH, FETCH_LIST,
 * READER and RAW variables, sorted byte-wise.
 */
export function persistableParamNames(desc: ProgramDesc): string[] {
  const block = desc.blocks[0];
  if (!block) return [];
  const names = block.vars
    .filter((v) => v.persistable === true && !NOT_SAVED.has(v.type.type))
    .map((v) => v.name);
  return names.sort(compareBytewise);
}
